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


# ------------------------------------------------------------------ implicit 0.7.3's behaviour
FLT_MAX = np.finfo(np.float32).max


def clone_of(theirs) -> AlternatingLeastSquares:
    clone = AlternatingLeastSquares(**PARAMS)
    clone.user_factors = theirs.user_factors
    clone.item_factors = theirs.item_factors
    return clone


def test_recommend_pads_to_n_with_liked_items_last(pair, data: sp.csr_matrix) -> None:
    """N beyond the unliked items: both rank every item, liked ones last at -FLT_MAX."""
    _, theirs = pair
    clone = clone_of(theirs)
    n_items = data.shape[1]
    for u in (0, 3):
        liked = set(data[u].indices)
        k = n_items - len(liked)
        a, sa = clone.recommend(u, data[u], N=n_items)
        b, sb = theirs.recommend(u, data[u], N=n_items)
        assert len(a) == len(b) == n_items
        np.testing.assert_array_equal(a[:k], b[:k])
        np.testing.assert_allclose(sa[:k], sb[:k], rtol=1e-4, atol=1e-5)
        assert set(a[k:]) == set(b[k:]) == liked
        assert np.all(sa[k:] == -FLT_MAX) and np.all(sb[k:] == -FLT_MAX)
        # filter_items are ranked last too
        a, sa = clone.recommend(u, data[u], N=n_items, filter_items=[1, 2])
        b, sb = theirs.recommend(u, data[u], N=n_items, filter_items=[1, 2])
        assert len(a) == len(b) and set(a) == set(b) == set(range(n_items))
        assert set(a[sa == -FLT_MAX]) == set(b[sb == -FLT_MAX]) == liked | {1, 2}


def test_recommend_items_ranks_every_given_item(pair, data: sp.csr_matrix) -> None:
    _, theirs = pair
    clone = clone_of(theirs)
    u = 0
    liked = data[u].indices
    items = np.concatenate([liked[:3], [i for i in range(data.shape[1]) if i not in set(liked)][:4]])
    for model in (clone, theirs):
        ids, scores = model.recommend(u, data[u], items=items, N=20)
        assert len(ids) == len(items) and set(ids) == set(items)
        assert set(ids[4:]) == set(liked[:3]) and np.all(scores[4:] == -FLT_MAX)
    a, _ = clone.recommend(u, data[u], items=items, N=20)
    b, _ = theirs.recommend(u, data[u], items=items, N=20)
    np.testing.assert_array_equal(a[:4], b[:4])


def test_recommend_items_given_twice_are_ranked_twice(pair, data: sp.csr_matrix) -> None:
    """implicit ranks ``items`` as given, repeats included: lists are len(items) long."""
    _, theirs = pair
    clone = clone_of(theirs)
    u = 0
    liked = data[u].indices
    unliked = [i for i in range(data.shape[1]) if i not in set(liked)]
    items = [unliked[0], liked[0], unliked[1], unliked[0], unliked[2], unliked[1]]
    for n in (20, 4):
        a, sa = clone.recommend(u, data[u], items=items, N=n)
        b, sb = theirs.recommend(u, data[u], items=items, N=n)
        assert len(a) == len(b) == min(n, len(items))
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(sa, sb, rtol=1e-4, atol=1e-5)
    # (users who like none of the repeated items: see the liked case below)
    users = np.array([v for v in range(30) if not {unliked[0], unliked[1]} & set(data[v].indices)][:6])
    a, sa = clone.recommend(users, data[users], items=items, N=20)
    b, sb = theirs.recommend(users, data[users], items=items, N=20)
    assert a.shape == b.shape == (len(users), len(items))
    for r in range(len(users)):
        assert sorted(a[r]) == sorted(b[r])
    np.testing.assert_allclose(np.sort(sa, axis=1), np.sort(sb, axis=1), rtol=1e-4, atol=1e-5)
    # A liked item given twice: implicit filters only its first copy (the other is ranked by
    # score); recsys ranks every copy last, as liked.
    twice = [liked[0], unliked[0], liked[0]]
    a, sa = clone.recommend(u, data[u], items=twice)
    b, sb = theirs.recommend(u, data[u], items=twice)
    assert len(a) == len(b) == 3 and sorted(a) == sorted(b)
    assert list(a) == [unliked[0], liked[0], liked[0]] and list(sa[1:]) == [-FLT_MAX, -FLT_MAX]
    assert list(sb).count(-FLT_MAX) == 1


