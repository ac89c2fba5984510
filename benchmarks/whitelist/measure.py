"""Drives whitelist requests through the self-host and times each step by the mails the SMTP server saved."""
import email, glob, json, os, re, sys, time, urllib.parse, urllib.request
from email import policy

base, maildir, count, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
seen = set()


def post(path, body):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def wait_mail(to, contains, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(glob.glob(os.path.join(maildir, "*.eml"))):
            if path in seen:
                continue
            with open(path, "rb") as f:
                message = email.message_from_binary_file(f, policy=policy.default)
            if to in str(message["To"]) and contains in str(message["Subject"]):
                seen.add(path)
                return time.monotonic(), message.get_body(("plain",)).get_content()
        time.sleep(0.005)
    raise TimeoutError(f"no mail to {to} with {contains!r}")


def link(text, action):
    match = re.search(r"\?whitelist=" + action + r"&id=([^&\s]+)&token=([^\s]+)", text)
    return urllib.parse.unquote(match.group(1)), urllib.parse.unquote(match.group(2))


steps = {"submit -> confirmation mail": [], "confirm -> admin mail": [], "submit -> admin mail (confirmed at once)": [],
         "approve -> requester's mail": []}
for i in range(count + 1):
    requester = f"sender{i}@sender.bench"
    t0 = time.monotonic()
    submitted = post("/v1/whitelist-requests", {"email": requester, "name": f"Sender {i}", "ip": "81.2.69.161",
                                                "senderDomain": "sender.bench", "recipient": f"user{i}@customer.bench",
                                                "reason": "Our provider cannot get its range delisted; our server cannot retry."})
    t1, text = wait_mail(requester, "Confirm")
    request_id, token = link(text, "confirm")
    t2 = time.monotonic()
    post(f"/v1/whitelist-requests/{request_id}/confirm", {"token": token})
    t3, text = wait_mail("postmaster@bench.test", submitted["id"])
    approve_id, approve_token = link(text, "approve")
    t4 = time.monotonic()
    post(f"/v1/whitelist-requests/{approve_id}/approve", {"token": approve_token})
    t5, _ = wait_mail(requester, "was approved")
    if i == 0:
        continue  # warm-up: tables and queues created, JIT
    steps["submit -> confirmation mail"].append(t1 - t0)
    steps["confirm -> admin mail"].append(t3 - t2)
    steps["submit -> admin mail (confirmed at once)"].append((t1 - t0) + (t3 - t2))
    steps["approve -> requester's mail"].append(t5 - t4)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


print(f"{count} requests, one after another (after one warm-up request)")
for name, values in steps.items():
    print(f"{name:45} p50 {percentile(values, 50) * 1000:7.0f} ms   p90 {percentile(values, 90) * 1000:7.0f} ms   max {max(values) * 1000:7.0f} ms")

with open(log, encoding="utf-8") as f:
    text = f.read()
mails = text.count("[12001]")
reviews = text.count("[13002]")
decisions = text.count("[13003]")
total = mails + reviews + decisions
print(f"queue messages: {total} for {count + 1} requests = {total / (count + 1):.1f} per request "
      f"(email-outbox {mails}, whitelist-requests {reviews}, whitelist-approvals {decisions})")
