#!/usr/bin/env bash
# Builds the browser package of recsys into recsys-wasm/pkg/ (git-ignored):
#   recsys_wasm.js (ES module, `--target web`), recsys_wasm_bg.wasm, recsys_wasm.d.ts,
#   recsys_worker.js + .d.ts + recsys_worker_main.js (the Web Worker wrapper, from js/),
#   package.json
# and prints the .wasm size, raw and gzipped.
#
# Usage: recsys-wasm/build.sh
# Installs what is missing: the wasm32-unknown-unknown target (rustup) and wasm-bindgen-cli at
# exactly the version of the `wasm-bindgen` crate pinned in recsys-wasm/Cargo.toml (≈ 140 s
# once). Builds with the `wasm-release` profile of the workspace Cargo.toml (opt-level "s",
# LTO, one codegen unit), which leaves the native release builds alone.
# Environment: CARGO (default: cargo), WASM_OPT=1 to also run binaryen's wasm-opt -Os when
# it is installed (off by default: the sizes printed are then those of the rustc output).
# Use a recent binaryen: Debian 12's version 108 shrinks the module to 808 KB (292 KB gzipped)
# but breaks its externref table (`WebAssembly.Table.set(): Argument 1 is invalid` at init).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
cargo_bin="${CARGO:-cargo}"
crate_dir="recsys-wasm"
out_dir="$crate_dir/pkg"
target=wasm32-unknown-unknown
profile=wasm-release

run() {
    printf '+ %s\n' "$*"
    "$@"
}

# The version pinned with `=` in the crate's manifest: the CLI must match it exactly.
bindgen_version="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$crate_dir/Cargo.toml")"
[ -n "$bindgen_version" ] || {
    echo "build.sh: no 'wasm-bindgen = \"=X.Y.Z\"' pin in $crate_dir/Cargo.toml" >&2
    exit 1
}

if command -v rustup >/dev/null 2>&1 &&
    ! rustup target list --installed | grep -qx "$target"; then
    run rustup target add "$target"
fi
installed="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$installed" != "$bindgen_version" ]; then
    echo "wasm-bindgen-cli ${installed:-missing}, the crate needs $bindgen_version: installing"
    # Without --locked: the CLI's lockfile pins a crate the registry no longer has.
    run "$cargo_bin" install wasm-bindgen-cli --version "$bindgen_version"
fi

run "$cargo_bin" build --locked --profile "$profile" --target "$target" -p recsys-wasm
wasm="target/$target/$profile/recsys_wasm.wasm"
rm -rf "$out_dir"
run wasm-bindgen --target web --out-dir "$out_dir" "$wasm"
if [ "${WASM_OPT:-0}" = 1 ] && command -v wasm-opt >/dev/null 2>&1; then
    run wasm-opt -Os --all-features -o "$out_dir/recsys_wasm_bg.wasm" "$out_dir/recsys_wasm_bg.wasm"
fi

# The Web Worker wrapper (hand-written JS and its declarations) beside the generated glue.
cp "$crate_dir"/js/recsys_worker.js "$crate_dir"/js/recsys_worker.d.ts \
    "$crate_dir"/js/recsys_worker_main.js "$out_dir/"

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
cat >"$out_dir/package.json" <<JSON
{
  "name": "recsys-wasm",
  "version": "$version",
  "description": "recsys in the browser: recommendations with reasons for a visitor's history",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "recsys_wasm.js",
  "module": "recsys_wasm.js",
  "types": "recsys_wasm.d.ts",
  "files": ["recsys_wasm.js", "recsys_wasm.d.ts", "recsys_wasm_bg.wasm", "recsys_wasm_bg.wasm.d.ts",
            "recsys_worker.js", "recsys_worker.d.ts", "recsys_worker_main.js"],
  "sideEffects": false
}
JSON

bytes="$(wc -c <"$out_dir/recsys_wasm_bg.wasm")"
gzipped="$(gzip -9 -c "$out_dir/recsys_wasm_bg.wasm" | wc -c)"
printf 'recsys_wasm_bg.wasm: %d bytes (%d KiB), gzip -9: %d bytes (%d KiB)\n' \
    "$bytes" $((bytes / 1024)) "$gzipped" $((gzipped / 1024))
echo "package in $out_dir/"
