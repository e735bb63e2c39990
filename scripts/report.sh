#!/usr/bin/env bash
# The evaluation report: fetch MovieLens-100K (once), train every model, evaluate on a temporal split,
# print the report and sample recommendations. Extra arguments go to the `movielens` example.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/fetch-movielens.sh
exec cargo run --release --locked -p recsys-examples --bin movielens -- "$@"
