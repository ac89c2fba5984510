#!/usr/bin/env bash
# Reputation benchmark: the self-host (Release) with 4 DNSBL zones served by rbldnsd on loopback, on SQLite, on SQLite
# with the table cache off, and on Azurite, loaded with wrk. For each: the storage operations (the host's /healthz
# counts) and DNS queries (rbldnsd's query log) of one cached and one uncached call, then requests/s and latency
# percentiles for cached and uncached calls.
# (rbldnsd chroots into its zone directory, so its query log path is relative to it.)
# Needs: rbldnsd, wrk (Debian), node_modules (npm ci), the .NET SDK. Usage: benchmarks/reputation/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-20}"
connections="${2:-16}"
threads=$(( connections < 2 ? 1 : 2 ))
work="$(mktemp -d)"
. benchmarks/production-settings.sh
chmod 755 "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# Keep the host log when something fails.
keep_log() { [ -f "$work/host.log" ] && tail -40 "$work/host.log" >&2; }
trap 'keep_log; cleanup' ERR

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

dotnet build functions/BlocklistApi.Host -c Release -v quiet -nologo >/dev/null

blob=$(free_port); queue=$(free_port); table=$(free_port); dns=$(free_port)
node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --skipApiVersionCheck --silent \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" >/dev/null 2>&1 &
pids+=($!)

cp benchmarks/reputation/zones.txt "$work/zones.txt"; chmod 644 "$work/zones.txt"
touch "$work/queries.log"; chmod 666 "$work/queries.log"
zones=(one.bench.test two.bench.test three.bench.test four.bench.test)
rbldnsd -n -b "127.0.0.1/$dns" -r "$work" -l "+queries.log" -t 300 \
  "${zones[0]}:ip4set:zones.txt" "${zones[1]}:ip4set:zones.txt" "${zones[2]}:ip4set:zones.txt" "${zones[3]}:ip4set:zones.txt" >/dev/null 2>&1 &
pids+=($!)
wait_port "$table"; wait_port "$queue"

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
export Auth__FunctionKeys__0=bench-key Dns__Servers__0="127.0.0.1:$dns" Logging__LogLevel__Default=Warning
for i in 0 1 2 3; do export "Dnsbl__Zones__${i}__Zone=${zones[$i]}"; done

# $1 = label, then settings as NAME=VALUE. Starts a host (sqlite in a file of its own unless Storage__Provider=azure),
# counts the storage operations (its /healthz counts) and DNS queries (rbldnsd's log) of single calls, then runs wrk.
run_host() {
  local label=$1; shift
  local api; api=$(free_port)
  env Storage__Sqlite__Path="$work/blocklist-$api.db" "$@" \
    dotnet functions/BlocklistApi.Host/bin/Release/net10.0/BlocklistApi.Host.dll --urls "http://127.0.0.1:$api" >"$work/host.log" 2>&1 &
  local host=$!
  pids+=($host)
  wait_port "$api"
  base="http://127.0.0.1:$api"
  call 192.0.2.250  # warm up: tables created, JIT
  echo "## $label"
  measure "uncached, listed in all 4 zones" 10.1.0.1
  measure "cached (memory), same address" 10.1.0.1
  measure "uncached, not listed" 192.0.2.77
  measure "cached (memory), same address" 192.0.2.77
  wrk -t"$threads" -c"$connections" -d5s -s benchmarks/reputation/cached.lua "$base" >/dev/null
  echo "== Cached: $connections connections, ${duration}s"
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s benchmarks/reputation/cached.lua "$base" | grep -E "Requests/sec|Latency |  50%|  90%|  99%|requests in|Non-2xx"
  echo "== Uncached (every request a new address): $connections connections, ${duration}s"
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s benchmarks/reputation/uncached.lua "$base" | grep -E "Requests/sec|Latency |  50%|  90%|  99%|requests in|Non-2xx"
  kill "$host"; wait "$host" 2>/dev/null || true
}

call() { curl -sf -H 'x-functions-key: bench-key' "$base/v1/reputation/$1" >/dev/null; }
storage_ops() { curl -sf "$base/healthz" | python3 -c 'import json,sys; d=json.load(sys.stdin)["dependencies"]["storage"]["data"]; print(d["reads"], d["writes"])'; }
dns_queries() { grep -c "" "$work/queries.log" || true; }
measure() {
  local label=$1 ip=$2 r0 w0 r1 w1 d0
  # 1.2 s apart, so each call also pays the hosted lists' version read (at most once per Lists:RefreshInterval, 1 s).
  sleep 1.2; read -r r0 w0 < <(storage_ops); d0=$(dns_queries)
  call "$ip"; sleep 0.5
  read -r r1 w1 < <(storage_ops)
  echo "$label ($ip): storage reads $(( r1 - r0 )), writes $(( w1 - w0 )), DNS queries $(( $(dns_queries) - d0 ))"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
run_host "sqlite (the self-host's default)" Storage__Provider=sqlite
run_host "table cache off (sqlite)" Storage__Provider=sqlite ReputationCache__Enabled=false
run_host "azurite" Storage__Provider=azure
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