def test_similar_ranks_filtered_last_and_ids_keep_the_given_dtype(pair, data: sp.csr_matrix) -> None:
    """similar_items/similar_users rank filtered ids last (implicit: -FLT_MAX divided by the
    norms, so -inf or a huge negative number; recsys: -FLT_MAX); with items=/users= the ids
    have the given array's dtype (int64 for a Python list)."""
    _, theirs = pair
    clone = clone_of(theirs)
    n_items, n_users = data.shape[1], data.shape[0]
    for call in (
        lambda m: m.similar_items(4, N=n_items, filter_items=[1, 2]),
        lambda m: m.similar_items(np.arange(3), N=n_items, filter_items=[1, 2]),
        lambda m: m.similar_users(4, N=n_users, filter_users=[0, 9]),
    ):
        (a, sa), (b, sb) = call(clone), call(theirs)
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(sa < -1e30, sb < -1e30)
        filtered = np.atleast_2d(a)[np.atleast_2d(sa) < -1e30].reshape(-1, 2)
        assert all(set(row) in ({1, 2}, {0, 9}) for row in filtered)
    for given in ([0, 3, 5, 9], np.array([0, 3, 5, 9], dtype=np.int32), np.array([0, 3, 5, 9], dtype=np.int64)):
        for call in (
            lambda m: m.recommend(0, data[0], items=given),
            lambda m: m.recommend(np.arange(3), data[:3], items=given),
            lambda m: m.similar_items(3, items=given),
            lambda m: m.similar_users(3, users=given),
        ):
            (a, _), (b, _) = call(clone), call(theirs)
            assert a.dtype == b.dtype, (type(given), a.dtype, b.dtype)


def test_batch_calls_never_return_minus_one(pair, data: sp.csr_matrix) -> None:
    _, theirs = pair
    clone = clone_of(theirs)
    users = np.arange(10)
    n_items = data.shape[1]
    for kwargs in (dict(N=n_items), dict(N=n_items, filter_items=[0, 5]), dict(N=50, items=[1, 2, 3, 4, 5, 6])):
        a, sa = clone.recommend(users, data[users], **kwargs)
        b, sb = theirs.recommend(users, data[users], **kwargs)
        assert a.shape == b.shape and (a >= 0).all(), kwargs
        for r in range(len(users)):
            assert set(a[r]) == set(b[r]), kwargs
            np.testing.assert_array_equal(a[r] == -1, np.zeros(a.shape[1], bool))
    a, _ = clone.similar_items(np.arange(5), N=n_items, filter_items=[7, 8])
    assert a.shape == (5, n_items) and (a >= 0).all()
    assert all(set(row) == set(range(n_items)) for row in a)


def test_unfitted_models_save_and_load_settings(tmp_path) -> None:
    settings = dict(factors=5, regularization=0.5, alpha=3.0, iterations=4, use_cg=False,
                    num_threads=1, random_state=9, dtype=np.float64, calculate_training_loss=True)
    for cls, name in ((AlternatingLeastSquares, "ours.recsys"), (type(theirs_model()), "theirs.npz")):
        model = cls(**settings) if cls is AlternatingLeastSquares else theirs_model(**settings)
        model.save(str(tmp_path / name))
        loaded = cls.load(str(tmp_path / name))
        for key, value in settings.items():
            assert getattr(loaded, key) == value, (cls, key)
        assert loaded.user_factors is None
    assert AlternatingLeastSquares.load(tmp_path / "ours.recsys").__dict__ == AlternatingLeastSquares(**settings).__dict__


def test_save_load_keeps_every_setting(data: sp.csr_matrix, tmp_path) -> None:
    settings = dict(factors=6, regularization=0.2, alpha=2.0, iterations=3, use_cg=False,
                    num_threads=1, random_state=11, dtype=np.float64, use_native=False)
    ours = AlternatingLeastSquares(**settings)
    ours.fit(data, show_progress=False)
    ours.cg_steps = 5
    ours.save(tmp_path / "m.recsys")
    loaded = AlternatingLeastSquares.load(tmp_path / "m.recsys")
    for key, value in {**settings, "cg_steps": 5}.items():
        assert getattr(loaded, key) == value, key
    assert loaded.user_factors.dtype == np.float64
    np.testing.assert_array_equal(loaded.item_factors, ours.item_factors)
    theirs = theirs_model(**settings)
    theirs.fit(data, show_progress=False)
    theirs.save(str(tmp_path / "t.npz"))
    back = type(theirs).load(str(tmp_path / "t.npz"))
    assert all(getattr(back, key) == value for key, value in settings.items())


def test_zero_iterations_keeps_the_initial_factors(data: sp.csr_matrix) -> None:
    """Both accept iterations=0; with the same int random_state the factors are implicit's."""
    ours = AlternatingLeastSquares(factors=4, iterations=0, random_state=3, calculate_training_loss=True)
    theirs = theirs_model(factors=4, iterations=0, random_state=3, calculate_training_loss=True)
    calls = []
    ours.fit(data, show_progress=False, callback=lambda *a: calls.append(a))
    theirs.fit(data, show_progress=False)
    assert calls == [] and ours.training_loss_ is None
    np.testing.assert_array_equal(ours.user_factors, theirs.user_factors)
    np.testing.assert_array_equal(ours.item_factors, theirs.item_factors)
    assert 0 <= ours.item_factors.min() and ours.item_factors.max() < 0.01


