#!/usr/bin/env python3
"""Writes the golden all-MiniLM-L6-v2 vectors the Rust text embeddings are checked against
(recsys-core/tests/fixtures/embeddings/minilm-golden.json, test `text_embeddings`).

The vectors are sentence-transformers' own: run this in a throw-away virtual environment

    python3 -m venv /tmp/st && /tmp/st/bin/pip install sentence-transformers
    scripts/fetch-minilm.sh   # the model as a Hub cache (prints its directory)
    HF_HUB_OFFLINE=1 HF_HOME=<parent of that directory> /tmp/st/bin/python scripts/minilm-golden.py

(with `HF_HOME` such that `$HF_HOME/hub` is the cache fetch-minilm.sh made; its default
location is data/hf-hub, so HF_HOME is a folder holding a `hub` link to it). pip brings
PyPI's torch (a CUDA build, about 3 GB with its libraries; it runs on the CPU here). The
committed file was written with sentence-transformers 6.3.0 and torch 2.15.0. The tests need
only the Rust side and this file.
"""

import json
import os
import sys

from sentence_transformers import SentenceTransformer

TEXTS = [
    "This is an example sentence",
    "Fargo (1996). Crime, Drama, Thriller.",
    "Toy Story (1995). Animation, Children's, Comedy.",
    "Star Wars (1977). Action, Adventure, Romance, Sci-Fi, War.",
    "Seventh Seal, The (Sjunde inseglet, Det) (1957). Drama.",
    "Amélie (2001). Comedy, Romance. Tags: whimsical, Paris. With Audrey Tautou. Directed by "
    "Jean-Pierre Jeunet.",
    "feel-good sci-fi from the 90s",
    "A" * 3,
    # Longer than the model's 256-token window: sentence-transformers truncates.
    " ".join(["A dark and stormy night on the moors, where nobody sleeps."] * 40),
]


def main() -> None:
    out = os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "..",
        "recsys-core",
        "tests",
        "fixtures",
        "embeddings",
        "minilm-golden.json",
    )
    model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2", device="cpu")
    vectors = model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    import sentence_transformers
    import torch

    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(
            {
                "model": "sentence-transformers/all-MiniLM-L6-v2",
                "generator": f"scripts/minilm-golden.py, sentence-transformers "
                f"{sentence_transformers.__version__}, torch {torch.__version__}",
                "max_seq_length": model.max_seq_length,
                "texts": TEXTS,
                "vectors": [[round(float(v), 8) for v in row] for row in vectors],
            },
            f,
            indent=None,
        )
        f.write("\n")
    print(f"wrote {out}: {len(TEXTS)} vectors of {vectors.shape[1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
