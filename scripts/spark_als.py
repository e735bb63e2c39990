#!/usr/bin/env python3
"""Train ALS on Apache Spark, import the factors into a recsys ``Recommender`` artifact.

For data that outgrows one machine's training: Spark MLlib's implicit ALS runs where the data
lives (here ``local[*]``; on a cluster, the same code under ``spark-submit``), writes its
factors as parquet, and recsys builds the artifact the app and the browser serve, with the
catalogue, content, neighbours, popularity and rating model trained locally (they need the
catalogue and the rating table, not the cluster).

Two steps, each runnable on its own::

    # 1. Spark: interactions -> target/spark-als/{item_factors,user_factors}.parquet + params.json
    python3 scripts/spark_als.py train --movielens data/ml-100k --out target/spark-als
    python3 scripts/spark_als.py train --sqlite var/server/recsys.sqlite3 --out target/spark-als
    python3 scripts/spark_als.py train --ratings train.csv --out target/spark-als

    # 2. recsys: the factors + the catalogue and events -> an artifact the app serves unchanged
    python3 scripts/spark_als.py import --factors target/spark-als --movielens data/ml-100k \\
        --output var/server/model.recsys

``--ratings`` reads a CSV with a header and columns ``user_id,item_id,rating`` (e.g. a split
written by ``cargo run --release -p recsys-examples --bin splits``); ``--sqlite`` reads the app's
``feedback`` table (star ratings) and, for ``import``, its catalogue (titles, years, genres).
``train`` needs ``pyspark`` (PyPI; Java 17) and ``import`` needs ``recsys`` and ``pyarrow``
(both in the venv the test step builds; ``pip install pyspark pyarrow``).

Spark's implicit ALS uses confidence ``1 + alpha·r`` and a ridge of ``reg_param × (the row's
number of ratings)``; recsys folds request histories in with its own feedback policy and one
ridge ``--regularization`` (see ``recsys-py/tests/test_spark_import.py`` for how closely the
two agree, and docs/scaling.md for the figures).
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
import time
from pathlib import Path


def read_ratings(args: argparse.Namespace) -> list[tuple[str, str, float, int]]:
    """(user id, item id, rating, timestamp) from the source the arguments name."""
    if args.ratings:
        with open(args.ratings, newline="", encoding="utf-8") as f:
            return [
                (row["user_id"], row["item_id"], float(row["rating"]), int(float(row.get("timestamp") or 0)))
                for row in csv.DictReader(f)
            ]
    if args.sqlite:
        with sqlite3.connect(f"file:{args.sqlite}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT user_id, movie_id, rating, updated_at FROM feedback WHERE rating IS NOT NULL"
            ).fetchall()
        return [(f"u{u}", str(m), float(r), int(t)) for u, m, r, t in rows]
    inter = next(Path(args.movielens).glob("*.inter"))
    with open(inter, encoding="utf-8") as f:
        next(f)
        return [
            (u, i, float(r), int(float(t)))
            for u, i, r, t in (line.rstrip("\n").split("\t")[:4] for line in f)
        ]


def spark_session(master: str, partitions: int):
    """A Spark session for ALS (no UI, quiet)."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("recsys-spark-als")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def fit_spark(spark, ratings, args: argparse.Namespace):
    """Spark MLlib's implicit ALS on `ratings`; returns (model, user ids, item ids), Spark's
    integer ids being positions in those lists."""
    from pyspark.ml.recommendation import ALS

    users = sorted({r[0] for r in ratings})
    items = sorted({r[1] for r in ratings})
    user_index = {u: n for n, u in enumerate(users)}
    item_index = {i: n for n, i in enumerate(items)}
    frame = spark.createDataFrame(
        [(user_index[u], item_index[i], r) for u, i, r, _ in ratings], ["user", "item", "rating"]
    )
    als = ALS(
        rank=args.rank,
        maxIter=args.iterations,
        regParam=args.reg_param,
        alpha=args.alpha,
        implicitPrefs=True,
        userCol="user",
        itemCol="item",
        ratingCol="rating",
        seed=args.seed,
        numUserBlocks=args.partitions,
        numItemBlocks=args.partitions,
    )
    return als.fit(frame), users, items


def write_factors(spark, model, users, items, out: Path) -> None:
    """`user_factors.parquet` and `item_factors.parquet` (`user_id`/`item_id`: the app's ids,
    `features`: float array) under `out`."""
    from pyspark.sql import functions as F

    out.mkdir(parents=True, exist_ok=True)
    for factors, ids, column in ((model.userFactors, users, "user_id"), (model.itemFactors, items, "item_id")):
        names = spark.createDataFrame(list(enumerate(ids)), ["id", column])
        factors.join(names, "id").select(column, F.col("features")).write.mode("overwrite").parquet(
            str(out / f"{column.split('_')[0]}_factors.parquet")
        )


