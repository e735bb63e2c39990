"""ALS trained on Apache Spark (MLlib, local mode), imported into recsys (scripts/spark_als.py).

Opt-in: skipped unless ``pyspark`` and ``pyarrow`` are installed (Java 17 for Spark)::

    .venv/bin/pip install pyspark pyarrow
    .venv/bin/python -m pytest recsys-py/tests/test_spark_import.py -s

On MovieLens-100K's temporal split (``cargo run --release -p recsys-examples --bin splits``,
run here when ``target/splits`` lacks it), Spark fits implicit ALS on the training part and
writes its factors as parquet; then:

1. Spark's own user factors scored against the imported item factors through recsys's ALS give
   exactly Spark's ``recommendForUserSubset`` top-10 (the ids line up);
2. recsys's fold-in with Spark's conventions (confidence ``1 + alpha·r``, ridge ``reg_param ×
   n_u``) reproduces Spark's trained user factors, hence the same top-10: a user folded in at
   request time gets what Spark would have computed;
3. the app's recommender built on the imported item factors (its own feedback policy and one
   ridge for every fold-in) is compared with Spark's top-10 of unseen movies (overlap, printed)
   and scored on the held-out part (nDCG@10, printed beside the same recommender with ALS
   trained locally).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyspark", reason="opt-in: pip install pyspark pyarrow (Java 17)")
pytest.importorskip("pyarrow", reason="opt-in: pip install pyspark pyarrow")

import recsys  # noqa: E402
import recsys.datasets  # noqa: E402
from recsys.als import AlternatingLeastSquares  # noqa: E402
from recsys.evaluation import evaluate_recommender  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SPLIT = ROOT / "target" / "splits" / "temporal"
USERS_CHECKED = 100
SETTINGS = argparse.Namespace(rank=64, iterations=15, reg_param=0.1, alpha=1.0, seed=42, partitions=2)


def _script():
    spec = importlib.util.spec_from_file_location("spark_als", ROOT / "scripts" / "spark_als.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> list[tuple[str, str, float, int]]:
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["user_id"], r["item_id"], float(r["rating"]), int(r["timestamp"])) for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def spark_run(tmp_path_factory):
    """Spark's model on the temporal split's training part, its factors written and read back."""
    if not (SPLIT / "train.csv").is_file():
        subprocess.run(
            ["cargo", "run", "--release", "--locked", "-p", "recsys-examples", "--bin", "splits", "--",
             "--out", str(SPLIT.parent), "--kinds", "temporal", "--parts", "test"],
            cwd=ROOT, check=True,
        )
    script = _script()
    train, test = _read(SPLIT / "train.csv"), _read(SPLIT / "test.csv")
    out = tmp_path_factory.mktemp("spark-als")
    spark = script.spark_session("local[2]", SETTINGS.partitions)
    try:
        model, users, items = script.fit_spark(spark, train, SETTINGS)
        script.write_factors(spark, model, users, items, out)
        # Spark's top-10 for the first users (by Spark's integer id = position in `users`).
        subset = spark.createDataFrame([(u,) for u in range(USERS_CHECKED)], ["user"])
        spark_top = {
            row["user"]: [(items[r["item"]], r["rating"]) for r in row["recommendations"]]
            for row in model.recommendForUserSubset(subset, 10).collect()
        }
    finally:
        spark.stop()
    user_ids, user_factors = script.read_factors(out / "user_factors.parquet", "user_id")
    item_ids, item_factors = script.read_factors(out / "item_factors.parquet", "item_id")
    return dict(
        script=script, out=out, train=train, test=test, users=users, spark_top=spark_top,
        user_factors=dict(zip(user_ids, user_factors)), item_ids=item_ids, item_factors=item_factors,
    )


def _histories(train):
    by_user: dict[str, dict[str, float]] = {}
    for user, item, rating, _ in train:
        by_user.setdefault(user, {})[item] = rating
    return by_user


def _row(history: dict[str, float], column: dict[str, int], value) -> "np.ndarray":
    import scipy.sparse as sp

    cols = [column[i] for i in history if i in column]
    vals = [value(history[i]) for i in history if i in column]
    return sp.csr_matrix((np.asarray(vals, np.float32), (np.zeros(len(cols), int), cols)), shape=(1, len(column)))


def test_spark_user_factors_give_sparks_top10_through_recsys(spark_run):
    column = {item: n for n, item in enumerate(spark_run["item_ids"])}
    histories = _histories(spark_run["train"])
    for position, expected in spark_run["spark_top"].items():
        user = spark_run["users"][position]
        als = AlternatingLeastSquares(factors=SETTINGS.rank)
        als.item_factors = spark_run["item_factors"]
        als.user_factors = spark_run["user_factors"][user][None, :]
        ids, scores = als.recommend(0, _row(histories[user], column, float), N=10, filter_already_liked_items=False)
        got = [spark_run["item_ids"][i] for i in ids]
        assert got == [item for item, _ in expected], user
        np.testing.assert_allclose(scores, [s for _, s in expected], rtol=1e-4, atol=1e-5)


def test_fold_in_with_sparks_conventions_reproduces_sparks_user_factors(spark_run):
    column = {item: n for n, item in enumerate(spark_run["item_ids"])}
    histories = _histories(spark_run["train"])
    worst = 0.0
    for position, expected in spark_run["spark_top"].items():
        user = spark_run["users"][position]
        history = histories[user]
        # Spark: confidence 1 + alpha·r, ridge reg_param × (number of ratings) for each row.
        als = AlternatingLeastSquares(
            factors=SETTINGS.rank, regularization=SETTINGS.reg_param * len(history), alpha=1.0, use_cg=False
        )
        als.item_factors = spark_run["item_factors"]
        als.user_factors = np.zeros((1, SETTINGS.rank), np.float32)
        row = _row(history, column, lambda r: 1.0 + SETTINGS.alpha * r)
        folded = als.recalculate_user(0, row)
        trained = spark_run["user_factors"][user]
        worst = max(worst, float(np.max(np.abs(folded - trained)) / np.max(np.abs(trained))))
        ids, _ = als.recommend(0, row, N=10, filter_already_liked_items=False, recalculate_user=True)
        assert [spark_run["item_ids"][i] for i in ids] == [item for item, _ in expected], user
    print(f"\nfold-in vs Spark's user factors: largest relative difference {worst:.2e} over {USERS_CHECKED} users")
    assert worst < 1e-3


def test_app_recommender_on_spark_factors(spark_run):
    script, train, test = spark_run["script"], spark_run["train"], spark_run["test"]
    _, catalog = recsys.datasets.load_movielens(ROOT / "data" / "ml-100k")
    imported, _, _ = script.build_recommender(spark_run["out"], catalog, train, 20.0, 1.0)
    histories = _histories(train)
    item_factors = spark_run["item_factors"]
    overlaps = []
    for position in spark_run["spark_top"]:
        user = spark_run["users"][position]
        history = histories[user]
        # Spark's ranking of the movies this user has not rated (what the app may show).
        scores = item_factors @ spark_run["user_factors"][user]
        ranked = [spark_run["item_ids"][i] for i in np.argsort(-scores, kind="stable")]
        spark_unseen = [i for i in ranked if i not in history][:10]
        events = [(item, rating, 0) for item, rating in history.items()]
        ours = imported.recommend(events, n=10).item_ids
        overlaps.append(len(set(ours) & set(spark_unseen)) / 10)
    overlap = float(np.mean(overlaps))
    local = recsys.Recommender.fit(train, catalog, show_progress=False)
    imported_metrics = evaluate_recommender(imported, train, test, k=10)
    local_metrics = evaluate_recommender(local, train, test, k=10)
    print(
        f"\napp recommender on Spark's item factors: top-10 overlap with Spark's unseen top-10 {overlap:.3f}"
        f" ({USERS_CHECKED} users); nDCG@10 on the temporal test part {imported_metrics['ndcg']:.4f}"
        f" (same recommender, ALS trained by recsys: {local_metrics['ndcg']:.4f}; users {imported_metrics['n_users']})"
    )
    # The same item factors drive both lists: most of Spark's picks come back.
    assert overlap > 0.3
    assert imported_metrics["n_users"] == local_metrics["n_users"]
    assert imported_metrics["ndcg"] > 0.5 * local_metrics["ndcg"]
