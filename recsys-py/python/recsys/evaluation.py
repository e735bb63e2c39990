"""Evaluation with the API and metric definitions of ``implicit.evaluation`` (implicit 0.7).

The metrics are computed by the Rust core from the models' top-K lists; any model with
implicit's ``recommend(userids, user_items, N=K)`` batch method can be evaluated (recsys's
and implicit's alike), and numbers agree with implicit's for the same lists.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

import numpy as np
import scipy.sparse

from . import _recsys
from ._util import check_rows_backed, count, number, progress_bar, seed_from, to_csr
from .exceptions import InvalidArgumentError
from .recommender import Recommender, _event_rows, _valid_text

__all__ = [
    "train_test_split",
    "leave_k_out_split",
    "precision_at_k",
    "mean_average_precision_at_k",
    "ndcg_at_k",
    "AUC_at_k",
    "ranking_metrics_at_k",
    "evaluate_recommender",
]

_BATCH_USERS = 1000


def _entries(
    rows: np.ndarray, columns: np.ndarray, values: np.ndarray, pick: np.ndarray, shape: Any
) -> scipy.sparse.csr_matrix:
    """The entries selected by ``pick`` (mask or positions) as a CSR matrix of ``shape``."""
    return scipy.sparse.csr_matrix(
        (values[pick], (rows[pick], columns[pick])), shape=shape, dtype=values.dtype
    )


def train_test_split(
    ratings: Any, train_percentage: float = 0.8, random_state: Any = None
) -> "tuple[scipy.sparse.csr_matrix, scipy.sparse.csr_matrix]":
    """Randomly splits the entries of ``ratings`` into ``(train, test)`` CSR matrices of the
    same shape and dtype: ``round((1 - train_percentage) · nnz)`` entries go to test (implicit
    draws each entry independently); negative test entries are dropped, as in implicit.
    ``random_state``: None, an int, a numpy RandomState or Generator."""
    if not scipy.sparse.issparse(ratings):
        raise InvalidArgumentError(
            f"ratings must be a scipy.sparse matrix, got {type(ratings).__name__}"
        )
    check_rows_backed(ratings, "ratings")
    fraction = number(train_percentage, "train_percentage")
    if not 0.0 <= fraction <= 1.0:
        raise InvalidArgumentError(f"train_percentage must be in [0, 1], got {train_percentage!r}")
    coo = ratings.tocoo()
    train_index, test_index = _recsys.split_entries(coo.nnz, 1.0 - fraction, seed_from(random_state))

    train = _entries(coo.row, coo.col, coo.data, train_index, coo.shape)
    test = _entries(coo.row, coo.col, coo.data, test_index, coo.shape)
    test.data[test.data < 0] = 0
    test.eliminate_zeros()
    return train, test


def leave_k_out_split(
    ratings: Any, K: int = 1, train_only_size: float = 0.0, random_state: Any = None
) -> "tuple[scipy.sparse.csr_matrix, scipy.sparse.csr_matrix]":
    """implicit's leave-K-out split: every user with more than ``K + 1`` entries gives ``K``
    random entries to test; a ``train_only_size`` share of users stays in train only."""
    if not scipy.sparse.issparse(ratings):
        raise InvalidArgumentError(
            f"ratings must be a scipy.sparse matrix, got {type(ratings).__name__}"
        )
    check_rows_backed(ratings, "ratings")
    csr = ratings.tocsr()
    csr.sum_duplicates()
    k = count(K, "K")
    fraction = number(train_only_size, "train_only_size")
    test_positions = _recsys.leave_k_out_positions(
        csr.indptr.astype(np.int64), k, fraction, seed_from(random_state)
    )
    in_test = np.zeros(csr.nnz, dtype=bool)
    in_test[test_positions] = True
    rows = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
    return (
        _entries(rows, csr.indices, csr.data, ~in_test, csr.shape),
        _entries(rows, csr.indices, csr.data, in_test, csr.shape),
    )


def ranking_metrics_at_k(
    model: Any,
    train_user_items: Any,
    test_user_items: Any,
    K: int = 10,
    show_progress: bool = True,
    num_threads: int = 1,
) -> Dict[str, float]:
    """``{"precision", "map", "ndcg", "auc"}`` of ``model``'s top-``K`` lists (training items
    filtered) for every user with a test item, with implicit's definitions (precision divides
    the hits by Σ min(K, |test_u|)). Both matrices and the model must have the same items
    (``InvalidArgumentError`` otherwise); a ``K`` beyond the items counts as all of them.
    ``num_threads`` is accepted for compatibility: the model's own ``num_threads`` applies."""
    del num_threads
    k = count(K, "K")
    if k == 0:
        raise InvalidArgumentError("K must be at least 1")
    train = to_csr(train_user_items, "train_user_items")
    test = to_csr(test_user_items, "test_user_items")
    if train.shape[0] < test.shape[0]:
        raise InvalidArgumentError(
            f"train_user_items has {train.shape[0]} rows but test_user_items {test.shape[0]}"
        )
    # Ids past the test matrix's columns could never be hits, and would count as misses beyond
    # the items that exist (an AUC below 0): the matrices and the model must agree on the items.
    model_items = getattr(getattr(model, "item_factors", None), "shape", (test.shape[1],))[0]
    if not train.shape[1] == test.shape[1] == model_items:
        raise InvalidArgumentError(
            f"the item counts differ: train_user_items has {train.shape[1]} columns, "
            f"test_user_items {test.shape[1]}, the model {model_items} items"
        )
    # No list is longer than the catalogue, and min(K, |test_u|) never exceeds it either: a
    # larger K changes no metric, only the size of the id buffer below.
    k = min(k, max(train.shape[1], test.shape[1], 1))
    users = np.flatnonzero(np.diff(test.indptr) > 0).astype(np.int32)
    ids = np.full((len(users), k), -1, dtype=np.int64)
    bar = progress_bar(len(users), show_progress)
    try:
        for start in range(0, len(users), _BATCH_USERS):
            batch = users[start : start + _BATCH_USERS]
            batch_ids, _ = model.recommend(batch, train[batch], N=k)
            batch_ids = np.asarray(batch_ids)
            width = min(k, batch_ids.shape[1])
            ids[start : start + len(batch), :width] = batch_ids[:, :width]
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    return _recsys.ranking_metrics_at_k(users, ids, test, k)