def train(args: argparse.Namespace) -> None:
    ratings = read_ratings(args)
    spark = spark_session(args.master, args.partitions)
    try:
        started = time.monotonic()
        model, users, items = fit_spark(spark, ratings, args)
        seconds = time.monotonic() - started
        out = Path(args.out)
        write_factors(spark, model, users, items, out)
        params = {
            "rank": args.rank,
            "iterations": args.iterations,
            "reg_param": args.reg_param,
            "alpha": args.alpha,
            "seed": args.seed,
            "ratings": len(ratings),
            "users": len(users),
            "items": len(items),
            "fit_seconds": round(seconds, 2),
            "spark": spark.version,
        }
        (out / "params.json").write_text(json.dumps(params, indent=2) + "\n")
        print(f"spark ALS: {len(ratings)} ratings, {len(users)} users, {len(items)} items, fit {seconds:.1f} s -> {out}")
    finally:
        spark.stop()


def read_factors(path: Path, id_column: str):
    """(ids, float32 matrix) of a factors parquet written by `train`."""
    import numpy as np
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    ids = [str(i) for i in table.column(id_column).to_pylist()]
    rows = np.asarray(table.column("features").to_pylist(), dtype=np.float32)
    return ids, rows


def catalog_and_events(args: argparse.Namespace):
    """The catalogue and the training events `import` fits the local parts on."""
    import recsys.datasets

    if args.sqlite:
        with sqlite3.connect(f"file:{args.sqlite}?mode=ro", uri=True) as db:
            movies = db.execute("SELECT id, title, year FROM movies ORDER BY rowid").fetchall()
            genres: dict[str, list[str]] = {}
            for movie, genre in db.execute("SELECT movie_id, genre FROM movie_genres ORDER BY rowid"):
                genres.setdefault(movie, []).append(genre)
        catalog = [
            {"item_id": m, "title": t, "year": y, "genres": genres.get(m, [])} for m, t, y in movies
        ]
    else:
        _, catalog = recsys.datasets.load_movielens(args.movielens)
    events = [(u, i, r, t) for u, i, r, t in read_ratings(args)]
    return catalog, events


def build_recommender(factors_dir: Path, catalog, events, regularization: float, alpha: float):
    """A recsys Recommender on Spark's item factors; the rest trained on `events`."""
    import recsys

    ids, rows = read_factors(factors_dir / "item_factors.parquet", "item_id")
    model = recsys.Recommender.fit(
        events,
        catalog,
        als_item_factors=(ids, rows),
        regularization=regularization,
        alpha=alpha,
        show_progress=False,
    )
    return model, ids, rows


def import_factors(args: argparse.Namespace) -> None:
    catalog, events = catalog_and_events(args)
    started = time.monotonic()
    model, ids, rows = build_recommender(
        Path(args.factors), catalog, events, args.regularization, args.alpha_fold_in
    )
    model.save(args.output)
    print(
        f"recsys: {len(ids)} Spark item factors ({rows.shape[1]} each) + local parts, "
        f"{time.monotonic() - started:.1f} s -> {args.output}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("train", "import"):
        command = commands.add_parser(name)
        command.add_argument("--movielens", default="data/ml-100k",
                             help="RecBole folder: the ratings unless --ratings/--sqlite, and the catalogue")
        source = command.add_mutually_exclusive_group()
        source.add_argument("--ratings", help="CSV with user_id,item_id,rating[,timestamp]")
        source.add_argument("--sqlite", help="the app's database")
        if name == "train":
            command.add_argument("--out", default="target/spark-als")
            command.add_argument("--master", default="local[*]")
            command.add_argument("--rank", type=int, default=64)
            command.add_argument("--iterations", type=int, default=15)
            command.add_argument("--reg-param", type=float, default=0.1)
            command.add_argument("--alpha", type=float, default=1.0)
            command.add_argument("--seed", type=int, default=42)
            command.add_argument("--partitions", type=int, default=4)
        else:
            command.add_argument("--factors", default="target/spark-als")
            command.add_argument("--output", default="target/spark-als/model.recsys")
            command.add_argument("--regularization", type=float, default=20.0,
                                 help="ridge of the request-time fold-in (recsys's default)")
            command.add_argument("--alpha-fold-in", type=float, default=1.0)
    args = parser.parse_args()
    (train if args.command == "train" else import_factors)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
