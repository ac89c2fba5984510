#!/usr/bin/env bash
# Starts the API locally: Azurite (Table/Queue storage, data kept in .azurite/) and the self-host on
# http://127.0.0.1:${PORT:-7071}. Ctrl+C stops both. Settings come from the environment (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if port_open 10001 && port_open 10002; then
  echo "Azurite (or another storage emulator) is already listening on 10001/10002; using it."
else
  mkdir -p .azurite
  node_modules/.bin/azurite --silent --skipApiVersionCheck --location .azurite \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
  azurite_pid=$!
  trap 'kill "$azurite_pid" 2>/dev/null || true' EXIT INT TERM
  for _ in $(seq 1 100); do port_open 10002 && port_open 10001 && break; sleep 0.1; done
fi

export AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}"
export Auth__FunctionKeys__0="${Auth__FunctionKeys__0:-dev-function-key}"
export Auth__AdminKeys__0="${Auth__AdminKeys__0:-dev-admin-key}"

dotnet run --project functions/BlocklistApi.Host -c Release -- --urls "http://127.0.0.1:${PORT:-7071}"
