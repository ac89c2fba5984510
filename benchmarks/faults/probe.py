#!/usr/bin/env python3
"""Continuous greylist and reputation traffic against the self-host, one line per answer.

Usage: probe.py BASE_URL KEY SECONDS OUT.tsv
Two greylist workers (a new recipient each check: every check touches storage) and two reputation workers (a new
address each call: every call misses the caches). Each line: wall time, route, HTTP status, seconds, degraded, outcome.
"""
import http.client, json, random, sys, threading, time, urllib.parse

base, key, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
host = urllib.parse.urlparse(base)
lines, lock = [], threading.Lock()
stop_at = time.time() + seconds


def worker(route):
    conn = None
    n = 0
    while time.time() < stop_at:
        n += 1
        if conn is None:
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        if route == "greylist":
            body = json.dumps({"clientAddress": "203.0.113.%d" % random.randint(1, 254), "sender": "alice@example.com",
                               "recipient": "r%d-%f@example.net" % (n, random.random())})
            method, path, headers = "POST", "/v1/greylist/check", {"content-type": "application/json"}
        else:
            # Half listed by the zones (10.0.0.0/10), half not: all of them new.
            ip = "10.%d.%d.%d" % (random.randint(0, 63), random.randint(0, 255), random.randint(1, 254)) if n % 2 else \
                "172.%d.%d.%d" % (random.randint(16, 31), random.randint(0, 255), random.randint(1, 254))
            method, path, headers, body = "GET", "/v1/reputation/" + ip, {}, None
        headers["x-functions-key"] = key
        started = time.time()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            status = response.status
            try:
                data = json.loads(payload)
            except ValueError:
                data = {}
        except Exception as error:  # a refused or dropped connection is an answer too: status 0
            status, data = 0, {"error": str(error)}
            conn.close()
            conn = None
        elapsed = time.time() - started
        outcome = data.get("reason") or data.get("verdict") or data.get("title") or data.get("error", "")
        with lock:
            lines.append("%.3f\t%s\t%d\t%.4f\t%s\t%s" % (started, route, status, elapsed, data.get("degraded"), outcome))


threads = [threading.Thread(target=worker, args=(r,)) for r in ("greylist", "greylist", "reputation", "reputation")]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out, "w") as f:
    f.write("\n".join(sorted(lines)) + "\n")
