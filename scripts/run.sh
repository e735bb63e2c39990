#!/usr/bin/env bash
# The main job: the movie web app. Fetches MovieLens-100K (once), builds the server, and runs
# it: the first start imports ML-100K into SQLite (movies, genres, cast and crew, the 943 users
# as inactive accounts with their ratings) and trains the recommender; later starts load the
# last model. Serves on 127.0.0.1:8000 (RECSYS_ADDR) with data in var/server (RECSYS_DATA_DIR).
# The evaluation report is scripts/report.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/fetch-movielens.sh
cargo build --release --locked -p recsys-server-example --bin recsys-server
# The browser package for the anonymous visitors' in-browser For You (hidden without it).
# Built every time (incremental, seconds when up to date): a package older than the core
# could not read the model file the server writes.
bash recsys-wasm/build.sh || echo "run.sh: recsys-wasm/build.sh failed: the in-browser For You stays hidden"
export RECSYS_WASM_DIR="${RECSYS_WASM_DIR:-recsys-wasm/pkg}"
export RECSYS_ADDR="${RECSYS_ADDR:-127.0.0.1:8000}"
export RECSYS_DATA_DIR="${RECSYS_DATA_DIR:-var/server}"
export RECSYS_DEMO_ACCOUNT="${RECSYS_DEMO_ACCOUNT:-1}"
echo "run.sh: the first start imports MovieLens-100K and trains (about a minute); then open:"
echo "  http://$RECSYS_ADDR/    demo login: demo / demo-password (staff)"
exec target/release/recsys-server "$@"
