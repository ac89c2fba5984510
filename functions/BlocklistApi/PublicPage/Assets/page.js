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

  // The zones list links to each operator's site; with an address known, to its page about that address.
  function pointZoneLinks(ip) {
    document.querySelectorAll('#zones a[data-template]').forEach(function (link) {
      var template = link.getAttribute('data-template');
      if (ip && template.indexOf('{ip}') >= 0) {
        link.href = template.split('{ip}').join(encodeURIComponent(ip));
      }
    });
  }
  pointZoneLinks(query.get('ip'));
  form.addEventListener('submit', function () { pointZoneLinks(fields.ip.value.trim()); });

  // ---- The whitelist request form -------------------------------------------------------------------------------
  var wlForm = document.getElementById('wl-form');
  var wlFields = {
    email: document.getElementById('wl-email'),
    name: document.getElementById('wl-name'),
    ip: document.getElementById('wl-ip'),
    senderDomain: document.getElementById('wl-sender-domain'),
    recipient: document.getElementById('wl-recipient'),
    reason: document.getElementById('wl-reason')
  };
  var wlSubmit = document.getElementById('wl-submit');
  var wlFormError = document.getElementById('wl-form-error');
  var wlDone = document.getElementById('wl-done');
  var required = { email: 'Enter your e-mail address: we send the confirmation link there.', ip: 'Enter the address your server sends from.', recipient: 'Enter the address you were writing to.', reason: 'Tell us why you need this.' };
  var prefill = query.get('ip');
  if (prefill) {
    wlFields.ip.value = prefill.slice(0, 64);
  }

  function hint(input) {
    return input.id + '-hint';
  }

  function clearFieldErrors() {
    wlFormError.hidden = true;
    wlFormError.textContent = '';
    Object.keys(wlFields).forEach(function (name) {
      var input = wlFields[name];
      var error = document.getElementById(input.id + '-error');
      error.hidden = true;
      error.textContent = '';
      input.removeAttribute('aria-invalid');
      input.setAttribute('aria-describedby', hint(input));
    });
  }

  function showFieldError(name, message) {
    var input = wlFields[name];
    var error = document.getElementById(input.id + '-error');
    error.textContent = message;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', error.id + ' ' + hint(input));
  }

  function focusFirstInvalid() {
    var first = Object.keys(wlFields).map(function (name) { return wlFields[name]; }).filter(function (input) {
      return input.getAttribute('aria-invalid') === 'true';
    })[0];
    if (first) {
      first.focus();
    }
  }

  function showWlError(message) {
    wlFormError.textContent = message;
    wlFormError.hidden = false;
  }

  async function submitWhitelist() {
    clearFieldErrors();
    // Line breaks are not accepted anywhere: the reason is sent as one paragraph.
    var body = {};
    Object.keys(wlFields).forEach(function (name) {
      var value = wlFields[name].value.replace(/\s+/g, ' ').trim();
      body[name] = value === '' ? null : value;
    });
    var missing = Object.keys(required).filter(function (name) { return body[name] === null; });
    if (missing.length > 0) {
      missing.forEach(function (name) { showFieldError(name, required[name]); });
      focusFirstInvalid();
      return;
    }

    wlSubmit.disabled = true;
    wlSubmit.textContent = 'Sending\u2026';
    try {
      var response = await fetch('/v1/whitelist-requests', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body)
      });
      var answer = await response.json().catch(function () { return null; });
      if (response.status === 202 && answer && answer.id) {
        wlForm.hidden = true;
        wlDone.replaceChildren(
          element('h3', null, 'Thank you. Please check your mailbox.'),
          element('p', null, 'We sent a confirmation link to ' + body.email + '. Open it within 48 hours and press the button on the page; nothing happens before that.'),
          element('p', null, 'Your request number is ' + answer.id + '.'));
        wlDone.hidden = false;
        wlDone.focus();
      } else if (response.status === 400 && answer && answer.errors) {
        Object.keys(answer.errors).forEach(function (name) {
          if (Object.prototype.hasOwnProperty.call(wlFields, name)) {
            showFieldError(name, answer.errors[name].join(' '));
          } else {
            showWlError(answer.errors[name].join(' '));
          }
        });
        focusFirstInvalid();
      } else if (response.status === 409 && answer) {
        showWlError(answer.detail || 'You already have an open request for this.');
      } else if (response.status === 429) {
        showWlError('You have sent many requests in a short time. Please wait ' + parseInt(response.headers.get('Retry-After') || '60', 10) + ' seconds and try again.');
      } else {
        showWlError(answer && answer.detail ? answer.detail : 'Your request could not be sent (' + response.status + '). Please try again in a minute.');
      }
    } catch (error) {
      showWlError('Your request could not reach our server. Check your connection and try again.');
    } finally {
      wlSubmit.disabled = false;
      wlSubmit.textContent = 'Send the request';
    }
  }

  wlForm.addEventListener('submit', function (event) {
    event.preventDefault();
    submitWhitelist();
  });

  // ---- Pages of the links in whitelist mails ----------------------------------------------------------------------
  // Opening a link only shows this panel: nothing changes until its button is pressed (mail scanners open links).
  var linkPanel = document.getElementById('link');
  var linkHeading = document.getElementById('link-heading');
  var linkText = document.getElementById('link-text');
  var linkForm = document.getElementById('link-form');
  var linkButton = document.getElementById('link-button');
  var linkError = document.getElementById('link-error');
  var linkResult = document.getElementById('link-result');
  var statusWords = {
    'pending-confirmation': 'waiting for you to confirm it with the link in our first mail',
    pending: 'confirmed, and waiting for our postmaster to decide',
    approved: 'approved',
    denied: 'denied',
    expired: 'expired: it was never confirmed. You can send a new request below.'
  };
  var linkAction = query.get('whitelist');
  var linkId = query.get('id') || '';
  var linkToken = query.get('token') || '';
  var actions = {
    confirm: { heading: 'Confirm your whitelist request', text: 'Press the button to confirm request ', button: 'Confirm my request', done: 'Thank you: your request is confirmed. Our postmaster will look at it, and we will tell you the decision by e-mail.' },
    approve: { heading: 'Approve whitelist request', text: 'Press the button to approve request ', button: 'Approve', done: 'Approved. The allow entry is being written, and the requester will be told by e-mail.' },
    deny: { heading: 'Deny whitelist request', text: 'Press the button to deny request ', button: 'Deny', done: 'Denied. The requester will be told by e-mail.' }
  };

  function showLinkResult(message) {
    linkForm.hidden = true;
    linkResult.textContent = message;
    linkResult.hidden = false;
    linkResult.focus();
  }

  function showLinkError(answer, status) {
    linkError.textContent = answer && answer.detail ? answer.detail : 'That did not work (' + status + '). Please try again in a minute.';
    linkError.hidden = false;
  }

  async function pressLink() {
    linkError.hidden = true;
    var body = { token: linkToken };
    if (linkAction !== 'confirm') {
      var note = document.getElementById('link-note').value.replace(/\s+/g, ' ').trim();
      if (note) {
        body.note = note;
      }
    }
    if (linkAction === 'approve') {
      var scope = linkForm.querySelector('input[name="scope"]:checked');
      body.scope = scope ? scope.value : 'recipient';
      var until = document.getElementById('link-expires').value;
      if (until) {
        body.expiresAt = until + 'T00:00:00Z';
      }
    }
    linkButton.disabled = true;
    try {
      var response = await fetch('/v1/whitelist-requests/' + encodeURIComponent(linkId) + '/' + linkAction, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body)
      });
      var answer = await response.json().catch(function () { return null; });
      if (response.ok) {
        showLinkResult(actions[linkAction].done);
      } else {
        showLinkError(answer, response.status);
      }
    } catch (error) {
      showLinkError(null, 'no connection');
    } finally {
      linkButton.disabled = false;
    }
  }

  async function showStatus() {
    try {
      var response = await fetch('/v1/whitelist-requests/' + encodeURIComponent(linkId) + '?token=' + encodeURIComponent(linkToken), { headers: { Accept: 'application/json' } });
      var answer = await response.json().catch(function () { return null; });
      if (response.ok && answer && answer.status) {
        linkResult.textContent = 'Request ' + answer.id + ' is ' + (statusWords[answer.status] || answer.status) + '.';
        linkResult.hidden = false;
      } else {
        showLinkError(answer, response.status);
        linkForm.hidden = false;
        linkButton.hidden = true;
      }
    } catch (error) {
      showLinkError(null, 'no connection');
    }
  }

  if (linkAction && linkId) {
    linkPanel.hidden = false;
    if (Object.prototype.hasOwnProperty.call(actions, linkAction)) {
      var action = actions[linkAction];
      linkHeading.textContent = action.heading;
      linkText.textContent = action.text + linkId + '. Opening this page has not changed anything.';
      linkButton.textContent = action.button;
      linkForm.hidden = false;
      document.getElementById('link-note-field').hidden = linkAction === 'confirm';
      document.getElementById('link-scope').hidden = linkAction !== 'approve';
      document.getElementById('link-expires-field').hidden = linkAction !== 'approve';
      linkForm.addEventListener('submit', function (event) {
        event.preventDefault();
        pressLink();
      });
    } else {
      linkHeading.textContent = 'Your whitelist request';
      linkText.textContent = 'Request ' + linkId + ':';
      showStatus();
    }
    linkHeading.focus();
  }
})();