def _single_metric(key: str, name: str, title: str) -> Callable[..., float]:
    """One entry of :func:`ranking_metrics_at_k` as a function with implicit's signature."""

    def metric(
        model: Any,
        train_user_items: Any,
        test_user_items: Any,
        K: int = 10,
        show_progress: bool = True,
        num_threads: int = 1,
    ) -> float:
        return ranking_metrics_at_k(
            model, train_user_items, test_user_items, K, show_progress, num_threads
        )[key]

    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = f"{title} as in implicit: see :func:`ranking_metrics_at_k`."
    return metric


precision_at_k = _single_metric("precision", "precision_at_k", "P@K")
mean_average_precision_at_k = _single_metric("map", "mean_average_precision_at_k", "MAP@K")
ndcg_at_k = _single_metric("ndcg", "ndcg_at_k", "nDCG@K")
AUC_at_k = _single_metric("auc", "AUC_at_k", "implicit's limited AUC@K")


def evaluate_recommender(
    recommender: Recommender,
    train_events: Any,
    test_events: Any,
    k: int = 10,
    *,
    relevant_threshold: float = 4.0,
    num_threads: int = 0,
) -> Dict[str, float]:
    """Top-``k`` quality of a :class:`~recsys.Recommender`'s For You lists.

    Every user with a relevant test event gets the For You list of their ``train_events``
    history (training items excluded); relevant = a test rating ≥ ``relevant_threshold`` or a
    like / watch / watchlist event of an item the recommender knows. Events take the shapes
    :meth:`Recommender.fit` accepts (DataFrame or ``(user_id, item_id, feedback, timestamp)``
    tuples). Returns ``precision``, ``recall``, ``ndcg``, ``map``, ``hit_rate`` and
    ``coverage`` (share of the catalogue in any list) at ``k``, ``k`` itself and ``n_users``
    evaluated; computed by the Rust core's ``eval::evaluate_recommender`` with the GIL
    released (``k`` at most 1000, like any request). No relevant test event raises
    ``InvalidArgumentError``.
    """
    if not isinstance(recommender, Recommender):
        raise InvalidArgumentError(f"recommender must be a recsys.Recommender, got {type(recommender).__name__}")
    cutoff = count(k, "k")
    if cutoff == 0:
        raise InvalidArgumentError("k must be at least 1")
    with _valid_text("evaluate_recommender"):
        return recommender._model.evaluate(
            _event_rows(train_events),
            _event_rows(test_events),
            cutoff,
            number(relevant_threshold, "relevant_threshold"),
            count(num_threads, "num_threads"),
        )
