"""recsys.evaluation: split and implicit-style ranking metrics."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recsys import evaluation
from recsys.als import AlternatingLeastSquares


def test_train_test_split(user_items: sp.csr_matrix) -> None:
    train, test = evaluation.train_test_split(user_items, 0.8, random_state=3)
    assert train.shape == test.shape == user_items.shape
    assert train.nnz + test.nnz == user_items.nnz
    assert test.nnz == round(0.2 * user_items.nnz)
    assert abs((train + test) - user_items).sum() == 0
    again, _ = evaluation.train_test_split(user_items, 0.8, random_state=3)
    assert (again != train).nnz == 0
    assert train.dtype == user_items.dtype


def test_split_drops_negative_test_entries() -> None:
    m = sp.csr_matrix(np.array([[-1.0, 2.0, -3.0, 4.0]] * 5))
    _, test = evaluation.train_test_split(m, 0.0, random_state=1)
    assert test.nnz == 10 and (test.data > 0).all()


@pytest.mark.parametrize("fraction", [-0.1, 1.5, float("nan")])
def test_split_bad_fraction(user_items: sp.csr_matrix, fraction: float) -> None:
    with pytest.raises(ValueError):
        evaluation.train_test_split(user_items, fraction)


def test_split_bad_input() -> None:
    with pytest.raises(ValueError):
        evaluation.train_test_split(np.ones((2, 2)))


class FixedLists:
    """A model whose top-K lists are given (for checking the metric definitions)."""

    def __init__(self, lists: np.ndarray) -> None:
        self.lists = lists

    def recommend(self, userids, user_items, N=10):  # noqa: N803 - implicit's signature
        return self.lists[userids, :N], np.zeros((len(userids), N), dtype=np.float32)


def test_metrics_by_hand() -> None:
    test = sp.csr_matrix(([1.0, 1.0, 1.0], ([0, 0, 2], [1, 3, 0])), shape=(3, 6))
    train = sp.csr_matrix((3, 6), dtype=np.float32)
    lists = np.array([[5, 1, 3], [0, 1, 2], [2, 4, 5]])
    metrics = evaluation.ranking_metrics_at_k(FixedLists(lists), train, test, K=3, show_progress=False)
    assert metrics["precision"] == pytest.approx(2 / 3)  # 2 hits / (min(3,2) + min(3,1))
    assert metrics["map"] == pytest.approx(((1 / 2 + 2 / 3) / 2 + 0) / 2)
    dcg = 1 / np.log2(3) + 1 / np.log2(4)
    assert metrics["ndcg"] == pytest.approx((dcg / (1 + 1 / np.log2(3))) / 2)
    assert evaluation.precision_at_k(FixedLists(lists), train, test, K=3, show_progress=False) == metrics["precision"]
    assert evaluation.AUC_at_k(FixedLists(lists), train, test, K=3, show_progress=False) == metrics["auc"]


def test_metrics_on_model(user_items: sp.csr_matrix) -> None:
    train, test = evaluation.train_test_split(user_items, 0.75, random_state=0)
    model = AlternatingLeastSquares(factors=8, iterations=10, regularization=0.05, random_state=0)
    model.fit(train, show_progress=False)
    p = evaluation.precision_at_k(model, train, test, K=5, show_progress=True)
    ndcg = evaluation.ndcg_at_k(model, train, test, K=5, show_progress=False)
    m = evaluation.mean_average_precision_at_k(model, train, test, K=5, show_progress=False)
    auc = evaluation.AUC_at_k(model, train, test, K=5, show_progress=False)
    # Two clean taste groups: far better than random (5 / 20 unseen same-group items).
    assert 0.2 < p <= 1 and 0 < ndcg <= 1 and 0 < m <= 1 and 0.5 < auc <= 1


def test_metrics_bad_input(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    empty = sp.csr_matrix(user_items.shape, dtype=np.float32)
    with pytest.raises(ValueError):
        evaluation.precision_at_k(fitted, user_items, empty, show_progress=False)
    with pytest.raises(ValueError):
        evaluation.precision_at_k(fitted, user_items, user_items, K=0, show_progress=False)
    with pytest.raises(ValueError):
        evaluation.precision_at_k(fitted, user_items[:3], user_items, show_progress=False)


def test_leave_k_out_split(user_items: sp.csr_matrix) -> None:
    train, test = evaluation.leave_k_out_split(user_items, K=2, random_state=4)
    assert train.nnz + test.nnz == user_items.nnz
    assert abs((train + test) - user_items).sum() == 0
    per_user = np.diff(test.indptr)
    eligible = np.diff(user_items.indptr) > 3
    assert (per_user[eligible] == 2).all() and (per_user[~eligible] == 0).all()
    _, some = evaluation.leave_k_out_split(user_items, K=1, train_only_size=0.5, random_state=4)
    assert (np.diff(some.indptr) > 0).sum() == 30
    for kwargs in (dict(K=0), dict(train_only_size=1.0), dict(train_only_size=-0.5)):
        with pytest.raises(ValueError):
            evaluation.leave_k_out_split(user_items, **kwargs)
