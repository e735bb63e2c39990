#!/usr/bin/env python3
"""Python's `Recommender.recommend` beside the core call it makes, in one run, on MovieLens-100K.

    .venv/bin/python scripts/bench_python.py [--rounds 300] [--calls 2]

Trains the default hybrid on `data/ml-100k` (`scripts/fetch-movielens.sh` first), then for each
request times the Python call (`Recommender.recommend`, per call, argument checks and result
objects included) and the core call alone on the same request (`_bench_core`: the Rust
`Recommender::recommend` timed natively through the binding, no conversion either way), in
alternating blocks so that both see the same load. Short blocks (2 calls) also give both the
same cache state: a long native loop keeps the model's arrays hotter than any Python caller
sees them (40-call blocks read about 0.1 higher ratios on this machine). Prints wall-clock medians and the calling
thread's CPU time per call (a request runs on one thread; CPU time ignores the time other
processes hold the core, so it is the steadier figure on a busy machine), with their ratios and
what Python adds per call in CPU time (the figure to watch as the core gets faster).

Requests: For You on the training history of the user of median history length (the criterion
bench's user), the same with every reason and sentence read, By Genre with that history, and
a favourites-only request (empty history, favourite genres and a director). The core call asks
for no sentences, as the criterion bench `for_you_top10_with_reasons`; Python renders them when
read.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

from recsys import Recommender

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "ml-100k"


def median_user_history() -> List[Tuple[str, float, int]]:
    """The training history of the user of median history length (as the criterion bench)."""
    histories: Dict[str, List[Tuple[str, float, int]]] = defaultdict(list)
    with open(DATA / "ml-100k.inter", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for user, item, rating, timestamp in reader:
            histories[user].append((item, float(rating), int(float(timestamp))))
    by_length = sorted((len(events), user) for user, events in histories.items())
    _, user = by_length[len(by_length) // 2]
    return histories[user]


def busiest_director() -> str:
    """The catalog person id of the director with the most films."""
    films: Dict[str, int] = defaultdict(int)
    with open(DATA / "ml-100k.kg", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for head, relation, _ in reader:
            if relation == "film.director.film":
                films[head] += 1
    return max(films, key=lambda person: (films[person], person))


def read_everything(result: Any) -> None:
    for r in result:
        for reason in r.reasons:
            reason["kind"]
        r.explanation


def per_call(fn: Callable[[], Any], calls: int) -> List[float]:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=300, help="alternating blocks (default 300)")
    parser.add_argument("--calls", type=int, default=2, help="calls per block (default 2)")
    args = parser.parse_args()
    if not (DATA / "ml-100k.inter").exists():
        print(f"{DATA} is missing: run scripts/fetch-movielens.sh first", file=sys.stderr)
        return 1

    start = time.perf_counter()
    rec = Recommender.fit_recbole(DATA, "ml-100k", show_progress=False)
    print(f"trained on ML-100K in {time.perf_counter() - start:.1f} s; {os.cpu_count()} cores")
    history = median_user_history()
    print(f"history: {len(history)} ratings (the user of median history length)")

    requests: List[Tuple[str, Dict[str, Any], bool]] = [
        ("For You, top 10, with reasons", dict(history=history), False),
        ("For You, every reason and sentence read", dict(history=history), True),
        ("By Genre (Comedy)", dict(history=history, list="by_genre", genre="Comedy"), False),
        ("favourites only (genres + a director)", dict(history=[], favorite_genres=["Sci-Fi", "Thriller"],
                                                        favorite_people=[busiest_director()]), False),
    ]
    print(f"\n{'':<42} {'wall-clock median':^26}  {'thread CPU time':^26}")
    print(
        f"{'request':<42} {'Python µs':>10} {'core µs':>9} {'ratio':>5}  {'Python µs':>10} {'core µs':>9} {'ratio':>5}"
        f"  {'Python adds µs':>14}"
    )
    for name, kwargs, read in requests:
        events, query = Recommender._core_request(n=10, **{"list": "for_you", **kwargs})
        if read:
            python = lambda: read_everything(rec.recommend(**kwargs))  # noqa: E731
        else:
            python = lambda: rec.recommend(**kwargs)  # noqa: E731
        python()
        ours: List[float] = []
        core: List[float] = []
        ours_cpu: List[float] = []
        core_cpu: List[float] = []
        for _ in range(args.rounds):
            start = time.thread_time()
            ours += per_call(python, args.calls)
            ours_cpu.append((time.thread_time() - start) / args.calls)
            start = time.thread_time()
            core += rec._model._bench_core(events, query, args.calls)
            core_cpu.append((time.thread_time() - start) / args.calls)
        p, c = statistics.median(ours) * 1e6, statistics.median(core) * 1e6
        pc, cc = statistics.median(ours_cpu) * 1e6, statistics.median(core_cpu) * 1e6
        print(
            f"{name:<42} {p:>10.1f} {c:>9.1f} {p / c:>4.2f}×  {pc:>10.1f} {cc:>9.1f} {pc / cc:>4.2f}×"
            f"  {pc - cc:>14.1f}"
        )
    print(
        f"\nwall clock: medians over {args.rounds * args.calls} calls; thread CPU time (the calling thread's,"
        f" robust to other processes): median over {args.rounds} blocks of the mean per call;"
        " Python and core blocks alternate"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
