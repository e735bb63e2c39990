"""Side by side with the `implicit` library (skipped only if implicit cannot be imported)."""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pytest
import scipy.sparse as sp

from recsys import evaluation
from recsys.als import AlternatingLeastSquares

from conftest import make_matrix

implicit = pytest.importorskip("implicit", reason="implicit is not installed (pip install implicit)")
from implicit.als import AlternatingLeastSquares as ImplicitALS  # noqa: E402
import implicit.evaluation as implicit_evaluation  # noqa: E402

PARAMS = dict(factors=8, regularization=0.05, alpha=2.0, iterations=15, random_state=0)


@pytest.fixture(scope="module")
def data() -> sp.csr_matrix:
    return make_matrix(n_users=120, n_items=60, per_user=8, seed=5)


@pytest.fixture(scope="module")
def pair(data: sp.csr_matrix):
    return fit_both(data)


def theirs_model(**params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # implicit warns about BLAS threads
        return ImplicitALS(**params, use_gpu=False)


def fit_both(train: sp.csr_matrix):
    ours = AlternatingLeastSquares(**PARAMS)
    ours.fit(train, show_progress=False)
    theirs = theirs_model(**PARAMS)
    theirs.fit(train, show_progress=False)
    return ours, theirs


def test_same_signature_defaults() -> None:
    import inspect

    ours = inspect.signature(AlternatingLeastSquares.__init__).parameters
    theirs = inspect.signature(ImplicitALS).parameters
    for name, parameter in theirs.items():
        if name == "use_gpu":
            continue
        assert name in ours, name
        assert ours[name].default == parameter.default, name
    for method in ("recommend", "similar_items", "similar_users", "explain", "fit",
                   "recalculate_user", "partial_fit_users", "partial_fit_items"):
        ours_m = list(inspect.signature(getattr(AlternatingLeastSquares, method)).parameters)
        theirs_m = list(inspect.signature(getattr(type(theirs_model()), method)).parameters)
        assert ours_m == theirs_m, method


def test_shapes_and_dtypes_agree(pair, data: sp.csr_matrix) -> None:
    ours, theirs = pair
    assert ours.user_factors.shape == theirs.user_factors.shape
    assert ours.item_factors.dtype == theirs.item_factors.dtype
    for model in pair:
        ids, scores = model.recommend(0, data[0], N=5)
        assert ids.shape == (5,) and ids.dtype == np.int32 and scores.dtype == np.float32
        batch, _ = model.recommend(np.arange(10), data[:10], N=5)
        assert batch.shape == (10, 5)


def test_scores_match_their_own_factors(pair, data: sp.csr_matrix) -> None:
    """Given implicit's factors, recsys recommends exactly what implicit does."""
    ours, theirs = pair
    clone = AlternatingLeastSquares(**PARAMS)
    clone.user_factors = theirs.user_factors
    clone.item_factors = theirs.item_factors
    users = np.arange(data.shape[0])
    a, sa = clone.recommend(users, data, N=10)
    b, sb = theirs.recommend(users, data, N=10)
    np.testing.assert_allclose(sa, sb, rtol=1e-4, atol=1e-5)
    assert (a == b).mean() > 0.99  # ties may order differently
    for u in (0, 7, 33):
        for kwargs in (dict(filter_items=[1, 2, 3]), dict(items=[0, 2, 4, 6, 8, 10]),
                       dict(filter_already_liked_items=False), dict(recalculate_user=True)):
            ia, sa1 = clone.recommend(u, data[u], N=4, **kwargs)
            ib, sb1 = theirs.recommend(u, data[u], N=4, **kwargs)
            np.testing.assert_allclose(sa1, sb1, rtol=1e-3, atol=1e-4, err_msg=str(kwargs))
            np.testing.assert_array_equal(ia, ib, err_msg=str(kwargs))
    ia, sa2 = clone.similar_items(5, N=6)
    ib, sb2 = theirs.similar_items(5, N=6)
    assert ia[0] == ib[0] == 5
    np.testing.assert_array_equal(ia, ib)
    np.testing.assert_allclose(sa2, sb2, rtol=1e-4, atol=1e-5)
    ua, _ = clone.similar_users(4, N=5)
    ub, _ = theirs.similar_users(4, N=5)
    np.testing.assert_array_equal(ua, ub)
    xa = clone.recalculate_user(3, data[3])
    xb = theirs.recalculate_user(3, data[3])
    np.testing.assert_allclose(xa, xb, rtol=1e-3, atol=1e-4)


def test_explain_matches(pair, data: sp.csr_matrix) -> None:
    ours, theirs = pair
    clone = AlternatingLeastSquares(**PARAMS)
    clone.user_factors = theirs.user_factors
    clone.item_factors = theirs.item_factors
    for item in (1, 2, 30):
        sa, ca, _ = clone.explain(0, data, item, N=3)
        sb, cb, _ = theirs.explain(0, data, item, N=3)
        assert sa == pytest.approx(sb, rel=1e-3, abs=1e-4)
        assert [i for i, _ in ca] == [int(i) for i, _ in cb]
        np.testing.assert_allclose([c for _, c in ca], [c for _, c in cb], rtol=1e-3, atol=1e-4)


def test_self_first_and_filters_both(pair, data: sp.csr_matrix) -> None:
    for model in pair:
        ids, _ = model.similar_items(9, N=5)
        assert ids[0] == 9
        ids, _ = model.recommend(0, data[0], N=5)
        assert not set(ids) & set(data[0].indices)


def test_quality_comparable(data: sp.csr_matrix) -> None:
    train, test = evaluation.train_test_split(data, 0.8, random_state=1)
    ours, theirs = fit_both(train)
    p_ours = evaluation.precision_at_k(ours, train, test, K=10, show_progress=False)
    p_theirs = evaluation.precision_at_k(theirs, train, test, K=10, show_progress=False)
    assert p_ours > 0.5 * p_theirs


def test_evaluation_agrees_numerically(pair, data: sp.csr_matrix) -> None:
    """Our evaluation functions and implicit's give the same numbers on the same lists."""
    train, test = implicit_evaluation.train_test_split(data, 0.8, random_state=2)
    _, theirs = pair
    for model in pair:
        ours_metrics = evaluation.ranking_metrics_at_k(model, train, test, K=5, show_progress=False)
        theirs_metrics = implicit_evaluation.ranking_metrics_at_k(model, train, test, K=5, show_progress=False)
        for key in ("precision", "map", "ndcg", "auc"):
            assert ours_metrics[key] == pytest.approx(theirs_metrics[key], rel=1e-9), key


def test_loss_matches_implicit(pair, data: sp.csr_matrix) -> None:
    from implicit.cpu._als import calculate_loss

    _, theirs = pair
    clone = AlternatingLeastSquares(**PARAMS)
    clone.user_factors = theirs.user_factors
    clone.item_factors = theirs.item_factors
    expected = calculate_loss(PARAMS["alpha"] * data, theirs.user_factors, theirs.item_factors,
                              PARAMS["regularization"])
    assert clone.loss(data) == pytest.approx(expected, rel=1e-4)
    model = AlternatingLeastSquares(**PARAMS, calculate_training_loss=True)
    model.fit(data, show_progress=False)
    assert model.training_loss_ == pytest.approx(model.loss(data))


def test_leave_k_out_matches_implicit_counts(data: sp.csr_matrix) -> None:
    ours_train, ours_test = evaluation.leave_k_out_split(data, K=2, random_state=3)
    theirs_train, theirs_test = implicit_evaluation.leave_k_out_split(data, K=2, random_state=3)
    np.testing.assert_array_equal(np.diff(ours_test.indptr), np.diff(theirs_test.indptr))
    assert ours_train.nnz == theirs_train.nnz
