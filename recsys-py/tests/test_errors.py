"""Bad input gives a clear exception (never a crash)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recsys import (
    IdOutOfRangeError,
    InvalidArgumentError,
    ModelFitError,
    NotFittedError,
    Recommender,
    RecsysError,
    UnknownIdError,
)
from recsys.als import AlternatingLeastSquares


def test_hierarchy() -> None:
    assert issubclass(UnknownIdError, KeyError) and issubclass(UnknownIdError, RecsysError)
    assert issubclass(IdOutOfRangeError, IndexError)
    assert issubclass(InvalidArgumentError, ValueError)
    assert issubclass(ModelFitError, RecsysError)


def test_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        AlternatingLeastSquares().recommend(0, sp.csr_matrix((1, 3)))


@pytest.mark.parametrize(
    "matrix",
    [
        sp.csr_matrix((3, 4), dtype=np.float32),  # no interactions
        sp.csr_matrix((0, 0), dtype=np.float32),  # empty
        sp.csr_matrix(np.array([[1.0, np.nan], [0.0, 1.0]], dtype=np.float32)),
        sp.csr_matrix(np.array([[1.0, np.inf], [0.0, 1.0]], dtype=np.float32)),
    ],
)
def test_bad_training_matrix(matrix: sp.csr_matrix) -> None:
    with pytest.raises(ValueError):
        AlternatingLeastSquares(factors=2, iterations=1).fit(matrix, show_progress=False)


def test_bad_matrix_types() -> None:
    model = AlternatingLeastSquares(factors=2, iterations=1)
    with pytest.raises(ValueError):
        model.fit(np.ones((3, 3)), show_progress=False)
    with pytest.raises(ValueError):
        model.fit(sp.csr_matrix(np.ones((2, 2), dtype=np.complex64)), show_progress=False)
    with pytest.raises(ValueError):
        model.fit([[1, 2]], show_progress=False)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(factors=0),
        dict(factors=-3),
        dict(regularization=-1.0),
        dict(regularization=float("nan")),
        dict(alpha=0.0),
        dict(iterations=-1),
        dict(iterations=0, factors=0),
        dict(iterations=0, alpha=0.0),
        dict(random_state=-1),
        dict(random_state="seed"),
    ],
)
def test_bad_hyper_parameters(user_items: sp.csr_matrix, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        AlternatingLeastSquares(**kwargs).fit(user_items, show_progress=False)


def test_use_gpu_rejected() -> None:
    with pytest.raises(ValueError):
        AlternatingLeastSquares(use_gpu=True)


def test_ids_out_of_range(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    for call in (
        lambda: fitted.recommend(60, user_items[0]),
        lambda: fitted.recommend(-1, user_items[0]),
        lambda: fitted.recommend(np.array([0, 60]), user_items[:2]),
        lambda: fitted.recommend(np.array([0, -2]), user_items[:2]),
        lambda: fitted.recommend(0, user_items[0], filter_items=[40]),
        lambda: fitted.recommend(0, user_items[0], items=[-1]),
        lambda: fitted.similar_items(40),
        lambda: fitted.similar_items(-1),
        lambda: fitted.similar_users(60),
        lambda: fitted.similar_items(np.array([1, 99])),
        lambda: fitted.explain(0, user_items, 40),
        lambda: fitted.explain(61, user_items, 1),
    ):
        with pytest.raises(IndexError):
            call()


def test_wrong_rows_and_columns(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    with pytest.raises(ValueError):
        fitted.recommend(0, user_items)  # implicit expects the user's row
    with pytest.raises(ValueError):
        fitted.recommend(np.arange(3), user_items[:2])
    with pytest.raises(ValueError):
        fitted.recommend(0, user_items[0].toarray())
    wide = sp.csr_matrix(([1.0], ([0], [45])), shape=(1, 50))
    with pytest.raises(IndexError):
        fitted.recommend(0, wide)
    nan_row = sp.csr_matrix(([np.nan], ([0], [1])), shape=(1, 40))
    with pytest.raises(ValueError):
        fitted.recommend(0, nan_row, recalculate_user=True)


def test_bad_counts_and_ids(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    with pytest.raises(ValueError):
        fitted.recommend(0, user_items[0], N=-1)
    with pytest.raises(ValueError):
        fitted.recommend(0, user_items[0], N=2.5)
    with pytest.raises(ValueError):
        fitted.recommend("0", user_items[0])
    with pytest.raises(ValueError):
        fitted.recommend(np.array([0.5]), user_items[:1])
    with pytest.raises(ValueError):
        fitted.recommend(np.zeros((2, 2), dtype=int), user_items[:2])
    ids, _ = fitted.recommend(0, user_items[0], N=0)
    assert len(ids) == 0
    empty_ids, _ = fitted.recommend(np.array([], dtype=np.int64), user_items[:0], N=3)
    assert empty_ids.shape == (0, 3)


def test_bad_explain_weights(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    with pytest.raises(ValueError):
        fitted.explain(0, user_items, 1, user_weights=np.eye(3))
    with pytest.raises(ValueError):
        fitted.explain(0, user_items, 1, user_weights=np.zeros((8, 8)))
    with pytest.raises(ValueError):
        fitted.explain(0, user_items, 1, user_weights=np.full((8, 8), np.nan))


def test_bad_factor_assignment(fitted: AlternatingLeastSquares) -> None:
    model = AlternatingLeastSquares(factors=8)
    model.user_factors = fitted.user_factors
    with pytest.raises(ValueError):
        model.item_factors = np.ones((5, 3), dtype=np.float32)
    with pytest.raises(ValueError):
        model.item_factors = np.full((5, 8), np.nan, dtype=np.float32)


def test_huge_n_means_everything(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    for n in (2**62, 2**64, 10**30):
        ids, _ = fitted.recommend(0, user_items[0], N=n)
        assert sorted(ids) == list(range(40))  # liked items last, as implicit
        batch, _ = fitted.similar_items(np.arange(2), N=n)
        assert batch.shape == (2, 40)


def test_absurd_iteration_counts_are_refused_not_run_for_days() -> None:
    matrix = sp.csr_matrix(np.ones((3, 3), dtype=np.float32))
    with pytest.raises(InvalidArgumentError, match="iterations"):
        AlternatingLeastSquares(factors=2, iterations=10**12).fit(matrix, show_progress=False)
    with pytest.raises(InvalidArgumentError, match="epochs"):
        Recommender.fit([("u", "i", 4.0, 1)], ratings={"epochs": 10**7}, show_progress=False)
