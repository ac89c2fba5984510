#!/usr/bin/env bash
# Starts the API locally: the self-host on http://127.0.0.1:${PORT:-7071}, Ctrl+C stops it. Settings come from the
# environment (see README.md). By default state is in a SQLite file (Storage__Sqlite__Path, default data/blocklist.db
# next to the self-host's binary) and only the .NET SDK is needed. With Storage__Provider=azure it also starts Azurite
# (Table/Queue storage, data kept in .azurite/; Node.js needed) unless a storage emulator already listens.
set -euo pipefail
cd "$(dirname "$0")/.."

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pids=()
stop() {
  # The host first (dotnet run and the app it started), then Azurite; whatever has not exited after 5 s is killed
  # (Azurite sometimes says it closed and keeps running).
  for pid in "${pids[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return
    sleep 0.1
  done
  for pid in "${pids[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 130' INT TERM

provider="${Storage__Provider:-sqlite}"
if [ "${provider,,}" = "azure" ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  if port_open 10001 && port_open 10002; then
    echo "Azurite (or another storage emulator) is already listening on 10001/10002; using it."
  else
    mkdir -p .azurite
    node_modules/.bin/azurite --silent --skipApiVersionCheck --location .azurite \
      --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
    pids+=($!)
    for _ in $(seq 1 100); do port_open 10002 && port_open 10001 && break; sleep 0.1; done
  fi
  export AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}"
fi

export Auth__FunctionKeys__0="${Auth__FunctionKeys__0:-dev-function-key}"
export Auth__AdminKeys__0="${Auth__AdminKeys__0:-dev-admin-key}"
# Whitelist mail: links point at this host; every message is written to data/mail/ (Email__Transport pickup).
export PublicPage__Url="${PublicPage__Url:-http://127.0.0.1:${PORT:-7071}/}"
export Notifications__AdminEmails__0="${Notifications__AdminEmails__0:-postmaster@localhost}"
export Email__PickupDirectory="${Email__PickupDirectory:-$PWD/data/mail}"

dotnet run --project functions/BlocklistApi.Host -c Release -- --urls "http://127.0.0.1:${PORT:-7071}" &
pids=("$!" "${pids[@]}")
wait "${pids[0]}"
