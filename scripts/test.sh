#!/usr/bin/env bash
# Runs every test. Installs the npm tools from package-lock.json (npm ci) when needed, checks the OpenAPI document
# with independent tools (swagger-parser, Redocly CLI, Spectral, openapi-typescript + tsc), then builds and runs the
# unit and integration tests; the integration tests start Azurite, rbldnsd and in-process DNS servers themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

npm run --silent openapi:check

dotnet test BlocklistApi.sln -c Release "$@"
