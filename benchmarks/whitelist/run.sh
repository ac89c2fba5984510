#!/usr/bin/env bash
# Whitelist latency measurement: how long from a submitted request to the admins' mail on the self-host (Release), with
# Azurite, the benchmarks' loopback DNS server (one blocklist zone), and a real SMTP server on loopback (aiosmtpd) that
# saves what it receives. measure.py submits N requests one after another, waits for each confirmation mail, confirms
# at once through the mail's link, waits for the admin mail, approves through its link and waits for the requester's
# mail; it prints percentiles of each step and the queue messages each request made (counted from the host's log).
# Needs: python3-aiosmtpd (Debian), node_modules (npm ci), the .NET SDK. Usage: benchmarks/whitelist/run.sh [requests] [max polling interval]
set -euo pipefail
cd "$(dirname "$0")/../.."
requests="${1:-20}"
polling="${2:-00:00:02}"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

dotnet build functions/BlocklistApi.Host -c Release -v quiet -nologo >/dev/null
dotnet build benchmarks/BlocklistApi.Benchmarks -c Release -v quiet -nologo >/dev/null

blob=$(free_port); queue=$(free_port); table=$(free_port); smtp=$(free_port); api=$(free_port)
node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --skipApiVersionCheck --silent \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" >/dev/null 2>&1 &
pids+=($!)
dotnet benchmarks/BlocklistApi.Benchmarks/bin/Release/net10.0/BlocklistApi.Benchmarks.dll serve-dns "$work/queries" >"$work/dns.out" 2>&1 &
pids+=($!)
mkdir -p "$work/mail"
/usr/bin/python3 - "$smtp" "$work/mail" >"$work/smtp.log" 2>&1 <<'PY' &
import os, sys, time
from aiosmtpd.controller import Controller
class Save:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Save.count += 1
        path = os.path.join(sys.argv[2], "%06d.eml" % Save.count)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 OK"
controller = Controller(Save(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
while True:
    time.sleep(3600)
PY
pids+=($!)
for _ in $(seq 1 200); do [ -s "$work/dns.out" ] && break; sleep 0.05; done
wait_port "$table"; wait_port "$queue"; wait_port "$smtp"

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
export Storage__Provider=azure # the Azurite started above (the self-host's default store is SQLite)
export DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
export Dns__Servers__0="$(head -n1 "$work/dns.out")" Dnsbl__Zones__0__Zone=bl.bench
export Email__Transport=smtp Email__Smtp__Host=127.0.0.1 Email__Smtp__Port="$smtp" Email__From="Blocklist <blocklist@bench.test>"
export Notifications__AdminEmails__0=postmaster@bench.test PublicPage__Url="http://127.0.0.1:$api/"
export Whitelist__LinkSecret="bench-link-secret-0123456789abcdefghijklmnop" RateLimit__PermitsPerMinute=1000000
export Queues__MaxPollingInterval="$polling"
export Logging__LogLevel__Default=Warning
# The queued-message events counted below (names with dots cannot be exported by bash).
env "Logging__LogLevel__BlocklistApi.Notifications.EmailOutbox=Debug" "Logging__LogLevel__BlocklistApi.Whitelist=Information" \
  dotnet functions/BlocklistApi.Host/bin/Release/net10.0/BlocklistApi.Host.dll --urls "http://127.0.0.1:$api" >"$work/host.log" 2>&1 &
pids+=($!)
wait_port "$api"

python3 benchmarks/whitelist/measure.py "http://127.0.0.1:$api" "$work/mail" "$requests" "$work/host.log"