def test_non_csr_input_warns_with_implicits_category(data: sp.csr_matrix) -> None:
    from implicit.utils import ParameterWarning as TheirWarning

    import recsys

    for matrix in (data.tocoo(), data.tocsc(), data.tolil()):
        for model in (AlternatingLeastSquares(**PARAMS), theirs_model(**PARAMS)):
            with pytest.warns(TheirWarning, match="CSR"):
                model.fit(matrix, show_progress=False)
        with pytest.warns(recsys.ParameterWarning):
            AlternatingLeastSquares(**PARAMS).fit(matrix, show_progress=False)
    ours = AlternatingLeastSquares(**PARAMS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours.fit(data, show_progress=False)  # CSR: silent
        with pytest.raises(TheirWarning):  # warned before converting: an error filter stops it
            ours.recalculate_user(0, data[0].tocoo())


def test_loads_a_model_saved_by_implicit(pair, data: sp.csr_matrix, tmp_path) -> None:
    _, theirs = pair
    theirs.save(str(tmp_path / "implicit_model"))  # numpy adds .npz
    for source in (str(tmp_path / "implicit_model"), tmp_path / "implicit_model.npz"):
        ours = AlternatingLeastSquares.load(source)
        np.testing.assert_array_equal(ours.user_factors, theirs.user_factors)
        np.testing.assert_array_equal(ours.item_factors, theirs.item_factors)
        for key in ("factors", "regularization", "alpha", "iterations", "use_cg", "random_state", "dtype"):
            assert getattr(ours, key) == getattr(theirs, key), key
        a, _ = ours.recommend(np.arange(20), data[:20], N=5)
        b, _ = theirs.recommend(np.arange(20), data[:20], N=5)
        assert (a == b).mean() > 0.99
    with open(tmp_path / "implicit_model.npz", "rb") as handle:
        assert AlternatingLeastSquares.load(handle).factors == theirs.factors
    theirs_model(factors=3).save(str(tmp_path / "unfitted.npz"))
    unfitted = AlternatingLeastSquares.load(str(tmp_path / "unfitted.npz"))
    assert unfitted.factors == 3 and unfitted.user_factors is None
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip")
    from recsys import CorruptModelError

    with pytest.raises(CorruptModelError):
        AlternatingLeastSquares.load(tmp_path / "broken.npz")


def test_public_attributes_match(pair, data: sp.csr_matrix) -> None:
    from implicit.cpu import _als

    _, theirs = pair
    clone = clone_of(theirs)
    np.testing.assert_allclose(clone.XtX, theirs.XtX, rtol=1e-5)
    np.testing.assert_allclose(clone.YtY, theirs.YtY, rtol=1e-5)
    np.testing.assert_allclose(clone.user_norms, theirs.user_norms, rtol=1e-5)
    np.testing.assert_allclose(clone.item_norms, theirs.item_norms, rtol=1e-5)
    Cui = (PARAMS["alpha"] * data).tocsr().astype(np.float32)
    ours_x = np.zeros_like(theirs.user_factors)
    theirs_x = np.zeros_like(theirs.user_factors)
    clone.solver(Cui, ours_x, theirs.item_factors, PARAMS["regularization"])
    _als.least_squares(Cui, theirs_x, theirs.item_factors, PARAMS["regularization"], num_threads=1)
    np.testing.assert_allclose(ours_x, theirs_x, rtol=1e-3, atol=1e-4)
    with pytest.raises(ValueError):
        clone.solver(Cui, np.zeros((3, 8), np.float32), theirs.item_factors, 0.1)
    # caches follow the factors
    clone.item_factors = theirs.item_factors * 2
    np.testing.assert_allclose(clone.YtY, 4 * theirs.YtY, rtol=1e-5)


def test_calculate_loss_in_implicits_place(pair, data: sp.csr_matrix) -> None:
    import implicit.cpu.als

    import recsys.als
    import recsys.cpu.als

    _, theirs = pair
    assert recsys.cpu.als.calculate_loss is recsys.als.calculate_loss
    assert recsys.cpu.als.AlternatingLeastSquares is AlternatingLeastSquares
    Cui = (PARAMS["alpha"] * data).tocsr()
    for reg in (0.0, 0.05, 3.0):
        expected = implicit.cpu.als.calculate_loss(Cui, theirs.user_factors, theirs.item_factors, reg)
        got = recsys.cpu.als.calculate_loss(Cui, theirs.user_factors, theirs.item_factors, reg)
        assert got == pytest.approx(expected, rel=1e-4)
