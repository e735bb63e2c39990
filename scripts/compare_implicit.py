#!/usr/bin/env python3
"""Side-by-side speed and quality of recsys ALS and the `implicit` library on synthetic data.

Requirements (this script installs nothing):
    pip install implicit==0.7.3 numpy scipy        # 0.7.3 is the newest 0.7.x on PyPI
and a Rust toolchain (the script runs `cargo build --release -p recsys-benches --bin als_bench`).

Usage:
    python3 scripts/compare_implicit.py [S|M|L] [--threads 2] [--factors 64] [--iterations 15]
        [--cg-steps 3] [--regularization 0.01] [--alpha 1.0[,2,...]] [--confidence linear[,log]]
        [--eps 1.0] [--workdir DIR] [--skip-implicit] [--wait-quiet SECONDS] [--npz FILE]
        [--als-bench BINARY]

    e.g. the linear and log-scaled confidences at alpha 1 and 2, side by side on one data set:
    python3 scripts/compare_implicit.py M --alpha 1,2 --confidence linear,log

Steps, all in one run:
 1. Generate the synthetic set (deterministic seed per size): power-law item popularity and a
    planted low-rank (topic) structure, values = repeat counts.
      S: 10,000 users x 5,000 items, 100k interactions; M: 200,000 x 50,000, 5M; L: 500,000 x
      100,000, 20M.
 2. Hold out ~20% of each user's items (users with >= 2 items) as the test set.
 For every confidence mode and alpha (each combination of --confidence and --alpha), on the
 same training matrix:
      linear  the counts as they are, and the libraries' `alpha`: confidence = alpha * count
              (mostly unit confidences at alpha 1, which both libraries handle faster);
      log     Hu, Koren & Volinsky's log scaling, confidence = 1 + alpha * log(1 + count / eps):
              the libraries get these values with their `alpha` set to 1 (every confidence is
              then above 1).
 3. Fit implicit's CPU ALS (float32, CG) with `num_threads=threads` and recommend the top 10
    for every user with training items filtered (one batch call); time both calls.
 4. Export the training CSR and run the recsys release binary (`benches/src/bin/als_bench.rs`)
    with RAYON_NUM_THREADS=threads: it times its fit and its batch recommend the same way.
 5. Print wall times, recsys/implicit ratios, and held-out precision@10 / nDCG@10 of both;
    with several modes, a summary table of the ratios at the end.

Times are wall seconds of the library calls only (not data loading), plus the CPU seconds the
library used (all its threads). The machine may be shared: the CPU seconds other processes
used during each timed call are printed too ("others");
when they are large, rerun, or pass --wait-quiet to wait (up to SECONDS) for the other
processes to use less than a quarter of a core before each library's run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One BLAS thread: implicit parallelises itself (and warns otherwise).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZES = {
    "S": dict(n_users=10_000, n_items=5_000, nnz=100_000, seed=101),
    "M": dict(n_users=200_000, n_items=50_000, nnz=5_000_000, seed=202),
    "L": dict(n_users=500_000, n_items=100_000, nnz=20_000_000, seed=303),
}
TOPICS = 32
POPULARITY_EXPONENT = 0.9
NOISE_SHARE = 0.15
TOPIC_CONCENTRATION = 0.1
DRAW_CHUNK = 1_000_000


def synthesize(n_users: int, n_items: int, nnz: int, seed: int) -> sp.csr_matrix:
    """Users x items count matrix with exactly `nnz` distinct pairs.

    Each item belongs to one of TOPICS topics and has a Zipf-like weight; each user mixes a few
    topics (sparse Dirichlet) and has a log-normal activity. A draw picks a topic from the user's
    mix and then an item of that topic by weight, or (NOISE_SHARE of draws) any item by weight.
    The expected matrix therefore has rank <= TOPICS.
    """
    rng = np.random.default_rng(seed)
    topic_of_item = rng.integers(0, TOPICS, n_items)
    weight = (1.0 + rng.permutation(n_items)) ** -POPULARITY_EXPONENT
    by_topic = np.argsort(topic_of_item, kind="stable")
    cumulative = np.cumsum(weight[by_topic])
    topic_end = np.cumsum(np.bincount(topic_of_item, minlength=TOPICS))
    upper = cumulative[topic_end - 1]
    lower = np.concatenate([[0.0], upper[:-1]])
    cumulative_all = np.cumsum(weight)
    mix = rng.dirichlet(np.full(TOPICS, TOPIC_CONCENTRATION), n_users)
    mix_cumulative = np.cumsum(mix, axis=1)
    activity = rng.lognormal(0.0, 1.0, n_users)
    activity /= activity.mean()

    oversample = 1.2
    while True:
        draws = np.clip(np.round(activity * oversample * nnz / n_users), 1, n_items // 2)
        users = np.repeat(np.arange(n_users), draws.astype(np.int64))
        items = np.empty(len(users), dtype=np.int64)
        for start in range(0, len(users), DRAW_CHUNK):
            u = users[start:start + DRAW_CHUNK]
            topic = (mix_cumulative[u] < rng.random((len(u), 1))).sum(axis=1)
            topic = np.minimum(topic, TOPICS - 1)
            target = lower[topic] + rng.random(len(u)) * (upper[topic] - lower[topic])
            in_topic = by_topic[np.minimum(np.searchsorted(cumulative, target), n_items - 1)]
            anywhere = np.minimum(
                np.searchsorted(cumulative_all, rng.random(len(u)) * cumulative_all[-1]),
                n_items - 1)
            items[start:start + len(u)] = np.where(rng.random(len(u)) < NOISE_SHARE,
                                                   anywhere, in_topic)
        counts = sp.csr_matrix((np.ones(len(users), np.float32), (users, items)),
                               shape=(n_users, n_items))
        counts.sum_duplicates()
        if counts.nnz >= nnz:
            break
        oversample *= 1.05 * nnz / counts.nnz
    if counts.nnz > nnz:
        coo = counts.tocoo()
        keep = np.sort(rng.choice(coo.nnz, nnz, replace=False))
        counts = sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])),
                               shape=(n_users, n_items))
    counts.sort_indices()
    counts.data = counts.data.astype(np.float32)
    return counts


def hold_out(matrix: sp.csr_matrix, share: float, seed: int):
    """Splits each row: about `share` of the entries of rows with >= 2 entries go to test."""
    rng = np.random.default_rng(seed)
    row_len = np.diff(matrix.indptr)
    row_of = np.repeat(np.arange(matrix.shape[0]), row_len)
    test = (rng.random(matrix.nnz) < share) & (row_len[row_of] >= 2)
    # Keep at least one training entry per row: un-hold the first entry of fully held rows.
    held = np.bincount(row_of[test], minlength=matrix.shape[0])
    full = np.flatnonzero((held == row_len) & (row_len > 0))
    test[matrix.indptr[full]] = False
    coo = matrix.tocoo()
    def part(mask):
        m = sp.csr_matrix((coo.data[mask], (coo.row[mask], coo.col[mask])), shape=matrix.shape)
        m.sort_indices()
        return m
    return part(~test), part(test)


def ranking_quality(recs: np.ndarray, test: sp.csr_matrix, k: int = 10):
    """Mean precision@k and nDCG@k over users with at least one test item."""
    n_users, n_items = test.shape
    recs = recs[:, :k].astype(np.int64)
    valid = (recs >= 0) & (recs < n_items)
    rec_keys = np.where(valid, np.arange(n_users)[:, None] * n_items + recs, -1)
    test_keys = np.repeat(np.arange(n_users), np.diff(test.indptr)) * n_items + test.indices
    hits = np.isin(rec_keys, test_keys) & valid
    n_test = np.diff(test.indptr)
    evaluated = n_test > 0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discounts).sum(axis=1)
    ideal = np.cumsum(discounts)[np.minimum(n_test, k) - 1]
    precision = hits.sum(axis=1)[evaluated] / k
    ndcg = dcg[evaluated] / ideal[evaluated]
    return float(precision.mean()), float(ndcg.mean()), int(evaluated.sum())


def busy_cpu_seconds() -> float:
    """CPU seconds all processes of the machine have used (from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
    return busy / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    self_times = os.times()
    return self_times.user + self_times.system + self_times.children_user + \
        self_times.children_system


def wait_quiet(max_wait_s: float, threshold_cores: float = 0.25, window_s: float = 5.0) -> float:
    """Waits until other processes use < threshold_cores over window_s (at most max_wait_s).

    Returns the load seen in the last window."""
    deadline = time.time() + max_wait_s
    while True:
        busy, own = busy_cpu_seconds(), own_cpu_seconds()
        time.sleep(window_s)
        load = ((busy_cpu_seconds() - busy) - (own_cpu_seconds() - own)) / window_s
        if load < threshold_cores or time.time() >= deadline:
            return load
        print(f"  (waiting for quiet cores: others use {load:.2f})", flush=True)


class Timed:
    """Wall time of a block, plus the CPU seconds *other* processes used meanwhile."""

    def __enter__(self):
        self.busy, self.own, self.t0 = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        self.cpu = own_cpu_seconds() - self.own
        self.others = max(0.0, (busy_cpu_seconds() - self.busy) - self.cpu)
        return False


def run_implicit(train, args, alpha: float):
    from implicit.cpu.als import AlternatingLeastSquares
    import implicit
    model = AlternatingLeastSquares(factors=args.factors, regularization=args.regularization,
                                    alpha=alpha, iterations=args.iterations,
                                    dtype=np.float32, use_cg=True,
                                    num_threads=args.threads, random_state=42)
    model.cg_steps = args.cg_steps
    with Timed() as fit:
        model.fit(train, show_progress=False)
    users = np.arange(train.shape[0])
    with Timed() as rec:
        ids, _scores = model.recommend(users, train, N=10, filter_already_liked_items=True)
    return dict(version=implicit.__version__, fit_s=fit.wall, fit_cpu_s=fit.cpu,
                fit_others_cpu_s=fit.others, recommend_s=rec.wall, recommend_cpu_s=rec.cpu,
                recommend_others_cpu_s=rec.others), ids


def run_recsys(train, args, workdir: Path, alpha: float):
    if args.als_bench is None:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "recsys-benches",
                        "--bin", "als_bench"], cwd=ROOT, check=True)
        binary = ROOT / "target" / "release" / "als_bench"
    else:
        binary = args.als_bench
    train.indptr.astype("<u8").tofile(workdir / "indptr.u64")
    train.indices.astype("<u4").tofile(workdir / "indices.u32")
    train.data.astype("<f4").tofile(workdir / "data.f32")
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    command = [str(binary), "--dir", str(workdir), "--users", str(train.shape[0]),
               "--items", str(train.shape[1]), "--factors", str(args.factors),
               "--iterations", str(args.iterations), "--cg-steps", str(args.cg_steps),
               "--regularization", str(args.regularization), "--alpha", str(alpha),
               "--n", "10"]
    with Timed() as whole:
        out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # Contamination over the whole child run (load + fit + recommend), scaled to the fit's share.
    result["process_others_cpu_s"] = whole.others
    recs = np.fromfile(workdir / "recs.u32", dtype="<u4").reshape(train.shape[0], 10)
    recs = np.where(recs == np.iinfo(np.uint32).max, -1, recs.astype(np.int64))
    return result, recs


