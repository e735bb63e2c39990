"""AlternatingLeastSquares: fitting, recommend, similar, explain, partial fit, factors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import recsys
from recsys.als import AlternatingLeastSquares

from conftest import make_matrix


def test_defaults_match_implicit() -> None:
    model = AlternatingLeastSquares()
    assert (model.factors, model.regularization, model.alpha, model.iterations) == (100, 0.01, 1.0, 15)
    assert model.dtype == np.float32 and model.use_cg and model.num_threads == 0
    assert model.random_state is None and model.cg_steps == 3
    assert model.user_factors is None and model.item_factors is None
    assert recsys.AlternatingLeastSquares is AlternatingLeastSquares


def test_fit_shapes_and_determinism(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    assert fitted.user_factors.shape == (60, 8)
    assert fitted.item_factors.shape == (40, 8)
    assert fitted.user_factors.dtype == np.float32
    again = AlternatingLeastSquares(factors=8, iterations=8, regularization=0.05, random_state=7, num_threads=1)
    again.fit(user_items, show_progress=False)
    np.testing.assert_array_equal(again.user_factors, fitted.user_factors)
    other = AlternatingLeastSquares(factors=8, iterations=8, regularization=0.05, random_state=8)
    other.fit(user_items, show_progress=False)
    assert not np.array_equal(other.user_factors, fitted.user_factors)


def test_factor_getters_are_read_only_views_without_a_copy(user_items: sp.csr_matrix) -> None:
    model = AlternatingLeastSquares(factors=4, iterations=2, random_state=1)
    model.fit(user_items, show_progress=False)
    core = model.model
    first, second = core.user_factors, core.user_factors
    # Two calls view the same memory (the model's own): nothing was copied.
    assert np.shares_memory(first, second) and first.base is not None
    assert not first.flags.writeable
    with pytest.raises(ValueError):
        first[0, 0] = 1.0
    items = core.item_factors
    before = first.copy()
    # Growing the model (new user 60) copies it first: the old view keeps its values.
    model.partial_fit_users([0, 60], user_items[[1, 2]])
    np.testing.assert_array_equal(first, before)
    assert core.user_factors.shape == (61, 4) and items.shape == (40, 4)
    del model, core
    assert float(np.abs(first).sum()) == float(np.abs(before).sum())  # still alive


def test_fit_accepts_coo_csc_ints_and_float64() -> None:
    m = make_matrix()
    for variant in (m.tocoo(), m.tocsc(), m.astype(np.float64), m.astype(np.int64)):
        model = AlternatingLeastSquares(factors=4, iterations=2, random_state=1)
        model.fit(variant, show_progress=False)
        assert model.item_factors.shape == (40, 4)


def test_dtype_float64_factors(user_items: sp.csr_matrix) -> None:
    model = AlternatingLeastSquares(factors=4, iterations=2, dtype=np.float64, random_state=1)
    model.fit(user_items, show_progress=False)
    assert model.user_factors.dtype == np.float64


def test_callback_and_progress(user_items: sp.csr_matrix) -> None:
    calls = []
    model = AlternatingLeastSquares(factors=4, iterations=3, random_state=1)
    model.fit(user_items, show_progress=True, callback=lambda it, seconds, loss: calls.append((it, loss)))
    assert calls == [(0, None), (1, None), (2, None)]
    model.fit_callback = lambda it, seconds, loss: calls.append(it)
    model.fit(user_items, show_progress=False)
    assert calls[-3:] == [0, 1, 2]


def test_training_loss_is_reported_every_iteration(user_items: sp.csr_matrix) -> None:
    calls = []
    model = AlternatingLeastSquares(factors=4, iterations=4, random_state=1, calculate_training_loss=True)
    model.fit(user_items, show_progress=True, callback=lambda it, seconds, loss: calls.append((it, loss)))
    assert [it for it, _ in calls] == [0, 1, 2, 3]
    losses = [loss for _, loss in calls]
    assert all(isinstance(loss, float) and np.isfinite(loss) for loss in losses)
    assert losses[-1] <= losses[0]
    assert model.training_loss_ == pytest.approx(losses[-1])
    assert model.training_loss_ == pytest.approx(model.loss(user_items), rel=1e-5)


def test_callback_exception_propagates(user_items: sp.csr_matrix) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("stop")

    model = AlternatingLeastSquares(factors=4, iterations=2, random_state=1)
    with pytest.raises(RuntimeError, match="stop"):
        model.fit(user_items, show_progress=False, callback=boom)


def test_cholesky_solver(user_items: sp.csr_matrix) -> None:
    model = AlternatingLeastSquares(factors=4, iterations=3, use_cg=False, random_state=1)
    model.fit(user_items, show_progress=False)
    ids, _ = model.recommend(0, user_items[0], N=3)
    assert len(ids) == 3


def test_recommend_single_filters_liked(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    ids, scores = fitted.recommend(0, user_items[0], N=5)
    assert ids.dtype == np.int32 and scores.dtype == np.float32 and len(ids) == 5
    assert not set(ids) & set(user_items[0].indices)
    assert np.all(np.diff(scores) <= 0)
    expected = fitted.item_factors @ fitted.user_factors[0]
    np.testing.assert_allclose(scores, expected[ids], rtol=1e-4, atol=1e-5)
    # User 0 likes even items; the recommendations should be even too.
    assert sum(i % 2 == 0 for i in ids) >= 3


def test_recommend_without_filter_needs_no_matrix(fitted: AlternatingLeastSquares) -> None:
    ids, scores = fitted.recommend(3, None, N=40, filter_already_liked_items=False)
    assert len(ids) == 40 and sorted(ids) == list(range(40))


def test_recommend_n_larger_than_catalogue(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    """As implicit: every item is ranked, the liked ones last with score -FLT_MAX; batch rows
    never hold -1 (numpy would read it as the last item)."""
    from recsys.als import FILTERED_SCORE

    ids, scores = fitted.recommend(0, user_items[0], N=1000)
    assert sorted(ids) == list(range(40))
    liked = set(user_items[0].indices)
    unliked = 40 - len(liked)
    assert set(ids[unliked:]) == liked and np.all(scores[unliked:] == FILTERED_SCORE)
    assert np.all(scores[:unliked] > FILTERED_SCORE)
    batch_ids, batch_scores = fitted.recommend(np.arange(3), user_items[:3], N=1000)
    assert batch_ids.shape == (3, 40)
    for r in range(3):
        assert sorted(batch_ids[r]) == list(range(40))
        filtered = batch_scores[r] == FILTERED_SCORE
        assert set(batch_ids[r][filtered]) == set(user_items[r].indices)
        np.testing.assert_array_equal(batch_ids[r], fitted.recommend(r, user_items[r], N=1000)[0])


def test_recommend_batch_matches_single(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    users = np.array([5, 1, 17, 0])
    ids, scores = fitted.recommend(users, user_items[users], N=6)
    assert ids.shape == (4, 6)
    for r, u in enumerate(users):
        single_ids, single_scores = fitted.recommend(int(u), user_items[u], N=6)
        np.testing.assert_array_equal(ids[r], single_ids)
        np.testing.assert_allclose(scores[r], single_scores, rtol=1e-5)


def test_recommend_filter_items_and_items(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    top, _ = fitted.recommend(0, user_items[0], N=3)
    ids, _ = fitted.recommend(0, user_items[0], N=3, filter_items=top[:2])
    assert not set(top[:2]) & set(ids)
    allowed = [1, 3, 5, 2, 4]
    ids, _ = fitted.recommend(0, user_items[0], N=10, items=allowed)
    assert set(ids) <= set(allowed) - set(user_items[0].indices)
    batch, _ = fitted.recommend(np.arange(4), user_items[:4], N=10, items=allowed)
    assert batch.shape[1] == 5
    batch, _ = fitted.recommend(np.arange(4), user_items[:4], N=3, filter_items=top[:2])
    assert not set(batch.ravel()) & set(top[:2])
    with pytest.raises(ValueError):
        fitted.recommend(0, user_items[0], items=[1], filter_items=[2])


def test_recalculate_user(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    x = fitted.recalculate_user(0, user_items[0])
    assert x.shape == (8,)
    ids, scores = fitted.recommend(0, user_items[0], N=5, recalculate_user=True)
    np.testing.assert_allclose(scores, (fitted.item_factors @ x)[ids], rtol=1e-4, atol=1e-5)
    many = fitted.recalculate_user(np.arange(3), user_items[:3])
    np.testing.assert_allclose(many[0], x, rtol=1e-5)
    batch, _ = fitted.recommend(np.arange(3), user_items[:3], N=5, recalculate_user=True)
    np.testing.assert_array_equal(batch[0], ids)
    # A brand-new user (id past the end) works with recalculate_user.
    new_ids, _ = fitted.recommend(10_000, user_items[0], N=5, recalculate_user=True)
    np.testing.assert_array_equal(new_ids, ids)


def test_similar_items_and_users(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    ids, scores = fitted.similar_items(4, N=5)
    assert ids[0] == 4 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert np.all(np.diff(scores) <= 1e-6)
    ids, _ = fitted.similar_items(4, N=5, filter_items=[4])
    assert 4 not in ids
    ids, _ = fitted.similar_items(4, N=5, items=[1, 2, 3])
    assert set(ids) <= {1, 2, 3}
    batch, _ = fitted.similar_items(np.array([4, 6]), N=3)
    assert batch.shape == (2, 3) and list(batch[:, 0]) == [4, 6]
    item_users = user_items.T.tocsr()
    ids, _ = fitted.similar_items(4, N=3, recalculate_item=True, item_users=item_users[4])
    assert len(ids) == 3
    users, _ = fitted.similar_users(2, N=4)
    assert users[0] == 2
    users, _ = fitted.similar_users(2, N=4, filter_users=[2])
    assert 2 not in users
    users, _ = fitted.similar_users(2, N=4, users=[1, 3, 5])
    assert set(users) <= {1, 3, 5}


def test_explain_decomposes_fold_in_score(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    x = fitted.recalculate_user(0, user_items[0])
    for item in (1, 2, 10):
        score, contributions, weights = fitted.explain(0, user_items, item)
        assert score == pytest.approx(float(fitted.item_factors[item] @ x), rel=1e-3, abs=1e-4)
        assert len(contributions) == user_items[0].nnz
        assert {i for i, _ in contributions} == set(user_items[0].indices)
        assert sum(c for _, c in contributions) == pytest.approx(score, rel=1e-6, abs=1e-9)
    again, top, _ = fitted.explain(0, user_items[0], 10, user_weights=weights, N=2)
    assert again == pytest.approx(score) and len(top) == 2


def test_partial_fit_users_and_items(user_items: sp.csr_matrix) -> None:
    model = AlternatingLeastSquares(factors=4, iterations=3, random_state=1)
    model.fit(user_items, show_progress=False)
    new_rows = user_items[[0, 1]]
    model.partial_fit_users([60, 61], new_rows)
    assert model.user_factors.shape == (62, 4)
    np.testing.assert_allclose(model.user_factors[60], model.recalculate_user(0, user_items[0]), rtol=1e-5)
    ids, _ = model.recommend(61, new_rows[1], N=3)
    assert len(ids) == 3
    item_users = user_items.T.tocsr()
    model.partial_fit_items([40], item_users[[3]])
    assert model.item_factors.shape == (41, 4)
    with pytest.raises(ValueError):
        model.partial_fit_users([1, 2], new_rows[:1])


def test_factor_assignment(fitted: AlternatingLeastSquares) -> None:
    model = AlternatingLeastSquares(factors=8)
    model.user_factors = fitted.user_factors
    assert model.user_factors is not None
    model.item_factors = fitted.item_factors * 2
    ids, scores = model.recommend(0, None, N=3, filter_already_liked_items=False)
    ref_ids, ref_scores = fitted.recommend(0, None, N=3, filter_already_liked_items=False)
    np.testing.assert_array_equal(ids, ref_ids)
    np.testing.assert_allclose(scores, 2 * ref_scores, rtol=1e-5)
    with pytest.raises(ValueError):
        fitted.user_factors[0, 0] = 1.0  # read-only: edits would not reach the model


def test_num_threads_pool(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    model = AlternatingLeastSquares(factors=8, iterations=8, regularization=0.05, random_state=7, num_threads=2)
    model.fit(user_items, show_progress=False)
    np.testing.assert_array_equal(model.item_factors, fitted.item_factors)
    ids, _ = model.recommend(np.arange(60), user_items, N=4)
    ref, _ = fitted.recommend(np.arange(60), user_items, N=4)
    np.testing.assert_array_equal(ids, ref)


def test_similar_items_recalculated_batch(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    item_users = user_items.T.tocsr()
    ids, scores = fitted.similar_items(
        np.array([4, 6]), N=3, recalculate_item=True, item_users=item_users[[4, 6]]
    )
    assert ids.shape == scores.shape == (2, 3)
    single, _ = fitted.similar_items(6, N=3, recalculate_item=True, item_users=item_users[6])
    np.testing.assert_array_equal(ids[1], single)
    with pytest.raises(ValueError):
        fitted.similar_items(np.array([4, 6]), N=3, recalculate_item=True, item_users=item_users[[4]])


def test_cg_steps_attribute(user_items: sp.csr_matrix) -> None:
    model = AlternatingLeastSquares(factors=4, iterations=2, random_state=1)
    model.cg_steps = 0
    with pytest.raises(ValueError):
        model.fit(user_items, show_progress=False)
    model.cg_steps = 1
    model.fit(user_items, show_progress=False)
    assert model.user_factors.shape == (60, 4)


def test_random_state_kinds(user_items: sp.csr_matrix) -> None:
    for state in (None, 3, np.random.RandomState(3), np.random.default_rng(3)):
        model = AlternatingLeastSquares(factors=4, iterations=2, random_state=state)
        model.fit(user_items, show_progress=False)
        assert np.isfinite(model.user_factors).all()


def test_fit_releases_the_gil() -> None:
    """Another Python thread keeps running while the core fits (on one thread)."""
    import threading
    import time

    big = make_matrix(n_users=3000, n_items=400, per_user=30, seed=2)
    model = AlternatingLeastSquares(factors=64, iterations=20, random_state=1, num_threads=1)
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        time.sleep(0.2)
        free_rate = ticks / 0.2  # the main thread sleeps: the counter runs freely
        before, started = ticks, time.perf_counter()
        model.fit(big, show_progress=False)
        seconds = time.perf_counter() - started
        during = ticks - before
    finally:
        done.set()
        counter.join()
    # Holding the GIL would leave the counter a few 5 ms switch intervals (~1-3 % of the fit).
    assert during > 0.1 * free_rate * seconds, (during, free_rate, seconds)
