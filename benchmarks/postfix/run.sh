#!/usr/bin/env bash
# Postfix glue benchmark: the policy service in front of the self-host (Release, on its default SQLite store, a fresh
# file per run) beside postgrey, and the
# self-host's DNS zone beside rbldnsd serving the same list, in one run.
# Usage: bash benchmarks/postfix/run.sh [DURATION_SECONDS]   (default 15 per concurrency level)
# Prints markdown table rows; see README.md next to this script. Everything it starts listens on 127.0.0.1 and is
# stopped (by process group id) when it exits.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-15}"
delay=2
key="bench-function-key"
admin="bench-admin-key"
work="$(mktemp -d /tmp/postfix-bench.XXXXXX)"
chmod 0755 "$work" # postgrey and rbldnsd drop to their own users and must reach their files
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

command -v postgrey >/dev/null || { echo "postgrey is not installed: apt-get install postgrey" >&2; exit 1; }
command -v rbldnsd >/dev/null || { echo "rbldnsd is not installed: apt-get install rbldnsd" >&2; exit 1; }
dotnet build functions/BlocklistApi.Host -c Release -v q -nologo >/dev/null
dotnet build functions/BlocklistApi.PostfixPolicy -c Release -v q -nologo >/dev/null
dotnet build benchmarks/greylist/GreylistLoad -c Release -v q -nologo >/dev/null
dotnet build benchmarks/postfix/DnsLoad -c Release -v q -nologo >/dev/null
greyload="dotnet benchmarks/greylist/GreylistLoad/bin/Release/net10.0/GreylistLoad.dll"
dnsload="dotnet benchmarks/postfix/DnsLoad/bin/Release/net10.0/DnsLoad.dll"

# The self-host as the README starts it (SQLite, its default store, in a fresh file), with its DNS zone on.
api_port=$(free_port); zone_port=$(free_port)
Storage__Provider=sqlite Storage__Sqlite__Path="$work/blocklist.db" Auth__FunctionKeys__0="$key" Auth__AdminKeys__0="$admin" Greylist__Delay="00:00:0$delay" \
  Logging__LogLevel__Default=Warning PublicPage__Url=https://blocklist.example/why \
  DnsZone__Listen="127.0.0.1:$zone_port" DnsZone__Name=bl.bench \
  start dotnet run --project functions/BlocklistApi.Host -c Release --no-build -- --urls "http://127.0.0.1:$api_port" >"$work/host.log" 2>&1
wait_port "$api_port"

# The policy service as the README starts it.
policy_port=$(free_port)
started=$(date +%s.%N)
Policy__Listen="127.0.0.1:$policy_port" Policy__ApiBaseUrl="http://127.0.0.1:$api_port" Policy__ApiKey="$key" Logging__LogLevel__Default=Warning \
  start dotnet functions/BlocklistApi.PostfixPolicy/bin/Release/net10.0/BlocklistApi.PostfixPolicy.dll >"$work/policy.log" 2>&1
for _ in $(seq 1 500); do (exec 3<>"/dev/tcp/127.0.0.1/$policy_port") 2>/dev/null && break; sleep 0.01; done
echo "Policy service listening $(python3 -c "print(round($(date +%s.%N) - $started, 2))") s after start"

mkdir -m 0755 "$work/postgrey" && chown postgrey:postgrey "$work/postgrey"
postgrey_port=$(free_port)
start postgrey --inet="127.0.0.1:$postgrey_port" --dbdir="$work/postgrey" --delay="$delay" --quiet \
  --whitelist-clients=/dev/null --whitelist-recipients=/dev/null >"$work/postgrey.log" 2>&1
wait_port "$postgrey_port"

echo
echo "## Policy requests, ${duration} s per level (mix: 90 % known triplets, 10 % new; new: every request a new triplet and client)"
echo '| target | scenario | connections | requests | requests/s | p50 ms | p99 ms | accept/defer/error |'
echo '|---|---|---|---|---|---|---|---|'
for scenario in mix new; do
  $greyload --target "policy://127.0.0.1:$policy_port" --label "policy service + self-host (SQLite)" --scenario "$scenario" --concurrency 1,4,16 --duration "$duration" --delay "$delay"
  $greyload --target "policy://127.0.0.1:$postgrey_port" --label "postgrey 1.37" --scenario "$scenario" --concurrency 1,4,16 --duration "$duration" --delay "$delay"
  $greyload --target "http://127.0.0.1:$api_port" --key "$key" --label "self-host HTTP directly (no policy service)" --scenario "$scenario" --concurrency 1,4,16 --duration "$duration" --delay "$delay"
done

# The same block list in our zone and in rbldnsd (from the export route).
$dnsload seed --api "http://127.0.0.1:$api_port" --key "$admin"
sleep 2 # Lists:RefreshInterval (1 s): the zone sees the entries
curl -sf -H "x-functions-key: $admin" "http://127.0.0.1:$api_port/v1/lists/block/export?format=rbldnsd" >"$work/block.txt"
chmod 0644 "$work/block.txt"
rbl_port=$(free_port)
start rbldnsd -n -q -b "127.0.0.1/$rbl_port" -r "$work" -t 300 bl.bench:combined:block.txt >"$work/rbldnsd.log" 2>&1
sleep 1

echo
echo "## DNS queries, ${duration} s per level (1100 entries; each worker one query outstanding over UDP)"
echo '| server | queries | workers | answered | queries/s | p50 ms | p99 ms | listed/nxdomain/error |'
echo '|---|---|---|---|---|---|---|---|'
for listed in 0.1 0.9; do
  $dnsload query --server "127.0.0.1:$zone_port" --zone bl.bench --label "our zone (self-host)" --listed "$listed" --concurrency 1,4,16 --duration "$duration"
  $dnsload query --server "127.0.0.1:$rbl_port" --zone bl.bench --label "rbldnsd (export)" --listed "$listed" --concurrency 1,4,16 --duration "$duration"
done
