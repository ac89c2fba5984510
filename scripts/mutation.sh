#!/usr/bin/env bash
# Mutation testing of the pure rules with Stryker.NET (the local tool pinned in .config/dotnet-tools.json).
# One Stryker run per file, from the unit test project, then one markdown table of the scores. Not part of CI: each
# run takes 1-5 minutes on two cores.
#
#   scripts/mutation.sh                                  every file in FILES below
#   scripts/mutation.sh Net/IpAddressParser.cs ...       only these (paths under functions/BlocklistApi/)
#
# Reports are kept in artifacts/mutation/<file>/reports/ (mutation-report.json and .html: open the HTML one to see
# each survivor). "killed" counts Stryker's timeouts too (a mutant that hangs the tests is detected); compile errors
# and ignored mutants are not scored. score = killed / (killed + survived + no coverage).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

FILES=(
  Net/IpAddressParser.cs
  Net/IpNetwork.cs
  Dns/DnsNames.cs
  Net/EndpointParser.cs
  Net/MailAddresses.cs
  Spf/SpfMacro.cs
  Spf/SpfRecord.cs
  Greylist/GreylistAddresses.cs
  Greylist/GreylistRules.cs
  Reputation/ZoneCodeCatalog.cs
  Reputation/DnsblAnswers.cs
)
if [ "$#" -gt 0 ]; then
  FILES=("$@")
fi

for file in "${FILES[@]}"; do
  if [ ! -f "functions/BlocklistApi/$file" ]; then
    echo "functions/BlocklistApi/$file does not exist" >&2
    exit 2
  fi
done

dotnet tool restore >/dev/null

out_root="$root/artifacts/mutation"
mkdir -p "$out_root"
reports=()
for file in "${FILES[@]}"; do
  out="$out_root/${file//\//_}"
  rm -rf "$out"
  echo "== Stryker: $file" >&2
  # From the test project's folder: at the repository root Stryker would find the .sln and run in solution mode.
  (
    cd tests/BlocklistApi.Tests
    dotnet stryker \
      --project BlocklistApi.csproj \
      --test-project BlocklistApi.Tests.csproj \
      --configuration Release \
      --concurrency 2 \
      --mutate "**/$file" \
      --reporter Json --reporter Html --reporter Progress \
      --output "$out" \
      --skip-version-check
  ) >"$out.log" 2>&1 || { echo "Stryker failed for $file; see $out.log" >&2; tail -n 30 "$out.log" >&2; exit 1; }
  report="$out/reports/mutation-report.json"
  if [ ! -f "$report" ]; then
    echo "Stryker wrote no JSON report for $file; see $out.log" >&2
    exit 1
  fi
  reports+=("$file=$report")
done

python3 - "${reports[@]}" <<'PY'
import json
import sys

print("| file | mutants scored | killed | survived | no coverage | score |")
print("|---|---|---|---|---|---|")
for arg in sys.argv[1:]:
    name, path = arg.split("=", 1)
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    counts = {}
    for source in report["files"].values():
        for mutant in source["mutants"]:
            counts[mutant["status"]] = counts.get(mutant["status"], 0) + 1
    killed = counts.get("Killed", 0) + counts.get("Timeout", 0)
    survived = counts.get("Survived", 0)
    no_coverage = counts.get("NoCoverage", 0)
    scored = killed + survived + no_coverage
    score = f"{100 * killed / scored:.1f} %" if scored else "n/a"
    print(f"| {name} | {scored} | {killed} | {survived} | {no_coverage} | {score} |")
PY
