#!/usr/bin/env python3
"""Summarises probe.py's answers by phase. Usage: summary.py ANSWERS.tsv EVENTS.tsv
EVENTS.tsv has lines "wall-time<TAB>event" (freeze, thaw, kill, restart). Prints, per phase and route: answers,
non-200, degraded share, p50, p99 and worst latency; and after each thaw/restart, how long until every route gave
ten normal (200, not degraded) answers in a row."""
import sys

answers = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
events = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
events = [(float(t), e) for t, e in events]
bounds = [(answers and float(answers[0][0]) or 0, "normal")] + events


def phase(t):
    name = "normal"
    for at, event in bounds:
        if t >= at:
            name = {"freeze": "storage frozen", "thaw": "after thaw", "kill": "storage killed", "restart": "after restart"}.get(event, event)
    return name


rows = {}
for t, route, status, seconds, degraded, outcome in answers:
    rows.setdefault((phase(float(t)), route), []).append((int(status), float(seconds), degraded == "True"))

print("| phase | route | answers | non-200 | degraded | p50 ms | p99 ms | worst ms |")
print("|---|---|---|---|---|---|---|---|")
order = ["normal", "storage frozen", "after thaw", "storage killed", "after restart"]
for (name, route), items in sorted(rows.items(), key=lambda kv: (order.index(kv[0][0]) if kv[0][0] in order else 9, kv[0][1])):
    lat = sorted(s for _, s, _ in items)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
    print("| %s | %s | %d | %d | %d%% | %.1f | %.1f | %.1f |" % (name, route, len(items), sum(1 for s, _, _ in items if s != 200),
          round(100 * sum(1 for _, _, d in items if d) / len(items)), p(0.5), p(0.99), lat[-1] * 1000))

for at, event in events:
    if event not in ("thaw", "restart"):
        continue
    ready = []
    for route in ("greylist", "reputation"):
        run, first = 0, None
        for t, r, status, seconds, degraded, _ in answers:
            if r != route or float(t) < at:
                continue
            if status == "200" and degraded != "True":
                run += 1
                first = first if first is not None else float(t) + float(seconds)
                if run == 10:
                    break
            else:
                run, first = 0, None
        ready.append((route, (first - at) if first and run == 10 else None))
    print("\nafter %s: " % event + ", ".join("%s normal again after %s" % (r, "%.1f s" % d if d is not None else "never") for r, d in ready))
