#!/usr/bin/env bash
# Serves the demo on http://127.0.0.1:${PORT:-8765}/demo/ (Ctrl-C stops it).
# Builds what is missing first: the package (recsys-wasm/build.sh), MovieLens-100K
# (scripts/fetch-movielens.sh) and its web artifact (examples' build-artifact --web: int8
# factors, pruned neighbours; 981,055 bytes gzipped), written to recsys-wasm/demo/ml-100k.recsys
# (git-ignored). REBUILD=1 rebuilds the package and artifact.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
demo=recsys-wasm/demo
if [ "${REBUILD:-0}" = 1 ] || [ ! -f recsys-wasm/pkg/recsys_wasm_bg.wasm ]; then
    bash recsys-wasm/build.sh
fi
if [ "${REBUILD:-0}" = 1 ] || [ ! -f "$demo/ml-100k.recsys" ]; then
    bash scripts/fetch-movielens.sh
    cargo run --release --locked -p recsys-examples --bin build-artifact -- \
        --data data/ml-100k --web --out "$demo/ml-100k.recsys"
fi
port="${PORT:-8765}"
echo "recsys demo on http://127.0.0.1:$port/demo/"
exec python3 -m http.server --bind 127.0.0.1 --directory recsys-wasm "$port"
