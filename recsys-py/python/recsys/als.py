"""Implicit-feedback ALS with the API of ``implicit.als.AlternatingLeastSquares`` (implicit 0.7).

Existing ``implicit`` code runs by changing only the import::

    from recsys.als import AlternatingLeastSquares   # was: from implicit.als import ...

The computations run in the Rust core (``recsys._recsys``); this module only adapts arguments.
Differences from implicit, all deliberate:

* ``fit`` always starts from a fresh seeded initialisation (implicit warm-starts from factors
  already present); the same ``random_state`` gives the same model for any ``num_threads``.
* Negative ids raise ``IndexError`` (numpy would silently count from the end).
* ``N`` larger than the number of eligible items: a single-user call returns only the eligible
  items; batch calls return ``min(N, n_items)`` columns padded with id ``-1`` and score
  ``-inf`` (implicit pads with id 0 and returns filtered items with score ``-FLT_MAX``).
* ``explain`` returns ``user_weights`` as the ``k × k`` matrix ``YᵀC_uY + λI`` (implicit: its
  Cholesky factorisation); either way it is meant to be passed back unchanged. ``user_items``
  may be the full matrix (row ``userid`` is used) or just the user's row.
* ``save``/``load`` use recsys's versioned, checksummed model file (not ``.npz``); it stores
  the factors, ``regularization`` and ``alpha``.
* ``calculate_training_loss=True`` computes the loss after every iteration, as implicit: it is
  passed to ``callback`` and shown on the progress bar, and the last one is logged ("Final
  training loss") and kept in ``training_loss_``. Otherwise ``callback`` gets ``loss=None``.
"""

from __future__ import annotations

import logging
import os
from typing import Any, List, Optional, Tuple, Union

import numpy as np
import scipy.sparse

from . import _recsys
from ._util import (
    FitCallback,
    count,
    empty_rows,
    id_array,
    is_scalar_id,
    iteration_relay,
    number,
    optional_ids,
    scalar_id,
    seed_from,
    to_csr,
)
from .exceptions import IdOutOfRangeError, InvalidArgumentError, NotFittedError

__all__ = ["AlternatingLeastSquares"]

log = logging.getLogger("recsys")

PathLike = Union[str, "os.PathLike[str]"]


def _check_growth(ids: np.ndarray, rows: int, name: str) -> None:
    """Refuses ids that would grow the factor matrix far past what the call supplies: ids are
    dense row indices, so a huge one is a mistake that would otherwise allocate gigabytes."""
    if len(ids) == 0:
        return
    limit = 2 * rows + len(ids)
    largest = int(ids.max())
    if largest >= limit:
        raise InvalidArgumentError(
            f"{name} holds {largest}, which would grow the model from {rows} to {largest + 1} rows; "
            f"one call may add rows up to index {limit - 1} (ids are dense row indices)"
        )