def confidence_values(train: sp.csr_matrix, mode: str, alpha: float, eps: float):
    """The matrix the libraries see in `mode`, and the `alpha` they get (see the module doc)."""
    if mode == "linear":
        return train, alpha
    values = train.copy()
    values.data = (1.0 + alpha * np.log1p(train.data.astype(np.float64) / eps)).astype(np.float32)
    return values, 1.0


def parse_list(text: str, convert):
    return [convert(part) for part in text.split(",") if part.strip()]


def compare(train, test, args, mode: str, alpha: float) -> dict:
    """Both libraries on one confidence mode; returns their results by name."""
    values, library_alpha = confidence_values(train, mode, alpha, args.eps)
    confidences = values.data * library_alpha
    print(f"\n== confidence {mode}, alpha={alpha}"
          + (f", eps={args.eps}" if mode == "log" else "")
          + f": library alpha={library_alpha}, confidences mean {confidences.mean():.3f}, "
          f"unit {np.mean(confidences == 1.0):.1%}", flush=True)
    rows = []
    if not args.skip_implicit:
        if args.wait_quiet > 0:
            wait_quiet(args.wait_quiet)
        implicit_result, implicit_recs = run_implicit(values, args, library_alpha)
        p, n, users = ranking_quality(implicit_recs, test)
        implicit_result.update(precision_at_10=p, ndcg_at_10=n, evaluated_users=users)
        rows.append(("implicit " + implicit_result["version"], implicit_result))
        print("implicit:", json.dumps(implicit_result), flush=True)

    if args.wait_quiet > 0:
        wait_quiet(args.wait_quiet)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        recsys_result, recsys_recs = run_recsys(values, args, Path(tmp), library_alpha)
    p, n, users = ranking_quality(recsys_recs, test)
    recsys_result.update(precision_at_10=p, ndcg_at_10=n, evaluated_users=users)
    rows.append(("recsys", recsys_result))
    print("recsys:", json.dumps(recsys_result), flush=True)

    print()
    print("| library | fit s | s/iteration | fit CPU s | recommend-all s | recommend CPU s "
          "| P@10 | nDCG@10 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['fit_s']:.2f} | {r['fit_s'] / args.iterations:.3f} | "
              f"{r['fit_cpu_s']:.1f} | {r['recommend_s']:.2f} | {r['recommend_cpu_s']:.1f} | "
              f"{r['precision_at_10']:.4f} | {r['ndcg_at_10']:.4f} |")
    if len(rows) == 2:
        imp, rec = rows[0][1], rows[1][1]
        print()
        print(f"recsys / implicit: fit {rec['fit_s'] / imp['fit_s']:.3f}x, "
              f"recommend-all {rec['recommend_s'] / imp['recommend_s']:.3f}x "
              f"(CPU seconds: fit {rec['fit_cpu_s'] / imp['fit_cpu_s']:.3f}x, "
              f"recommend {rec['recommend_cpu_s'] / max(imp['recommend_cpu_s'], 1e-9):.3f}x), "
              f"P@10 {rec['precision_at_10'] / imp['precision_at_10'] - 1:+.2%}, "
              f"nDCG@10 {rec['ndcg_at_10'] / imp['ndcg_at_10'] - 1:+.2%}")
        print(f"CPU seconds used by other processes: implicit fit {imp['fit_others_cpu_s']:.1f}, "
              f"implicit recommend {imp['recommend_others_cpu_s']:.1f}, "
              f"recsys whole run {rec['process_others_cpu_s']:.1f}")
    return dict(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", nargs="?", default="M", choices=sorted(SIZES))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--cg-steps", type=int, default=3)
    parser.add_argument("--regularization", type=float, default=0.01)
    parser.add_argument("--alpha", default="1.0",
                        help="confidence multiplier; a comma list runs each value in turn")
    parser.add_argument("--confidence", default="linear",
                        help="linear (alpha * count) and/or log (1 + alpha * log(1 + count / "
                             "eps)), comma-separated")
    parser.add_argument("--eps", type=float, default=1.0, help="scale of the log mode")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--als-bench", type=Path, default=None, metavar="BINARY",
                        help="run this als_bench build instead of building the work tree's "
                             "(e.g. a copy of an older build, to compare two versions)")
    parser.add_argument("--skip-implicit", action="store_true")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--npz", type=Path, default=None,
                        help="use this scipy.sparse .npz (users x items) instead of generating "
                             "the SIZE set; the hold-out seed still comes from SIZE")
    args = parser.parse_args()
    alphas = parse_list(args.alpha, float)
    modes = parse_list(args.confidence, str)
    bad = [m for m in modes if m not in ("linear", "log")]
    if bad or not alphas or not modes:
        parser.error(f"--confidence takes linear and/or log (got {args.confidence!r}), "
                     f"--alpha one or more numbers (got {args.alpha!r})")
    if not args.eps > 0:
        parser.error("--eps must be > 0")

    spec = SIZES[args.size]
    t0 = time.perf_counter()
    if args.npz is not None:
        full = sp.load_npz(args.npz).tocsr().astype(np.float32)
        full.sum_duplicates()
        full.sort_indices()
        source = str(args.npz)
    else:
        full = synthesize(spec["n_users"], spec["n_items"], spec["nnz"], spec["seed"])
        source = args.size
    train, test = hold_out(full, 0.2, spec["seed"] + 1)
    print(f"data {source}: {full.shape[0]:,} users x {full.shape[1]:,} items, "
          f"{full.nnz:,} interactions (train {train.nnz:,}, test {test.nnz:,}), "
          f"mean value {full.data.mean():.2f}, generated in {time.perf_counter() - t0:.1f}s",
          flush=True)
    print(f"params: factors={args.factors} iterations={args.iterations} CG steps={args.cg_steps} "
          f"regularization={args.regularization} threads={args.threads} float32", flush=True)

    summary = []
    for mode in modes:
        for alpha in alphas:
            summary.append((mode, alpha, compare(train, test, args, mode, alpha)))

    if len(summary) > 1 and not args.skip_implicit:
        print()
        print("| confidence | alpha | implicit fit s | recsys fit s | fit ratio | implicit P@10 "
              "| recsys P@10 | implicit nDCG@10 | recsys nDCG@10 |")
        print("|---|---|---|---|---|---|---|---|---|")
        for mode, alpha, rows in summary:
            imp = next(r for name, r in rows.items() if name.startswith("implicit"))
            rec = rows["recsys"]
            print(f"| {mode} | {alpha:g} | {imp['fit_s']:.2f} | {rec['fit_s']:.2f} | "
                  f"{rec['fit_s'] / imp['fit_s']:.3f}x | {imp['precision_at_10']:.4f} | "
                  f"{rec['precision_at_10']:.4f} | {imp['ndcg_at_10']:.4f} | "
                  f"{rec['ndcg_at_10']:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
