#!/usr/bin/env python3
"""Our recommender against the strongest simple peers, on both MovieLens-100K split kinds, in
one run.

    python3 scripts/compare_peers.py [--out target/splits] [--no-build] [--quick]

Needs numpy, scipy, pandas, implicit (0.7.3) and lightfm-next (e.g. a venv:
`python3 -m venv .venv && .venv/bin/pip install numpy scipy pandas implicit lightfm-next`).

1. `cargo run --release -p recsys-examples --bin splits` writes, from the repo's own split
   code, the temporal split (the protocol's) and the per-user random 80/20 split (seeded), each
   with a validation part carved from its training part, and our recommender's top-10 lists
   on the validation and test parts (trained on the matching training part).
2. Every peer is tuned on the validation part of each split kind (never on test), refitted on
   the training part and scored on test:
   - EASE (Steck 2019, a few lines of numpy): X binary or ratings, lambda on a grid;
   - implicit item-kNN (cosine, confidences = ratings): K on a grid;
   - implicit ALS (confidences = ratings, 15 iterations): factors and regularisation;
   - LightFM WARP with genre item features (lightfm-next): epochs and components.
3. One scorer (this file's `score`, the protocol's definitions: relevant = rating >= 4, users
   without a relevant item skipped, K = 10, training items excluded, coverage over the
   training catalogue) scores everyone's lists; the table gives each model's ratio to ours.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

REPO = Path(__file__).resolve().parent.parent
K = 10
THREADS = 2


# ---------------------------------------------------------------------------------------------
# Data and scoring


class Part:
    """One train/test pair with dense ids (ids are shared by every part of a split kind)."""

    def __init__(self, train: pd.DataFrame, test: pd.DataFrame, users, items):
        self.users, self.items = users, items
        self.train, self.test = train, test
        u = train.user_id.map(users).to_numpy()
        i = train.item_id.map(items).to_numpy()
        r = train.rating.to_numpy(dtype=np.float32)
        shape = (len(users), len(items))
        self.ratings = sp.csr_matrix((r, (u, i)), shape=shape)
        self.binary = sp.csr_matrix((np.ones_like(r), (u, i)), shape=shape)
        rel = test[test.rating >= 4]
        self.relevant: dict[int, set[int]] = {}
        for uu, ii in zip(rel.user_id.map(users), rel.item_id.map(items)):
            self.relevant.setdefault(int(uu), set()).add(int(ii))
        self.eval_users = np.array(sorted(self.relevant), dtype=np.int64)
        self.catalogue = np.asarray(self.binary.sum(axis=0)).ravel() > 0


def top_k(scores: np.ndarray, part: Part, users: np.ndarray) -> dict[int, list[int]]:
    """Top-K of dense scores (rows = `users`), training items and non-catalogue items removed."""
    scores = np.array(scores, dtype=np.float64, copy=True)
    seen = part.binary[users]
    scores[seen.nonzero()] = -np.inf
    scores[:, ~part.catalogue] = -np.inf
    idx = np.argpartition(-scores, K, axis=1)[:, :K]
    order = np.take_along_axis(scores, idx, axis=1).argsort(axis=1)[:, ::-1]
    top = np.take_along_axis(idx, order, axis=1)
    return {int(u): [int(i) for i in row] for u, row in zip(users, top)}


def score(lists: dict[int, list[int]], part: Part) -> dict[str, float]:
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    p = r = nd = ap = hr = 0.0
    covered: set[int] = set()
    for u in part.eval_users:
        rel = part.relevant[int(u)]
        recs = lists.get(int(u), [])[:K]
        covered.update(i for i in recs if part.catalogue[i])
        hits = [1.0 if i in rel else 0.0 for i in recs]
        n_hits = sum(hits)
        p += n_hits / K
        r += n_hits / len(rel)
        idcg = discounts[: min(len(rel), K)].sum()
        nd += sum(h * d for h, d in zip(hits, discounts)) / idcg
        running, s = 0.0, 0.0
        for rank, h in enumerate(hits, 1):
            if h:
                running += 1
                s += running / rank
        ap += s / min(len(rel), K)
        hr += 1.0 if n_hits else 0.0
    n = len(part.eval_users)
    return {
        "P": p / n,
        "R": r / n,
        "nDCG": nd / n,
        "MAP": ap / n,
        "HR": hr / n,
        "Cov": len(covered) / part.catalogue.sum(),
        "users": n,
    }


def read_lists(path: Path, part: Part) -> dict[int, list[int]]:
    recs = pd.read_csv(path, dtype={"user_id": str, "item_id": str}).sort_values(["user_id", "rank"])
    lists: dict[int, list[int]] = {}
    for u, i in zip(recs.user_id.map(part.users), recs.item_id.map(part.items)):
        lists.setdefault(int(u), []).append(int(i))
    return lists


# ---------------------------------------------------------------------------------------------
# Peers: each returns the top-K lists of the evaluated users of `part` for one setting.


def ease(part: Part, lam: float, values: str) -> dict[int, list[int]]:
    x = (part.binary if values == "binary" else part.ratings).astype(np.float64)
    g = (x.T @ x).toarray()
    g[np.diag_indices_from(g)] += lam
    p = np.linalg.inv(g)
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    users = part.eval_users
    return top_k(x[users] @ b, part, users)


def item_knn(part: Part, k: int) -> dict[int, list[int]]:
    from implicit.nearest_neighbours import CosineRecommender

    model = CosineRecommender(K=k, num_threads=THREADS)
    model.fit(part.ratings, show_progress=False)
    users = part.eval_users
    ids, _ = model.recommend(users, part.ratings[users], N=K, filter_already_liked_items=True)
    return {int(u): [int(i) for i in row if i >= 0] for u, row in zip(users, ids)}


def als(part: Part, factors: int, reg: float) -> dict[int, list[int]]:
    from implicit.cpu.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(
        factors=factors,
        regularization=reg,
        alpha=1.0,
        iterations=15,
        random_state=42,
        num_threads=THREADS,
    )
    model.fit(part.ratings, show_progress=False)
    users = part.eval_users
    scores = model.user_factors[users] @ model.item_factors.T
    return top_k(scores, part, users)


def lightfm(part: Part, genres: pd.DataFrame, epochs: int, components: int) -> dict[int, list[int]]:
    from lightfm import LightFM

    n_items = len(part.items)
    names = sorted({g for gs in genres.genres.fillna("") for g in gs.split("|") if g})
    column = {g: n_items + k for k, g in enumerate(names)}
    rows, cols = list(range(n_items)), list(range(n_items))
    for item_id, gs in zip(genres.item_id, genres.genres.fillna("")):
        if item_id in part.items:
            for g in (g for g in gs.split("|") if g):
                rows.append(part.items[item_id])
                cols.append(column[g])
    features = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_items, n_items + len(names)))
    # Row-normalised, as LightFM recommends for identity + metadata features.
    norms = np.asarray(features.sum(axis=1)).ravel()
    features = sp.diags(1.0 / norms) @ features
    model = LightFM(loss="warp", no_components=components, random_state=42)
    model.fit(part.binary.tocoo(), item_features=features.tocsr(), epochs=epochs, num_threads=THREADS)
    users = part.eval_users
    item_repr = model.get_item_representations(features.tocsr())
    user_repr = model.get_user_representations()
    scores = (user_repr[1][users] @ item_repr[1].T) + item_repr[0][None, :]
    return top_k(scores, part, users)


def peers(genres: pd.DataFrame, quick: bool):
    lams = [100, 200, 500, 1000] if quick else [50, 100, 200, 300, 500, 800, 1000, 2000, 4000, 6400, 10000]
    yield "EASE (numpy)", [
        ({"X": v, "lambda": lam}, lambda part, v=v, lam=lam: ease(part, lam, v))
        for v in ("binary", "ratings")
        for lam in lams
        if v == "binary" or lam >= 500
    ]
    yield "implicit item-kNN (cosine)", [
        ({"K": k}, lambda part, k=k: item_knn(part, k)) for k in ([100, 200] if quick else [50, 100, 200, 400, 800])
    ]
    yield "implicit ALS", [
        ({"factors": f, "reg": r}, lambda part, f=f, r=r: als(part, f, r))
        for f in ([64] if quick else [32, 64, 128])
        for r in ([0.05, 1.0] if quick else [0.01, 0.05, 0.5, 5.0, 20.0])
    ]
    yield "LightFM WARP + genres", [
        ({"epochs": e, "components": c}, lambda part, e=e, c=c: lightfm(part, genres, e, c))
        for e in ([10, 30] if quick else [5, 10, 20, 30, 50])
        for c in [64]
    ]


# ---------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(REPO / "target" / "splits"))
    ap.add_argument("--data", default=str(REPO / "data" / "ml-100k"))
    ap.add_argument("--no-build", action="store_true", help="use the splits already in --out")
    ap.add_argument("--quick", action="store_true", help="smaller peer grids")
    ap.add_argument("--kinds", default="temporal,random")
    args = ap.parse_args()
    out = Path(args.out)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(THREADS))
    if not args.no_build:
        cmd = ["cargo", "run", "--release", "-q", "-p", "recsys-examples", "--bin", "splits", "--",
               "--data", args.data, "--out", str(out), "--kinds", args.kinds, "--cold"]
        print("$", " ".join(cmd), flush=True)
        subprocess.run(cmd, cwd=REPO, check=True)

    summary = []
    for kind in args.kinds.split(","):
        d = out / kind
        read = lambda name: pd.read_csv(d / f"{name}.csv", dtype={"user_id": str, "item_id": str})
        train, test, val_train, val_test = (read(n) for n in ("train", "test", "val_train", "val_test"))
        genres = pd.read_csv(d / "items.csv", dtype={"item_id": str, "genres": str})
        all_ratings = pd.concat([train, test])
        users = {u: k for k, u in enumerate(sorted(all_ratings.user_id.unique(), key=int))}
        items = {i: k for k, i in enumerate(genres.item_id)}
        val = Part(val_train, val_test, users, items)
        tst = Part(train, test, users, items)
        rows = []
        ours_val = score(read_lists(d / "ours_val.csv", val), val)
        ours = score(read_lists(d / "ours_test.csv", tst), tst)
        rows.append(("recsys Recommender (default blend)", "BlendConfig::new()", ours_val["nDCG"], ours, 0.0))
        for name, grid in peers(genres, args.quick):
            best = None
            for params, fit in grid:
                started = time.time()
                s = score(fit(val), val)
                print(f"  {kind} val {name} {params}: nDCG {s['nDCG']:.4f} ({time.time() - started:.1f}s)", flush=True)
                if best is None or s["nDCG"] > best[1]:
                    best = (params, s["nDCG"], fit)
            params, val_ndcg, fit = best
            started = time.time()
            s = score(fit(tst), tst)
            rows.append((name, str(params), val_ndcg, s, time.time() - started))
        print(f"\n## {kind} split: test part (every setting chosen on validation)\n")
        print("| model | chosen on validation | val nDCG | P@10 | R@10 | nDCG@10 | MAP@10 | HR@10 | Cov@10 | ours / model |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, params, val_ndcg, s, _ in rows:
            ratio = ours["nDCG"] / s["nDCG"]
            print(f"| {name} | {params} | {val_ndcg:.4f} | {s['P']:.4f} | {s['R']:.4f} | {s['nDCG']:.4f} | "
                  f"{s['MAP']:.4f} | {s['HR']:.4f} | {s['Cov']:.4f} | {ratio:.3f}× |")
        best_peer = max(rows[1:], key=lambda r: r[3]["nDCG"])
        summary.append((kind, ours["nDCG"], best_peer[0], best_peer[3]["nDCG"], ours["users"]))
        print()
    print("## summary: nDCG@10 on test\n")
    for kind, o, name, b, n in summary:
        print(f"{kind:>8}: ours {o:.4f} vs best peer {name} {b:.4f} = {o / b:.3f}×  ({n} users)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
