#!/usr/bin/env bash
# Storage faults under load, at the default settings: the Release self-host on Azurite with 4 DNSBL zones on
# rbldnsd, continuous greylist and reputation traffic (every call touches storage), Azurite frozen (SIGSTOP) for
# FAULT seconds then thawed, later killed for FAULT seconds and started again (empty, in memory).
# Prints latency and status per phase and the time to recover. Needs: rbldnsd, python3, node_modules (npm ci), .NET SDK.
# Usage: benchmarks/faults/run.sh [fault-seconds]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
fault="${1:-30}"
settle=15
work="$(mktemp -d)"
. benchmarks/production-settings.sh
chmod 755 "$work"
pids=()
azurite_pid=""
cleanup() {
  [ -n "$azurite_pid" ] && kill -CONT "$azurite_pid" 2>/dev/null || true
  for pid in "${pids[@]}" $azurite_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }
now() { date +%s.%N; }

dotnet build functions/BlocklistApi.Host -c Release -v quiet -nologo >/dev/null

blob=$(free_port); queue=$(free_port); table=$(free_port); dns=$(free_port); api=$(free_port)
start_azurite() {
  node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --skipApiVersionCheck --silent \
    --blobPort "$blob" --queuePort "$queue" --tablePort "$table" >/dev/null 2>&1 &
  azurite_pid=$!
  wait_port "$table"; wait_port "$queue"
}
start_azurite

cp benchmarks/reputation/zones.txt "$work/zones.txt"; chmod 644 "$work/zones.txt"
zones=(one.bench.test two.bench.test three.bench.test four.bench.test)
rbldnsd -n -b "127.0.0.1/$dns" -r "$work" -t 300 \
  "${zones[0]}:ip4set:zones.txt" "${zones[1]}:ip4set:zones.txt" "${zones[2]}:ip4set:zones.txt" "${zones[3]}:ip4set:zones.txt" >/dev/null 2>&1 &
pids+=($!)

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
export Storage__Provider=azure
export Auth__FunctionKeys__0=bench-key Auth__AdminKeys__0=bench-admin Dns__Servers__0="127.0.0.1:$dns" Logging__LogLevel__Default=Warning
for i in 0 1 2 3; do export "Dnsbl__Zones__${i}__Zone=${zones[$i]}"; done
dotnet functions/BlocklistApi.Host/bin/Release/net10.0/BlocklistApi.Host.dll --urls "http://127.0.0.1:$api" >"$work/host.log" 2>&1 &
host_pid=$!
pids+=($host_pid)
wait_port "$api"
base="http://127.0.0.1:$api"
curl -sf -X PUT -H 'x-functions-key: bench-admin' -H 'content-type: application/json' -d '{"reason":"benchmark"}' \
  "$base/v1/lists/block/entries/172.16.0.0/12" >/dev/null

total=$(( settle + fault + settle + fault + settle ))
python3 benchmarks/faults/probe.py "$base" bench-key "$total" "$work/answers.tsv" &
probe=$!
events="$work/events.tsv"; : >"$events"
sleep "$settle"
printf '%s\tfreeze\n' "$(now)" >>"$events"; kill -STOP "$azurite_pid"
sleep "$fault"
printf '%s\tthaw\n' "$(now)" >>"$events"; kill -CONT "$azurite_pid"
sleep "$settle"
printf '%s\tkill\n' "$(now)" >>"$events"; kill -9 "$azurite_pid"; wait "$azurite_pid" 2>/dev/null || true
sleep "$fault"
printf '%s\trestart\n' "$(now)" >>"$events"; start_azurite
wait "$probe"

echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 benchmarks/faults/summary.py "$work/answers.tsv" "$events"
if kill -0 "$host_pid" 2>/dev/null; then echo "the self-host ran through every fault"; else echo "THE SELF-HOST EXITED"; tail -30 "$work/host.log"; exit 1; fi
grep -c "crit\|fail:" "$work/host.log" | sed 's/^/host log lines at crit or fail level: /' || true
