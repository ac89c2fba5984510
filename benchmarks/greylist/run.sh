#!/usr/bin/env bash
# Greylisting benchmark: the self-host (Release) on SQLite and on Azurite vs postgrey (Debian), same workloads, same
# load tool, one run. Usage: bash benchmarks/greylist/run.sh [DURATION_SECONDS]   (default 20 per level of mix a)
# Prints markdown tables; see README.md next to this script. Everything it starts runs on 127.0.0.1 and is stopped
# (by process group id) when it exits.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-20}"
delay=2
key="bench-function-key"
work="$(mktemp -d /tmp/greylist-bench.XXXXXX)"
. benchmarks/production-settings.sh
chmod 0755 "$work" # postgrey drops to its own user and must reach its dbdir
pgids=()

cleanup() {
  for g in "${pgids[@]}"; do kill -- "-$g" 2>/dev/null || true; done
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
host_dll="functions/BlocklistApi.Host/bin/Release/net10.0/BlocklistApi.Host.dll"

start_azurite() { # $1 = table port; sets $connection (no $(...): a subshell would lose the pgid)
  local blob queue; blob=$(free_port); queue=$(free_port)
  start node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --silent --skipApiVersionCheck --disableProductStyleUrl \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" --tableHost 127.0.0.1 --tablePort "$1" >"$work/azurite-$1.log" 2>&1
  wait_port "$1"
  connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$1/devstoreaccount1;"
}

# $1 = port, $2 = provider (sqlite|azure), $3 = Greylist__KnownTripletCacheTtl (default 00:01:00). The built self-host,
# all greylisting settings at their defaults but the delay; SQLite in a file of its own under $work.
start_host() {
  Storage__Provider="$2" Storage__Sqlite__Path="$work/blocklist-$1.db" AzureWebJobsStorage="$connection" \
    Auth__FunctionKeys__0="$key" Greylist__Delay="00:00:0$delay" Logging__LogLevel__Default=Warning \
    Greylist__KnownTripletCacheTtl="${3:-00:01:00}" \
    start dotnet "$host_dll" --urls "http://127.0.0.1:$1" >"$work/host-$1.log" 2>&1
  wait_port "$1"
}

table_port=$(free_port); start_azurite "$table_port"
sqlite_port=$(free_port); start_host "$sqlite_port" sqlite
azure_port=$(free_port); start_host "$azure_port" azure
mkdir -m 0755 "$work/postgrey" && chown postgrey:postgrey "$work/postgrey"
policy_port=$(free_port)
# --quiet: no per-request log lines (the self-host does not log per check either); no whitelists.
start postgrey --inet="127.0.0.1:$policy_port" --dbdir="$work/postgrey" --delay="$delay" --quiet \
  --whitelist-clients=/dev/null --whitelist-recipients=/dev/null >"$work/postgrey.log" 2>&1
wait_port "$policy_port"

rows="$work/rows.md"
header='| target | mix | clients | checks | checks/s | p50 ms | p99 ms | accept/defer/error | reads/check | writes/check |'
run_mix() { # $1 = scenario (mix|heavy), then the load tool's options for it
  local scenario="$1"; shift
  $load --target "http://127.0.0.1:$sqlite_port" --key "$key" --label sqlite --scenario "$scenario" --concurrency 1,4,16 --delay "$delay" --ops-from-health true "$@" | tee -a "$rows"
  $load --target "http://127.0.0.1:$azure_port" --key "$key" --label azurite --scenario "$scenario" --concurrency 1,4,16 --delay "$delay" --ops-from-health true "$@" | tee -a "$rows"
  $load --target "policy://127.0.0.1:$policy_port" --label postgrey --scenario "$scenario" --concurrency 1,4,16 --delay "$delay" "$@" | sed 's/ |$/ | | |/' | tee -a "$rows"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## (a) 90 % known triplets, 10 % new, ${duration} s per level"
echo "$header"; echo '|---|---|---|---|---|---|---|---|---|---|'
run_mix mix --duration "$duration"
echo
echo "## (b) storage-heavy: 5,000 distinct new triplets in 20,000 checks, delay ${delay} s"
echo "$header"; echo '|---|---|---|---|---|---|---|---|---|---|'
run_mix heavy --distinct 5000 --count 20000
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "## checks/s as a ratio to postgrey's (same mix, same clients)"
echo '| mix | clients | sqlite | azurite |'
echo '|---|---|---|---|'
awk -F'|' '{ gsub(/ /, "", $2); gsub(/ /, "", $3); gsub(/ /, "", $4); gsub(/ /, "", $6); r[$3 "/" $4 "/" $2] = $6; k[$3 "/" $4] = 1 }
  END { for (m in k) { split(m, p, "/"); printf "| %s | %s | %.2f | %.2f |\n", p[1], p[2], r[m "/sqlite"] / r[m "/postgrey"], r[m "/azurite"] / r[m "/postgrey"] } }' "$rows" | sort -t'|' -k2,2r -k3,3n

echo
echo "## Storage operations per check, from each self-host's /healthz counts (known-triplet memory cache off: what the design costs)"
echo "$header"; echo '|---|---|---|---|---|---|---|---|---|---|'
# A fresh Azurite: the in-memory emulator slows down as its tables grow, and the runs above filled it.
table_port=$(free_port); start_azurite "$table_port"
for provider in sqlite azure; do
  port=$(free_port); start_host "$port" "$provider" 00:00:00
  for scenario in known new pass mix; do
    $load --target "http://127.0.0.1:$port" --key "$key" --label "$provider, no known-triplet cache" --scenario "$scenario" --concurrency 4 --count 2000 --known 2000 \
      --delay "$delay" --ops-from-health true
  done
done
