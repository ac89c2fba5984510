#!/usr/bin/env bash
# Diagnostics load benchmark: GET /v1/diagnostics/{ip}?helo=&sender= on the self-host (Release) with Azurite and the
# loopback DNS server of the benchmarks project (a well-configured sender, one blocklist zone), loaded with wrk.
# Two runs: caches off (Dns:UseCache=false, ReputationCache:Enabled=false: every request makes every DNS query) and
# the default configuration (DnsClient's cache and the reputation cache on). Prints requests/s and latency percentiles,
# and the DNS queries one request makes. The banner check is off (its default), so no SMTP connection is made.
# Needs: wrk (Debian), node_modules (npm ci), the .NET SDK. Usage: benchmarks/diagnostics/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-20}"
connections="${2:-8}"
work="$(mktemp -d)"
. benchmarks/production-settings.sh
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

dotnet build functions/BlocklistApi.Host -c Release -v quiet -nologo >/dev/null
dotnet build benchmarks/BlocklistApi.Benchmarks -c Release -v quiet -nologo >/dev/null

blob=$(free_port); queue=$(free_port); table=$(free_port)
node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --skipApiVersionCheck --silent \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" >/dev/null 2>&1 &
pids+=($!)

dotnet benchmarks/BlocklistApi.Benchmarks/bin/Release/net10.0/BlocklistApi.Benchmarks.dll serve-dns "$work/queries" >"$work/dns.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$work/dns.out" ] && break; sleep 0.05; done
dns_server=$(head -n1 "$work/dns.out")
wait_port "$table"; wait_port "$queue"

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
export Storage__Provider=azure # the Azurite started above (the self-host's default store is SQLite)
export Dns__Servers__0="$dns_server" Dnsbl__Zones__0__Zone=bl.bench Logging__LogLevel__Default=Warning
# One client (wrk on loopback) makes every request: lift the per-client limit for the measurement.
export RateLimit__PermitsPerMinute=1000000
path="/v1/diagnostics/198.51.100.25?helo=mail.good.bench&sender=bounce@good.bench"

queries() { cat "$work/queries"; }
run() {
  local label=$1; shift
  local api; api=$(free_port)
  env "$@" dotnet functions/BlocklistApi.Host/bin/Release/net10.0/BlocklistApi.Host.dll --urls "http://127.0.0.1:$api" >"$work/host.log" 2>&1 &
  local host=$!
  wait_port "$api"
  local base="http://127.0.0.1:$api"
  curl -sf "$base$path" >"$work/first.json"   # warm up: tables created, JIT
  sleep 0.5; local q0; q0=$(queries)
  curl -sf "$base$path" >/dev/null; sleep 0.5
  echo "== $label"
  echo "statuses: $(python3 -c 'import json,sys; print(" ".join(c["name"]+"="+c["status"] for c in json.load(open(sys.argv[1]))["checks"]))' "$work/first.json")"
  echo "DNS queries for one more request: $(( $(queries) - q0 ))"
  wrk -t2 -c"$connections" -d5s "$base$path" >/dev/null
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$base$path" | grep -E "Requests/sec|Latency |  50%|  90%|  99%|requests in|Non-2xx|Socket errors"
  kill "$host"; wait "$host" 2>/dev/null || true
}

run "caches off: $connections connections, ${duration}s" Dns__UseCache=false ReputationCache__Enabled=false
run "default caches: $connections connections, ${duration}s" Dns__UseCache=true ReputationCache__Enabled=true
