#!/usr/bin/env bash
# Checks a running service's HTTP contract with tools nobody here wrote:
#   1. Redocly CLI lints the live OpenAPI document (recommended rules, redocly.yaml): 0 errors;
#   2. openapi-typescript generates TypeScript types from it, which compile with tsc --strict;
#   3. a client built on them (openapi-fetch) calls the service and checks its answers and problem documents;
#   4. for the selector, a request missing a required field must fail to compile.
# Usage: check.sh selector|learner BASE_URL [KNOWN_SCOPE]     Needs Node.js 20 and npm (npm ci runs when needed).
set -euo pipefail
if [[ "${1:-}" == "--help" || $# -lt 2 ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  [[ "${1:-}" == "--help" ]] && exit 0 || exit 2
fi
service=$1 base=$2 scope=${3:-}
cd "$(dirname "$0")"
[[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
mkdir -p generated
echo "== $service: lint $base/q/openapi"
curl -sSf "$base/q/openapi?format=json" -o "generated/$service.openapi.json"
npx redocly lint --config redocly.yaml --format stylish "generated/$service.openapi.json"
echo "== $service: generate and compile (tsc --strict)"
# Members with a default stay optional (the tool would make them required by default).
npx openapi-typescript "generated/$service.openapi.json" -o "generated/$service.ts" --silent --default-non-nullable false
npx tsc -p "tsconfig.$service.json"
if [[ $service == selector ]]; then
  echo "== selector: a request missing a required field must not compile"
  if out=$(npx tsc -p tsconfig.negative.json 2>&1); then
    echo "negative/selector-missing-slot.ts compiled, but slot is required" >&2
    exit 1
  fi
  grep -q "Property 'slot' is missing" <<< "$out" || { echo "the compile error does not name slot: $out" >&2; exit 1; }
  echo "refused as expected: $(grep -m1 'error TS' <<< "$out")"
fi
echo "== $service: call $base"
node "dist/src/$service.js" "$base" ${scope:+"$scope"}
