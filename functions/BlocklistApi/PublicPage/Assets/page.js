(function () {
  'use strict';

  // Every text from the API is put on the page with textContent or as a text node, never as HTML.
  var labels = {
    rdns: 'Reverse DNS (PTR record)',
    fcrdns: 'Reverse DNS confirmed by forward DNS',
    helo: 'HELO name',
    banner: 'SMTP greeting',
    spf: 'SPF',
    ttl: 'DNS TTLs',
    mx: 'MX records of the sender domain',
    'same-ip': 'Sends and receives on the same address',
    listings: 'Blocklists'
  };
  var words = { pass: 'Pass', warn: 'Warning', fail: 'Fail', error: 'Could not check', skipped: 'Not checked' };
  var counted = { pass: ' passed', warn: [' warning', ' warnings'], fail: ' failed', error: ' could not be checked', skipped: ' not checked' };

  var form = document.getElementById('test-form');
  var fields = { ip: document.getElementById('ip'), helo: document.getElementById('helo'), sender: document.getElementById('sender') };
  var button = document.getElementById('run');
  var formError = document.getElementById('form-error');
  var results = document.getElementById('results');
  var heading = document.getElementById('results-heading');
  var summary = document.getElementById('summary');
  var list = document.getElementById('checks');
  var status = document.getElementById('status');

  // A link in a refusal message may carry the address: /?ip=192.0.2.1
  var query = new URLSearchParams(window.location.search);
  Object.keys(fields).forEach(function (name) {
    var value = query.get(name);
    if (value) {
      fields[name].value = value.slice(0, fields[name].maxLength > 0 ? fields[name].maxLength : 320);
    }
  });

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function clearError() {
    formError.hidden = true;
    formError.textContent = '';
    Object.keys(fields).forEach(function (name) {
      fields[name].removeAttribute('aria-invalid');
      fields[name].setAttribute('aria-describedby', name + '-hint');
    });
  }

  function showError(message, field) {
    formError.textContent = message;
    formError.hidden = false;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', field.id + '-hint form-error');
      field.focus();
    }
  }

  // A 400 problem's detail starts with the parameter it is about ("helo: ..."); otherwise it is about the address.
  function fieldOf(detail) {
    var match = /^(helo|sender):/.exec(detail || '');
    return match ? fields[match[1]] : fields.ip;
  }

  function isWebLink(text) {
    try {
      var url = new URL(text);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch (e) {
      return false;
    }
  }

  function removalLinks(check) {
    var listed = check.data && Array.isArray(check.data.listedBy) ? check.data.listedBy : [];
    var withLinks = listed.filter(function (zone) { return typeof zone.delistUrl === 'string' && isWebLink(zone.delistUrl); });
    if (withLinks.length === 0) {
      return null;
    }
    var links = element('ul', 'links');
    withLinks.forEach(function (zone) {
      var item = element('li');
      var link = element('a', null, 'Removal page of ' + zone.zone);
      link.href = zone.delistUrl;
      link.rel = 'noopener noreferrer';
      item.append(link);
      links.append(item);
    });
    return links;
  }

  function render(report) {
    var counts = { pass: 0, warn: 0, fail: 0, error: 0, skipped: 0 };
    list.replaceChildren();
    report.checks.forEach(function (check) {
      var state = Object.prototype.hasOwnProperty.call(words, check.status) ? check.status : 'error';
      // The API marks a check that could not run as a warning with data.skipped; people read "Not checked".
      if (check.data && check.data.skipped === true) {
        state = 'skipped';
      }
      counts[state] += 1;
      var item = element('li', 'check check--' + state);
      var title = element('h3');
      title.append(element('span', 'badge badge--' + state, words[state]), element('span', null, labels[check.name] || check.name));
      item.append(title, element('p', 'detail', check.detail));
      if (check.advice) {
        var advice = element('p', 'advice');
        advice.append(element('strong', null, 'What to do: '), document.createTextNode(check.advice));
        item.append(advice);
      }
      var links = check.name === 'listings' ? removalLinks(check) : null;
      if (links) {
        item.append(links);
      }
      list.append(item);
    });

    var parts = ['fail', 'error', 'warn', 'skipped', 'pass'].filter(function (state) { return counts[state] > 0; }).map(function (state) {
      var word = counted[state];
      return counts[state] + (Array.isArray(word) ? word[counts[state] === 1 ? 0 : 1] : word);
    });
    heading.textContent = 'Results for ' + report.ip;
    summary.textContent = parts.join(', ') + '.';
    results.hidden = false;
    status.textContent = 'Test finished. ' + heading.textContent + ': ' + summary.textContent;
    heading.focus();
  }

  async function run() {
    clearError();
    var ip = fields.ip.value.trim();
    var helo = fields.helo.value.trim();
    var sender = fields.sender.value.trim();
    if (!ip) {
      showError('Enter the IP address of your mail server.', fields.ip);
      return;
    }

    var params = new URLSearchParams();
    if (helo) {
      params.set('helo', helo);
    }
    if (sender) {
      params.set('sender', sender);
    }
    var search = params.toString();
    var url = '/v1/diagnostics/' + encodeURIComponent(ip) + (search ? '?' + search : '');
    var shown = new URLSearchParams({ ip: ip });
    params.forEach(function (value, key) { shown.set(key, value); });
    window.history.replaceState(null, '', '?' + shown.toString());

    button.disabled = true;
    button.textContent = 'Testing\u2026';
    results.setAttribute('aria-busy', 'true');
    status.textContent = 'Testing ' + ip + '. This takes a few seconds.';
    try {
      var response = await fetch(url, { headers: { Accept: 'application/json' } });
      var body = await response.json().catch(function () { return null; });
      if (response.ok && body && Array.isArray(body.checks)) {
        render(body);
      } else if (response.status === 429) {
        var wait = parseInt(response.headers.get('Retry-After') || '60', 10);
        showError('You have run many tests in a short time. Please wait ' + wait + ' seconds and try again.', null);
        status.textContent = formError.textContent;
      } else if (response.status === 400) {
        var detail = body && body.detail ? body.detail : 'The request was not valid.';
        showError(detail, fieldOf(detail));
      } else {
        showError('The test failed on our side (' + response.status + '). Please try again in a minute.', null);
        status.textContent = formError.textContent;
      }
    } catch (error) {
      showError('The test could not reach our server. Check your connection and try again.', null);
      status.textContent = formError.textContent;
    } finally {
      button.disabled = false;
      button.textContent = 'Test my server';
      results.removeAttribute('aria-busy');
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    run();
  });
})();