class AlternatingLeastSquares:
    """Alternating Least Squares for implicit feedback (Hu, Koren & Volinsky 2008), CG solver
    as in Takács et al. 2011: the model of ``implicit.als.AlternatingLeastSquares``.

    Parameters are implicit's, with the same defaults. ``user_items`` values are confidences
    (multiplied by ``alpha``); negative values are negative feedback.

    Parameters
    ----------
    factors : int
        Latent factors.
    regularization : float
        Ridge penalty λ.
    alpha : float
        Confidence multiplier.
    dtype : numpy dtype
        dtype of the ``user_factors`` / ``item_factors`` arrays handed out (the model computes
        in float32).
    use_native : bool
        Accepted for compatibility (always native).
    use_cg : bool
        Conjugate-gradient solver (``cg_steps`` steps, default 3); ``False`` = exact Cholesky.
    use_gpu : bool
        Must be ``False``: recsys has no GPU implementation.
    iterations : int
        Full ALS iterations.
    calculate_training_loss : bool
        Compute the training loss after fitting (logged, and kept in ``training_loss_``).
    num_threads : int
        Threads for fitting and batch calls; 0 = all cores (more than the cores are capped to
        them).
    random_state : int, numpy RandomState / Generator or None
        Seed of the initial factors.
    """

    def __init__(
        self,
        factors: int = 100,
        regularization: float = 0.01,
        alpha: float = 1.0,
        dtype: Any = np.float32,
        use_native: bool = True,
        use_cg: bool = True,
        use_gpu: bool = False,
        iterations: int = 15,
        calculate_training_loss: bool = False,
        num_threads: int = 0,
        random_state: Any = None,
    ) -> None:
        if use_gpu:
            raise InvalidArgumentError("recsys has no GPU implementation: use use_gpu=False")
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.dtype = np.dtype(dtype)
        self.use_native = use_native
        self.use_cg = use_cg
        self.use_gpu = False
        self.iterations = iterations
        self.calculate_training_loss = calculate_training_loss
        self.num_threads = num_threads
        self.random_state = random_state
        self.cg_steps = 3
        self.fit_callback: Optional[FitCallback] = None
        self._model: Optional[_recsys.AlsModel] = None
        self._user_factors: Optional[np.ndarray] = None
        self._item_factors: Optional[np.ndarray] = None
        self._pending: dict = {}
        self.training_loss_: Optional[float] = None

    # ------------------------------------------------------------------ state
    @property
    def model(self) -> _recsys.AlsModel:
        """The underlying core model (raises :class:`NotFittedError` before ``fit``)."""
        if self._model is None:
            raise NotFittedError("the model is not fitted: call fit() or load() first")
        return self._model

    def _set_model(self, model: Optional[_recsys.AlsModel]) -> None:
        self._model = model
        self._user_factors = None
        self._item_factors = None
        self._pending = {}
        if model is not None:
            self.factors = model.factors

    def _factors(self, side: str) -> Optional[np.ndarray]:
        if self._model is None:
            return self._pending.get(side)
        cache = "_user_factors" if side == "users" else "_item_factors"
        array = getattr(self, cache)
        if array is None:
            array = self._model.user_factors if side == "users" else self._model.item_factors
            if array.dtype != self.dtype:
                array = array.astype(self.dtype)
            # Read-only: editing a copy would silently not change the model; assign instead.
            array.flags.writeable = False
            setattr(self, cache, array)
        return array

    def _assign_factors(self, side: str, value: Optional[np.ndarray]) -> None:
        if value is None:
            self._set_model(None)
            return
        array = np.ascontiguousarray(np.asarray(value, dtype=np.float32))
        if array.ndim != 2:
            raise InvalidArgumentError(f"factors must be a 2-d array, got shape {array.shape}")
        other = "items" if side == "users" else "users"
        current_other = self._factors(other)
        if current_other is None:
            self._pending[side] = array
            return
        other_array = np.ascontiguousarray(np.asarray(current_other, dtype=np.float32))
        users, items = (array, other_array) if side == "users" else (other_array, array)
        self._set_model(
            _recsys.AlsModel.from_factors(
                users, items, number(self.regularization, "regularization"), number(self.alpha, "alpha")
            )
        )

    @property
    def user_factors(self) -> Optional[np.ndarray]:
        """User factors, ``n_users × factors`` (None before fitting). Read-only; assign a new
        array to replace them."""
        return self._factors("users")

    @user_factors.setter
    def user_factors(self, value: Optional[np.ndarray]) -> None:
        self._assign_factors("users", value)

    @property
    def item_factors(self) -> Optional[np.ndarray]:
        """Item factors, ``n_items × factors`` (None before fitting). Read-only; assign a new
        array to replace them."""
        return self._factors("items")

    @item_factors.setter
    def item_factors(self, value: Optional[np.ndarray]) -> None:
        self._assign_factors("items", value)

    def __repr__(self) -> str:
        return (
            f"AlternatingLeastSquares(factors={self.factors}, regularization={self.regularization}, "
            f"alpha={self.alpha}, iterations={self.iterations}, fitted={self._model is not None})"
        )

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        user_items: Any,
        show_progress: bool = True,
        callback: Optional[FitCallback] = None,
    ) -> None:
        """Factorises ``user_items`` (users × items confidences, any scipy.sparse format).

        ``show_progress`` shows a tqdm bar when tqdm is installed; ``callback(iteration,
        seconds, loss)`` is called after every iteration (iteration counts from 0; loss is the
        training loss with ``calculate_training_loss=True``, else None), like implicit's
        ``fit_callback``.
        """
        matrix = to_csr(user_items, "user_items")
        seed = seed_from(self.random_state)
        cg_steps = count(self.cg_steps, "cg_steps") if self.use_cg else 0
        if self.use_cg and cg_steps == 0:
            raise InvalidArgumentError("cg_steps must be at least 1 with use_cg=True")
        iterations = count(self.iterations, "iterations")
        callback = callback or self.fit_callback
        losses: Optional[List[float]] = [] if self.calculate_training_loss else None
        on_iteration, bar = iteration_relay(iterations, show_progress, callback, losses)
        try:
            model = _recsys.AlsModel.fit(
                matrix,
                count(self.factors, "factors"),
                number(self.regularization, "regularization"),
                number(self.alpha, "alpha"),
                iterations,
                cg_steps,
                seed,
                count(self.num_threads, "num_threads"),
                on_iteration,
                bool(self.calculate_training_loss),
            )
        finally:
            if bar is not None:
                bar.close()
        self._set_model(model)
        self.training_loss_ = None
        if losses:
            self.training_loss_ = losses[-1]
            log.info("Final training loss %.4f", self.training_loss_)

    def loss(self, user_items: Any) -> float:
        """The training objective on ``user_items`` (users × items, the model's shape),
        normalised by the total confidence as implicit's ``calculate_loss``."""
        return self.model.loss(to_csr(user_items, "user_items"), count(self.num_threads, "num_threads"))

    def partial_fit_users(self, userids: Any, user_items: Any) -> None:
        """Re-solves the factors of ``userids`` from their rows in ``user_items`` (one row per
        id); ids past the end add users (one call may grow the model to at most twice its
        rows plus the ids given: ids are dense row indices)."""
        ids = id_array(userids, "userids")
        rows = to_csr(user_items, "user_items")
        if rows.shape[0] != len(ids):
            raise InvalidArgumentError("user_items must contain 1 row for every user in userids")
        _check_growth(ids, self.model.n_users, "userids")
        self.model.partial_fit_users(ids, rows)
        self._set_model(self._model)

    def partial_fit_items(self, itemids: Any, item_users: Any) -> None:
        """Re-solves the factors of ``itemids`` from their rows in ``item_users`` (items ×
        users, one row per id); ids past the end add items (growth bounded as in
        :meth:`partial_fit_users`)."""
        ids = id_array(itemids, "itemids")
        rows = to_csr(item_users, "item_users")
        if rows.shape[0] != len(ids):
            raise InvalidArgumentError("item_users must contain 1 row for every item in itemids")
        _check_growth(ids, self.model.n_items, "itemids")
        self.model.partial_fit_items(ids, rows)
        self._set_model(self._model)

    def recalculate_user(self, userid: Any, user_items: Any) -> np.ndarray:
        """Factors of ``userid`` (scalar or array) folded in from ``user_items`` (one row per
        id), without storing them."""
        rows = to_csr(user_items, "user_items")
        scalar = is_scalar_id(userid)
        expected = 1 if scalar else len(id_array(userid, "userid"))
        if rows.shape[0] != expected:
            raise InvalidArgumentError("user_items should have one row for every user in userid")
        factors = self.model.recalculate_users(rows).astype(self.dtype, copy=False)
        return factors[0] if scalar else factors

    def recalculate_item(self, itemid: Any, item_users: Any) -> np.ndarray:
        """Factors of ``itemid`` (scalar or array) folded in from ``item_users`` (one row per
        id, users as columns), without storing them."""
        rows = to_csr(item_users, "item_users")
        scalar = is_scalar_id(itemid)
        expected = 1 if scalar else len(id_array(itemid, "itemid"))
        if rows.shape[0] != expected:
            raise InvalidArgumentError("item_users should have one row for every item in itemid")
        factors = self.model.recalculate_items(rows).astype(self.dtype, copy=False)
        return factors[0] if scalar else factors

    # ------------------------------------------------------------------ queries
    def recommend(
        self,
        userid: Any,
        user_items: Any,
        N: int = 10,
        filter_already_liked_items: bool = True,
        filter_items: Any = None,
        recalculate_user: bool = False,
        items: Any = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Top-``N`` items for ``userid`` (an id: 1-d ``(ids, scores)``; an array of ids: 2-d,
        one row per user, computed in one parallel batch).

        ``user_items`` holds the users' rows (``user_items[userid]``), used to filter liked
        items and by ``recalculate_user``; ``filter_items`` are never returned; ``items``
        restricts the candidates.
        """
        model = self.model
        n = count(N, "N")
        if items is not None and filter_items is not None and len(filter_items) > 0:
            raise InvalidArgumentError("Can't set both items and filter_items in recommend call")
        exclude = optional_ids(filter_items, "filter_items")
        candidates = optional_ids(items, "items")
        scalar = is_scalar_id(userid)
        users = np.array([scalar_id(userid, "userid")]) if scalar else id_array(userid, "userid")
        needs_rows = filter_already_liked_items or recalculate_user
        if needs_rows:
            if not scipy.sparse.issparse(user_items):
                raise InvalidArgumentError("user_items needs to be a CSR sparse matrix")
            rows = to_csr(user_items, "user_items")
            if rows.shape[0] != len(users):
                raise InvalidArgumentError(
                    "user_items must contain 1 row for every user in userids"
                )
        else:
            rows = empty_rows(len(users), model.n_items)
        if scalar:
            return model.recommend(
                None if recalculate_user else int(users[0]),
                rows,
                n,
                bool(filter_already_liked_items),
                exclude,
                candidates,
            )
        return model.recommend_many(
            users,
            rows,
            n,
            bool(filter_already_liked_items),
            exclude,
            candidates,
            bool(recalculate_user),
            count(self.num_threads, "num_threads"),
        )

    def similar_items(
        self,
        itemid: Any,
        N: int = 10,
        recalculate_item: bool = False,
        item_users: Any = None,
        filter_items: Any = None,
        items: Any = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Items most similar to ``itemid`` by cosine of their factors, the item itself first
        (1-d for one id, 2-d for an array)."""
        vectors = None
        if recalculate_item:
            vectors = np.ascontiguousarray(
                self.recalculate_item(itemid, item_users), dtype=np.float32
            )
        return self._similar("items", itemid, vectors, N, filter_items, items)

    def similar_users(
        self,
        userid: Any,
        N: int = 10,
        filter_users: Any = None,
        users: Any = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Users most similar to ``userid`` by cosine of their factors, the user first."""
        return self._similar("users", userid, None, N, filter_users, users)

    def _similar(
        self,
        side: str,
        ids: Any,
        vectors: Optional[np.ndarray],
        N: int,
        filtered: Any,
        allowed: Any,
    ) -> Tuple[np.ndarray, np.ndarray]:
        model = self.model
        n = count(N, "N")
        name = "item" if side == "items" else "user"
        if allowed is not None and filtered is not None and len(filtered) > 0:
            raise InvalidArgumentError(
                f"Can't set both {side} and filter_{side} in similar_{side} call"
            )
        exclude = optional_ids(filtered, f"filter_{side}")
        candidates = optional_ids(allowed, side)
        if is_scalar_id(ids):
            index = scalar_id(ids, f"{name}id")
            vector = None if vectors is None else vectors
            return model.similar(side, index, vector, n, exclude, candidates)
        indices = id_array(ids, f"{name}id")
        if vectors is not None:
            return model.similar_many(side, None, vectors, n, exclude, candidates)
        return model.similar_many(side, indices, None, n, exclude, candidates)

    def explain(
        self,
        userid: Any,
        user_items: Any,
        itemid: Any,
        user_weights: Optional[np.ndarray] = None,
        N: int = 10,
    ) -> Tuple[float, List[Tuple[int, float]], np.ndarray]:
        """Why ``itemid`` scores as it does for ``userid``: ``(score, top-N contributions
        [(liked item, contribution)], user_weights)``; the contributions of all liked items sum
        to the score of the user's folded-in factors. Pass ``user_weights`` back to explain
        more items for the same user faster."""
        model = self.model
        rows = to_csr(user_items, "user_items")
        user = scalar_id(userid, "userid")
        if rows.shape[0] != 1:
            if not 0 <= user < rows.shape[0]:
                raise IdOutOfRangeError(
                    f"userid {user} is out of range for user_items with {rows.shape[0]} rows"
                )
            rows = rows[user]
        weights = None
        if user_weights is not None:
            weights = np.asarray(user_weights, dtype=np.float64)
            if weights.ndim != 2:
                raise InvalidArgumentError(
                    "user_weights must be the matrix returned by an earlier explain() call"
                )
        score, contributions, weights_out = model.explain(
            rows, scalar_id(itemid, "itemid"), count(N, "N"), weights
        )
        return score, contributions, weights_out

    # ------------------------------------------------------------------ persistence
    def save(self, fileobj_or_path: Any) -> None:
        """Writes the model as a recsys artifact (path, atomically; or a binary file object)."""
        model = self.model
        if hasattr(fileobj_or_path, "write"):
            fileobj_or_path.write(model.to_bytes())
        else:
            model.save(os.fspath(fileobj_or_path))

    @classmethod
    def load(cls, fileobj_or_path: Any) -> "AlternatingLeastSquares":
        """Reads a model written by :meth:`save` (path or binary file object)."""
        if hasattr(fileobj_or_path, "read"):
            model = _recsys.AlsModel.from_bytes(fileobj_or_path.read())
        else:
            model = _recsys.AlsModel.load(os.fspath(fileobj_or_path))
        return cls._from_core(model)

    @classmethod
    def _from_core(cls, model: _recsys.AlsModel) -> "AlternatingLeastSquares":
        result = cls(
            factors=model.factors,
            regularization=float(model.regularization),
            alpha=float(model.alpha),
        )
        result._set_model(model)
        return result

    def to_bytes(self) -> bytes:
        """The model as artifact bytes (what :meth:`save` writes)."""
        return self.model.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "AlternatingLeastSquares":
        """A model from artifact bytes."""
        return cls._from_core(_recsys.AlsModel.from_bytes(data))

    def __getstate__(self) -> dict:
        state = {
            key: value
            for key, value in self.__dict__.items()
            if key not in ("_model", "_user_factors", "_item_factors", "fit_callback")
        }
        state["dtype"] = self.dtype.str
        state["_model"] = None if self._model is None else self._model.to_bytes()
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        model = state.pop("_model")
        state["dtype"] = np.dtype(state["dtype"])
        self.__dict__.update(state)
        self.fit_callback = None
        self._model = None
        self._user_factors = self._item_factors = None
        if model is not None:
            self._set_model(_recsys.AlsModel.from_bytes(model))
