"""save/load, pickling, corrupted and missing files."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from recsys import CorruptModelError, ModelNotFoundError
from recsys.als import AlternatingLeastSquares


def test_save_load_round_trip(tmp_path: Path, user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    path = tmp_path / "model.recsys"
    fitted.save(path)
    loaded = AlternatingLeastSquares.load(str(path))
    np.testing.assert_array_equal(loaded.user_factors, fitted.user_factors)
    np.testing.assert_array_equal(loaded.item_factors, fitted.item_factors)
    assert loaded.regularization == pytest.approx(fitted.regularization)
    np.testing.assert_array_equal(loaded.recommend(3, user_items[3])[0], fitted.recommend(3, user_items[3])[0])


def test_file_objects(fitted: AlternatingLeastSquares) -> None:
    buffer = io.BytesIO()
    fitted.save(buffer)
    buffer.seek(0)
    loaded = AlternatingLeastSquares.load(buffer)
    np.testing.assert_array_equal(loaded.item_factors, fitted.item_factors)
    assert AlternatingLeastSquares.from_bytes(fitted.to_bytes()).user_factors.shape == (60, 8)


def test_pickle(user_items: sp.csr_matrix, fitted: AlternatingLeastSquares) -> None:
    fitted.fit_callback = None
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.user_factors, fitted.user_factors)
    assert copy.iterations == fitted.iterations and copy.dtype == fitted.dtype
    unfitted = pickle.loads(pickle.dumps(AlternatingLeastSquares(factors=3)))
    assert unfitted.factors == 3 and unfitted.user_factors is None
    core = pickle.loads(pickle.dumps(fitted.model))
    assert core.n_users == 60


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        AlternatingLeastSquares.load(tmp_path / "absent.recsys")
    with pytest.raises(ModelNotFoundError):
        AlternatingLeastSquares.load(str(tmp_path / "absent.recsys"))


def test_corrupted_and_truncated(tmp_path: Path, fitted: AlternatingLeastSquares) -> None:
    data = fitted.to_bytes()
    path = tmp_path / "bad.recsys"
    for damaged in (
        data[: len(data) // 2],
        data[:5],
        b"",
        b"not a model at all",
        data[:40] + bytes([data[40] ^ 0xFF]) + data[41:],
        data + b"trailing",
    ):
        path.write_bytes(damaged)
        with pytest.raises(CorruptModelError):
            AlternatingLeastSquares.load(path)
        with pytest.raises(ValueError):
            AlternatingLeastSquares.from_bytes(damaged)


def test_unfitted_model_saves_its_settings(tmp_path: Path) -> None:
    """As implicit: an unfitted model saves and loads its settings (and nothing else)."""
    model = AlternatingLeastSquares(factors=7, iterations=3, use_cg=False, num_threads=1, random_state=5)
    path = tmp_path / "settings.recsys"
    model.save(path)
    loaded = AlternatingLeastSquares.load(path)
    assert loaded.__dict__ == model.__dict__
    assert loaded.user_factors is None and loaded.item_factors is None
    assert AlternatingLeastSquares.from_bytes(model.to_bytes()).__dict__ == model.__dict__
    with pytest.raises(RuntimeError):
        loaded.recommend(0, None, filter_already_liked_items=False)
