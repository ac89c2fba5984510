#!/usr/bin/env bash
# Greylisting benchmark: the self-host (Release) on Azurite vs postgrey (Debian), same workload, same load tool.
# Usage: bash benchmarks/greylist/run.sh [DURATION_SECONDS]   (default 20 per concurrency level)
# Prints markdown table rows; see README.md next to this script. Everything it starts runs on 127.0.0.1 and is
# stopped (by process group id) when it exits.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-20}"
delay=2
key="bench-function-key"
work="$(mktemp -d /tmp/greylist-bench.XXXXXX)"
chmod 0755 "$work" # postgrey drops to its own user and must reach its dbdir
pgids=()

cleanup() {
  for g in "${pgids[@]}"; do kill -- "-$g" 2>/dev/null || true; done
  # Azurite busy writing its --debug log can ignore SIGTERM for a while: give everything 5 s, then SIGKILL.
  for _ in $(seq 1 50); do
    alive=0; for g in "${pgids[@]}"; do kill -0 -- "-$g" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 0.1
  done
  for g in "${pgids[@]}"; do kill -9 -- "-$g" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "nothing listens on $1" >&2; return 1; }
# Starts a command in its own process group and remembers the group, so cleanup ends exactly what we started.
start() { setsid "$@" & pgids+=("$!"); }

[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund
command -v postgrey >/dev/null || { echo "postgrey is not installed: apt-get install postgrey" >&2; exit 1; }
dotnet build functions/BlocklistApi.Host -c Release -v q -nologo >/dev/null
dotnet build benchmarks/greylist/GreylistLoad -c Release -v q -nologo >/dev/null
load="dotnet benchmarks/greylist/GreylistLoad/bin/Release/net10.0/GreylistLoad.dll"

start_azurite() { # $1 = table port, $2 = extra args; sets $connection (no $(...): a subshell would lose the pgid)
  local blob queue; blob=$(free_port); queue=$(free_port)
  start node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --silent --skipApiVersionCheck --disableProductStyleUrl \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" --tableHost 127.0.0.1 --tablePort "$1" ${2:-} >"$work/azurite-$1.log" 2>&1
  wait_port "$1"
  connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$1/devstoreaccount1;"
}

start_host() { # $1 = port, $2 = connection string, $3 = Greylist__KnownTripletCacheTtl (default 00:01:00)
  AzureWebJobsStorage="$2" Auth__FunctionKeys__0="$key" Greylist__Delay="00:00:0$delay" Logging__LogLevel__Default=Warning \
    Greylist__KnownTripletCacheTtl="${3:-00:01:00}" \
    start dotnet run --project functions/BlocklistApi.Host -c Release --no-build -- --urls "http://127.0.0.1:$1" >"$work/host-$1.log" 2>&1
  wait_port "$1"
}

header='| target | scenario | clients | checks | checks/s | p50 ms | p99 ms | accept/defer/error |'
echo "## Latency and throughput (realistic mix: 90 % known triplets, 10 % new), ${duration} s per level"
echo "$header"; echo '|---|---|---|---|---|---|---|---|'

table_port=$(free_port)
start_azurite "$table_port"
host_port=$(free_port)
start_host "$host_port" "$connection"
$load --target "http://127.0.0.1:$host_port" --key "$key" --label self-host+azurite --concurrency 1,4,16 --duration "$duration" --delay "$delay"
# The same without the in-memory cache of known triplets: every check reads Table Storage.
nocache_port=$(free_port)
start_host "$nocache_port" "$connection" 00:00:00
$load --target "http://127.0.0.1:$nocache_port" --key "$key" --label "self-host+azurite, no known-triplet cache" --concurrency 1,4,16 --duration "$duration" --delay "$delay"

mkdir -m 0755 "$work/postgrey" && chown postgrey:postgrey "$work/postgrey"
policy_port=$(free_port)
# --quiet: no per-request log lines (the self-host does not log per check either); no whitelists.
start postgrey --inet="127.0.0.1:$policy_port" --dbdir="$work/postgrey" --delay="$delay" --quiet \
  --whitelist-clients=/dev/null --whitelist-recipients=/dev/null >"$work/postgrey.log" 2>&1
wait_port "$policy_port"
$load --target "policy://127.0.0.1:$policy_port" --label postgrey --concurrency 1,4,16 --duration "$duration" --delay "$delay"

echo
echo "## Table Storage operations per check (Azurite --debug log; its logging slows Azurite, so no latency here)"
echo '| target | scenario | clients | checks | checks/s | p50 ms | p99 ms | accept/defer/error | reads/check | writes/check |'
echo '|---|---|---|---|---|---|---|---|---|---|'
debug_port=$(free_port)
start_azurite "$debug_port" "--debug $work/azurite-debug.log"
# Per-check storage cost of the design: known-triplet memory cache off. Then the mix with the defaults.
debug_host=$(free_port)
start_host "$debug_host" "$connection" 00:00:00
for scenario in known new pass mix; do
  $load --target "http://127.0.0.1:$debug_host" --key "$key" --label "self-host, no known-triplet cache" --scenario "$scenario" --concurrency 4 --count 2000 --known 2000 \
    --delay "$delay" --azurite-log "$work/azurite-debug.log"
done
debug_default=$(free_port)
start_host "$debug_default" "$connection"
$load --target "http://127.0.0.1:$debug_default" --key "$key" --label "self-host, defaults" --scenario mix --concurrency 4 --count 4000 --known 2000 \
  --delay "$delay" --azurite-log "$work/azurite-debug.log"
