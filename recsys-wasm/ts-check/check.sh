#!/usr/bin/env bash
# `tsc --strict` over usage.ts against the generated package (run recsys-wasm/build.sh first).
# Installs TypeScript (pinned in package.json) into ts-check/node_modules (git-ignored) once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
[ -f ../pkg/recsys_wasm.d.ts ] || {
    echo "check.sh: no ../pkg/recsys_wasm.d.ts: run recsys-wasm/build.sh first" >&2
    exit 1
}
if [ ! -x node_modules/.bin/tsc ]; then
    printf '+ npm install --no-audit --no-fund\n'
    npm install --no-audit --no-fund --silent
fi
printf '+ tsc -p tsconfig.json\n'
node_modules/.bin/tsc -p tsconfig.json
node_modules/.bin/tsc --version
