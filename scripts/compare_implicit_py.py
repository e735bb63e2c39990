#!/usr/bin/env python3
"""recsys's Python package vs the `implicit` library, both driven from Python, in one run.

Requirements (this script installs nothing; `scripts/test.sh python` sets up `.venv` with all):
    the `recsys` wheel (recsys-py), implicit 0.7.x, numpy, scipy

Usage:
    .venv/bin/python scripts/compare_implicit_py.py [--sets ml100k,M] [--threads 2]
        [--factors 64] [--iterations 15] [--regularization 0.01] [--alpha 1.0]
        [--calls 2000] [--skip-implicit] [--wait-quiet SECONDS]

For every set:
  ml100k  MovieLens-100K from data/ml-100k/ml-100k.inter (scripts/fetch-movielens.sh): every
          rating is an interaction of value 1 (943 users x 1,682 items, 100k interactions).
  S/M/L   the synthetic sets of scripts/compare_implicit.py (same generator, imported from it).
~20% of each user's items are held out (compare_implicit.py's `hold_out`), then for each library:
  fit         wall seconds of `model.fit(train, show_progress=False)`
  recommend   mean wall microseconds of one `model.recommend(u, train[u], N=10)` call, over
              --calls random users (rows sliced beforehand, so only the library call is timed)
  batch       wall seconds of `model.recommend(all_users, train, N=10)` (one call)
  quality     held-out precision@10 and nDCG@10 of the batch lists
and the recsys / implicit ratios. Same hyper-parameters and seed for both, float32, CG with 3
steps. Each timing comes with the CPU seconds other processes used meanwhile ("others"): the
machine may be shared; rerun when they are large, or pass --wait-quiet to wait (up to SECONDS)
for other processes to go quiet before each library's measurements.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def load_shared():
    """scripts/compare_implicit.py as a module (its generator, split and metrics)."""
    spec = importlib.util.spec_from_file_location("compare_implicit", ROOT / "scripts" / "compare_implicit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def movielens_100k() -> sp.csr_matrix:
    path = ROOT / "data" / "ml-100k" / "ml-100k.inter"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run scripts/fetch-movielens.sh first")
    raw = np.loadtxt(path, dtype=np.float64, skiprows=1, delimiter="\t")
    users = raw[:, 0].astype(np.int64)
    items = raw[:, 1].astype(np.int64)
    # External ids are 1-based integers: dense ids = id - 1.
    matrix = sp.csr_matrix((np.ones(len(raw), np.float32), (users - 1, items - 1)),
                           shape=(users.max(), items.max()))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    matrix.sort_indices()
    return matrix


def make_model(library: str, args):
    params = dict(factors=args.factors, regularization=args.regularization, alpha=args.alpha,
                  iterations=args.iterations, dtype=np.float32, use_cg=True,
                  num_threads=args.threads, random_state=42)
    if library == "recsys":
        from recsys.als import AlternatingLeastSquares
        return AlternatingLeastSquares(**params)
    from implicit.cpu.als import AlternatingLeastSquares
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AlternatingLeastSquares(**params)


def measure(library: str, train: sp.csr_matrix, test: sp.csr_matrix, args, shared) -> dict:
    model = make_model(library, args)
    with shared.Timed() as fit:
        model.fit(train, show_progress=False)
    rng = np.random.default_rng(7)
    active = np.flatnonzero(np.diff(train.indptr) > 0)
    users = rng.choice(active, size=args.calls, replace=True)
    rows = [train[int(u)] for u in users]
    model.recommend(int(users[0]), rows[0], N=10)  # warm-up (caches, lazy norms)
    with shared.Timed() as single:
        for u, row in zip(users, rows):
            model.recommend(int(u), row, N=10)
    everyone = np.arange(train.shape[0])
    with shared.Timed() as batch:
        ids, _ = model.recommend(everyone, train, N=10)
    precision, ndcg, evaluated = shared.ranking_quality(np.asarray(ids), test)
    return dict(fit_s=fit.wall, fit_others_cpu_s=fit.others,
                recommend_us=single.wall / args.calls * 1e6, recommend_others_cpu_s=single.others,
                batch_s=batch.wall, batch_others_cpu_s=batch.others,
                precision_at_10=precision, ndcg_at_10=ndcg, evaluated_users=evaluated)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="ml100k,M")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--regularization", type=float, default=0.01)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--skip-implicit", action="store_true")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS")
    args = parser.parse_args()

    shared = load_shared()
    import recsys
    libraries = ["recsys"]
    versions = {"recsys": recsys.__version__}
    if not args.skip_implicit:
        import implicit
        libraries.insert(0, "implicit")
        versions["implicit"] = implicit.__version__
    print(f"params: factors={args.factors} iterations={args.iterations} "
          f"regularization={args.regularization} alpha={args.alpha} threads={args.threads} "
          f"float32 CG-3, versions {versions}", flush=True)

    table = []
    for name in args.sets.split(","):
        t0 = time.perf_counter()
        if name == "ml100k":
            full = movielens_100k()
            seed = 11
        else:
            spec = shared.SIZES[name]
            full = shared.synthesize(spec["n_users"], spec["n_items"], spec["nnz"], spec["seed"])
            seed = spec["seed"] + 1
        train, test = shared.hold_out(full, 0.2, seed)
        print(f"\n{name}: {full.shape[0]:,} users x {full.shape[1]:,} items, {full.nnz:,} "
              f"interactions (train {train.nnz:,}, test {test.nnz:,}), ready in "
              f"{time.perf_counter() - t0:.1f}s", flush=True)
        results = {}
        for library in libraries:
            if args.wait_quiet > 0:
                shared.wait_quiet(args.wait_quiet)
            results[library] = measure(library, train, test, args, shared)
            print(f"  {library}: {json.dumps(results[library])}", flush=True)
        table.append((name, results))

    print("\n| set | library | fit s | recommend µs/call | batch s | P@10 | nDCG@10 |")
    print("|---|---|---|---|---|---|---|")
    for name, results in table:
        for library, r in results.items():
            print(f"| {name} | {library} {versions[library]} | {r['fit_s']:.2f} | "
                  f"{r['recommend_us']:.0f} | {r['batch_s']:.3f} | {r['precision_at_10']:.4f} | "
                  f"{r['ndcg_at_10']:.4f} |")
    if not args.skip_implicit:
        print()
        for name, results in table:
            ours, theirs = results["recsys"], results["implicit"]
            print(f"{name}: recsys / implicit: fit {ours['fit_s'] / theirs['fit_s']:.3f}x, "
                  f"recommend per call {ours['recommend_us'] / theirs['recommend_us']:.3f}x, "
                  f"batch {ours['batch_s'] / theirs['batch_s']:.3f}x, "
                  f"P@10 {ours['precision_at_10'] / theirs['precision_at_10'] - 1:+.2%}, "
                  f"nDCG@10 {ours['ndcg_at_10'] / theirs['ndcg_at_10'] - 1:+.2%}")
        others = max(r[key] for _, results in table for r in results.values()
                     for key in ("fit_others_cpu_s", "recommend_others_cpu_s", "batch_others_cpu_s"))
        print(f"largest CPU seconds used by other processes during one timed call: {others:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
