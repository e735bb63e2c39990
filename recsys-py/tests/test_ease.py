"""EASE: weights against a numpy reference, recommend / similar_items, persistence, errors."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import recsys
from recsys.ease import EASE

from conftest import make_matrix


def numpy_b(x: sp.csr_matrix, lam: float) -> np.ndarray:
    g = (x.T @ x).toarray().astype(np.float64)
    g[np.diag_indices_from(g)] += lam
    p = np.linalg.inv(g)
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    return b


@pytest.mark.parametrize("binary", [True, False])
def test_weights_and_scores_match_numpy(user_items: sp.csr_matrix, binary: bool) -> None:
    model = EASE(regularization=5.0, binary=binary, num_threads=1)
    model.fit(user_items)
    x = user_items.copy()
    if binary:
        x.data = (x.data > 0).astype(np.float64)
    b = numpy_b(x, 5.0)
    n = user_items.shape[1]
    for i in range(0, n, 7):
        for j in range(n):
            assert model.model.weight(i, j) == pytest.approx(b[i, j], abs=1e-5)
    ids, scores = model.recommend(3, user_items[3], N=5)
    expected = (x[3] @ b).ravel()
    expected[user_items[3].indices] = -np.inf
    assert scores[-1] >= np.sort(expected)[::-1][4] - 1e-5
    np.testing.assert_allclose(scores, expected[ids], rtol=1e-4, atol=1e-5)


def test_batch_recommend_filters_and_pads(user_items: sp.csr_matrix) -> None:
    model = EASE(regularization=10.0)
    model.fit(user_items)
    users = np.arange(5)
    ids, scores = model.recommend(users, user_items[users], N=4)
    assert ids.shape == (5, 4) and scores.shape == (5, 4)
    for row, u in zip(ids, users):
        assert not set(row) & set(user_items[u].indices)
        single, _ = model.recommend(int(u), user_items[u], N=4)
        assert list(single) == list(row)
    ids, _ = model.recommend(users, user_items[users], N=10, items=np.array([1, 2]))
    assert ids.shape == (5, 2)
    ids, _ = model.recommend(0, user_items[0], N=3, filter_items=np.array([0, 1, 2, 3]))
    assert not set(ids) & {0, 1, 2, 3}
    similar, weights = model.similar_items(2, N=3)
    assert 2 not in similar and list(weights) == sorted(weights, reverse=True)


def test_persistence_round_trips(user_items: sp.csr_matrix, tmp_path) -> None:
    model = EASE(regularization=10.0, neighbors=5)
    model.fit(user_items)
    assert model.model.nnz == 5 * user_items.shape[1]
    path = tmp_path / "ease.recsys"
    model.save(path)
    loaded = EASE.load(path)
    buffer = io.BytesIO()
    model.save(buffer)
    from_bytes = EASE.load(io.BytesIO(buffer.getvalue()))
    pickled = pickle.loads(pickle.dumps(model))
    expected = model.recommend(1, user_items[1])
    for other in (loaded, from_bytes, pickled):
        np.testing.assert_array_equal(other.recommend(1, user_items[1])[0], expected[0])
    assert loaded.regularization == 10.0 and loaded.binary


def test_errors_are_clear(user_items: sp.csr_matrix) -> None:
    with pytest.raises(recsys.NotFittedError):
        EASE().recommend(0, user_items[0])
    with pytest.raises(recsys.InvalidArgumentError):
        EASE(regularization=0.0).fit(user_items)
    with pytest.raises(recsys.InvalidArgumentError, match="max_items"):
        EASE(max_items=3).fit(user_items)
    capped = EASE(max_items=3, most_popular=True)
    capped.fit(user_items)
    ids, _ = capped.recommend(0, user_items[0], N=40, filter_already_liked_items=False)
    assert len(ids) <= 3
    model = EASE(regularization=10.0)
    model.fit(user_items)
    with pytest.raises(recsys.IdOutOfRangeError):
        model.similar_items(10_000)
    with pytest.raises(recsys.InvalidArgumentError):
        model.recommend(np.arange(3), user_items[:2])
    with pytest.raises(recsys.CorruptModelError):
        EASE.load(io.BytesIO(b"RECSYS\0\x1a garbage"))


def test_a_planted_pair_is_recommended() -> None:
    # Items 0 and 1 always together; a user with item 0 gets item 1 first.
    rows = [[0, 1], [0, 1], [0, 1], [2, 3], [2, 3], [0]]
    data = make_rows(rows, 4)
    model = EASE(regularization=0.5)
    model.fit(data)
    ids, _ = model.recommend(5, data[5], N=1)
    assert ids[0] == 1


def make_rows(rows, n_items: int) -> sp.csr_matrix:
    indptr, indices = [0], []
    for r in rows:
        indices.extend(r)
        indptr.append(len(indices))
    return sp.csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(len(rows), n_items))
