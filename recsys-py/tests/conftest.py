"""Shared fixtures: small generated interaction matrices and fitted models."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recsys.als import AlternatingLeastSquares


def make_matrix(n_users: int = 60, n_items: int = 40, per_user: int = 6, seed: int = 0) -> sp.csr_matrix:
    """Users in two taste groups (even / odd items) with a few counts each."""
    rng = np.random.default_rng(seed)
    rows, cols, vals = [], [], []
    for u in range(n_users):
        group = u % 2
        liked = rng.choice(np.arange(group, n_items, 2), size=per_user, replace=False)
        rows += [u] * per_user
        cols += liked.tolist()
        vals += rng.integers(1, 5, per_user).astype(np.float32).tolist()
    m = sp.csr_matrix((vals, (rows, cols)), shape=(n_users, n_items), dtype=np.float32)
    m.sort_indices()
    return m


@pytest.fixture(scope="session")
def user_items() -> sp.csr_matrix:
    return make_matrix()


@pytest.fixture(scope="session")
def fitted(user_items: sp.csr_matrix) -> AlternatingLeastSquares:
    model = AlternatingLeastSquares(factors=8, iterations=8, regularization=0.05, random_state=7)
    model.fit(user_items, show_progress=False)
    return model
