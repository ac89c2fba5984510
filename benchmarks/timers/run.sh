#!/usr/bin/env bash
# Timers benchmark (see README.md): (1) one zone health run over 10 zones and one cache refresh run over 100k cached
# answers (TimersBench, in process, on Azurite and rbldnsd); (2) the latency of uncached reputation calls through the
# Release self-host (wrk) with 4 zones: all on rbldnsd, then one of them silent before zone health disables it, and
# after. Needs: rbldnsd, wrk, python3 (the silent DNS server), node_modules (npm ci), the .NET SDK.
# Usage: benchmarks/timers/run.sh [seconds per wrk run] [connections] [health runs] [cached answers]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-15}"
connections="${2:-4}"
runs="${3:-10}"
entries="${4:-100000}"
work="$(mktemp -d)"
. benchmarks/production-settings.sh
chmod 755 "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

echo "== load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build benchmarks/timers/TimersBench -c Release -v quiet -nologo >/dev/null
dotnet build functions/BlocklistApi.Host -c Release -v quiet -nologo >/dev/null

echo "== (1) timer runs"
dotnet benchmarks/timers/TimersBench/bin/Release/net10.0/TimersBench.dll "$runs" "$entries"

echo "== (2) reputation calls, every one a new address, 4 zones (Dns__Timeout 2 s)"
blob=$(free_port); queue=$(free_port); table=$(free_port); dns=$(free_port); sink=$(free_port)
node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --skipApiVersionCheck --silent \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" >/dev/null 2>&1 &
pids+=($!)
cp benchmarks/reputation/zones.txt "$work/zones.txt"; chmod 644 "$work/zones.txt"
zones=(one.bench.test two.bench.test three.bench.test four.bench.test)
rbldnsd -n -b "127.0.0.1/$dns" -r "$work" -t 300 \
  "${zones[0]}:ip4set:zones.txt" "${zones[1]}:ip4set:zones.txt" "${zones[2]}:ip4set:zones.txt" "${zones[3]}:ip4set:zones.txt" >/dev/null 2>&1 &
pids+=($!)
# A DNS server that reads every query and never answers: the silent zone.
python3 -c "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $sink))
while True: s.recv(4096)" &
pids+=($!)
wait_port "$table"; wait_port "$queue"

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
export Storage__Provider=azure # the Azurite started above (the self-host's default store is SQLite)
export Auth__FunctionKeys__0=bench-key Auth__AdminKeys__0=bench-admin Dns__Servers__0="127.0.0.1:$dns" Logging__LogLevel__Default=Warning
for i in 0 1 2 3; do export "Dnsbl__Zones__${i}__Zone=${zones[$i]}"; done

host_pid=""
start_host() {  # name, then extra VAR=value settings
  local name=$1; shift
  api=$(free_port)
  env Storage__NamePrefix="$name" "$@" dotnet functions/BlocklistApi.Host/bin/Release/net10.0/BlocklistApi.Host.dll --urls "http://127.0.0.1:$api" >"$work/$name.log" 2>&1 &
  host_pid=$!; pids+=("$host_pid")
  wait_port "$api"
  base="http://127.0.0.1:$api"
  curl -sf -H 'x-functions-key: bench-key' "$base/v1/reputation/192.0.2.250" >/dev/null  # warm up: tables, JIT
}
stop_host() { kill "$host_pid"; wait "$host_pid" 2>/dev/null || true; }
load() {  # label
  echo "-- $1: $connections connections, ${duration}s"
  wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${duration}s" --timeout 10s --latency -s benchmarks/reputation/uncached.lua "$base" \
    | grep -E "Requests/sec|Latency |  50%|  90%|  99%|requests in|Non-2xx|Socket errors"
}
zone_state() { curl -sf -H 'x-functions-key: bench-admin' "$base/v1/zones" | python3 -c "import json,sys; z=[z for z in json.load(sys.stdin)['zones'] if z['name']=='four.bench.test'][0]; print(z['state'], '|', z['reason'])"; }

start_host healthy
load "4 zones on rbldnsd (reference)"
stop_host

# four.bench.test now goes to the silent server. Zone health cannot act: no probe in this run, and bad answers of
# real queries would need 1000 in a row.
export Dnsbl__Zones__3__Servers__0="127.0.0.1:$sink"
start_host before ZoneHealth__FailuresToDisable=1000 ZoneHealth__Schedule="0 0 0 29 2 *"
load "one zone silent, before zone health disables it"
stop_host

# Defaults (3 bad results in a row disable a zone), probes every 10 s so the run is short.
start_host after ZoneHealth__Schedule="*/10 * * * * *"
started=$(date +%s.%N)
until [ "$(zone_state | cut -d' ' -f1)" = "disabled" ]; do
  curl -s -o /dev/null -H 'x-functions-key: bench-key' "$base/v1/reputation/198.18.$(( RANDOM % 256 )).$(( RANDOM % 256 ))" || true
  sleep 0.2
done
echo "-- zone disabled after $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s: $(zone_state)"
load "one zone silent, after zone health disabled it"
stop_host
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
