"""Implicit-feedback ALS with the API of ``implicit.als.AlternatingLeastSquares`` (implicit 0.7).

Existing ``implicit`` code runs by changing only the import::

    from recsys.als import AlternatingLeastSquares   # was: from implicit.als import ...

The computations run in the Rust core (``recsys._recsys``); this module only adapts arguments.
Behaviour follows implicit 0.7.3 (its own ALS test-suite passes against this class:
``scripts/implicit_suite.py``): ``recommend`` returns ``min(N, candidates)`` items, the
filtered ones (liked, ``filter_items``) ranked last with score ``-FLT_MAX``
(:data:`FILTERED_SCORE`), and with ``items=[...]`` ranks every given item (an item given twice
twice: ``min(N, len(items))`` entries); batch calls never return id ``-1``; ``iterations=0`` keeps implicit's
initial factors; non-CSR matrices warn with :class:`~recsys.exceptions.ParameterWarning` (also
an ``implicit.utils.ParameterWarning`` once implicit is imported) before converting;
``save``/``load`` keep every constructor setting, unfitted models included, and ``load``
reads implicit's ``.npz`` files; ``solver``, ``XtX``/``YtY``, ``user_norms``/``item_norms``
and :func:`calculate_loss` (also ``recsys.cpu.als.calculate_loss``) exist.

What stays different, deliberately:

* ``fit`` always starts from a fresh seeded initialisation (implicit warm-starts from factors
  already present); the same ``random_state`` gives the same model for any ``num_threads``
  (not implicit's model: the initialisation and solver order differ).
* Negative ids raise ``IndexError`` (numpy would silently count from the end).
* ``N`` larger than the number of candidates returns every candidate once (implicit pads
  such a list with id 0 and score 0, repeating item 0).
* The order among filtered items (all ``-FLT_MAX``) is increasing id, not implicit's.
* A liked item that ``items=[...]`` gives twice is ranked last twice (implicit filters only
  its first copy and ranks the other by score).
* ``recommend`` converts a CSC/COO ``user_items`` (with the warning) where implicit raises
  ``ValueError``.
* ``explain`` returns ``user_weights`` as the ``k × k`` matrix ``YᵀC_uY + λI`` (implicit: its
  Cholesky factorisation); either way it is meant to be passed back unchanged. ``user_items``
  may be the full matrix (row ``userid`` is used) or just the user's row.
* ``save`` writes recsys's versioned, checksummed model file (not ``.npz``; ``model.model``
  is the core's plain ``als`` artifact for Rust). A ``random_state`` that is a numpy RNG is
  not saved (implicit cannot load such a file either).
* ``solver`` is an exact least-squares half-sweep whichever ``use_cg`` (implicit's CG
  solver approximates it from a warm start); ``num_threads`` is not used by it.
* ``calculate_training_loss=True`` computes the loss after every iteration, as implicit: it is
  passed to ``callback`` and shown on the progress bar, and the last one is logged ("Final
  training loss") and kept in ``training_loss_``. Otherwise ``callback`` gets ``loss=None``.
* No GPU (``use_gpu=True`` raises), no ``to_gpu``/``to_cpu``, no ``recommend_all``.
"""

from __future__ import annotations

import io
import json
import logging
import numbers
import os
import zipfile
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import scipy.sparse

from . import _recsys
from ._util import (
    FitCallback,
    check_csr,
    count,
    empty_rows,
    id_array,
    is_scalar_id,
    iteration_relay,
    number,
    optional_ids,
    scalar_id,
    seed_from,
)
from .exceptions import CorruptModelError, IdOutOfRangeError, InvalidArgumentError, NotFittedError

__all__ = ["AlternatingLeastSquares", "calculate_loss"]

log = logging.getLogger("recsys")

PathLike = Union[str, "os.PathLike[str]"]


#: The score of items a list ranks last because they are filtered out (liked or in
#: ``filter_items``): implicit's ``-FLT_MAX``.
FILTERED_SCORE = float(np.finfo(np.float32).min)
#: The constructor settings ``save`` keeps (implicit's ``save`` keeps the same).
_SETTINGS = (
    "factors",
    "regularization",
    "alpha",
    "dtype",
    "use_native",
    "use_cg",
    "iterations",
    "calculate_training_loss",
    "num_threads",
    "random_state",
    "cg_steps",
)

#: Where a zip archive (numpy's ``.npz``, implicit's save format) starts.
_ZIP_MAGIC = b"PK\x03\x04"


def _plain(value: Any) -> Any:
    """A setting as JSON can hold it: numpy scalars as Python numbers."""
    return value.item() if isinstance(value, np.generic) else value


def _padded(
    ids: np.ndarray,
    scores: np.ndarray,
    width: int,
    universe: Callable[[], np.ndarray],
    filtered: float = FILTERED_SCORE,
) -> Tuple[np.ndarray, np.ndarray]:
    """One list extended to ``width`` entries, as implicit ranks every candidate: the
    ``universe()`` ids it lacks (filtered ones), in increasing order, with score
    ``filtered``."""
    missing = width - len(ids)
    if missing <= 0:
        return ids, scores
    everyone = universe()
    rest = everyone[~np.isin(everyone, ids)][:missing].astype(ids.dtype)
    return (
        np.concatenate([ids, rest]),
        np.concatenate([scores, np.full(len(rest), filtered, dtype=scores.dtype)]),
    )


def _padded_rows(
    ids: np.ndarray,
    scores: np.ndarray,
    universe: Callable[[], np.ndarray],
    filtered: float = FILTERED_SCORE,
) -> Tuple[np.ndarray, np.ndarray]:
    """Batch lists (rows padded by the core with id -1) with every -1 replaced as
    :func:`_padded` extends a single list, so no row holds an id numpy would read as "the
    last item"."""
    if ids.size == 0:
        return ids, scores
    width = ids.shape[1]
    short = np.flatnonzero(ids[:, -1] < 0)
    if len(short) == 0:
        return ids, scores
    ids, scores = np.array(ids), np.array(scores)  # writable, whatever the core handed out
    everyone = universe()
    for row in short:
        present = int(np.count_nonzero(ids[row] >= 0))
        rest = everyone[~np.isin(everyone, ids[row, :present])][: width - present]
        ids[row, present : present + len(rest)] = rest
        scores[row, present : present + len(rest)] = filtered
    return ids, scores


def _repeated(
    ids: np.ndarray, scores: np.ndarray, unique: np.ndarray, counts: np.ndarray, width: int
) -> Tuple[np.ndarray, np.ndarray]:
    """Ranked lists (1-d, or 2-d rows) of the distinct ``unique`` candidates with each id
    repeated ``counts`` times in place, cut to ``width``: implicit ranks an item that
    ``items=[...]`` gives twice twice (its lists are ``len(items)`` long)."""
    times = counts[np.searchsorted(unique, ids)]
    if ids.ndim == 1:
        return np.repeat(ids, times)[:width], np.repeat(scores, times)[:width]
    rows = [(np.repeat(i, t)[:width], np.repeat(s, t)[:width]) for i, s, t in zip(ids, scores, times)]
    if not rows:
        return ids[:, :width], scores[:, :width]
    return np.stack([i for i, _ in rows]), np.stack([s for _, s in rows])


def _with_given_dtype(ids: np.ndarray, given: Any) -> np.ndarray:
    """``ids`` in the integer dtype of the ``items=[...]`` (or ``users=[...]``) the caller
    gave, as implicit's lists are (``np.array(items)[positions]``: int64 for a Python list);
    int32 otherwise."""
    if given is None:
        return ids
    dtype = np.asarray(given).dtype
    return ids.astype(dtype, copy=False) if dtype.kind in "iu" else ids


def _single_precision(array: Any, name: str) -> np.ndarray:
    """A 2-d float32 C-ordered copy or view of a factor matrix."""
    result = np.ascontiguousarray(np.asarray(array, dtype=np.float32))
    if result.ndim != 2:
        raise InvalidArgumentError(f"{name} must be a 2-d array, got shape {result.shape}")
    return result


def calculate_loss(
    Cui: Any, X: Any, Y: Any, regularization: float, num_threads: int = 0
) -> float:
    """The ALS objective of user factors ``X`` and item factors ``Y`` on confidences ``Cui``
    (users × items, already multiplied by alpha), normalised by the total confidence:
    ``implicit.cpu.als.calculate_loss`` (also importable as ``recsys.cpu.als.calculate_loss``)."""
    model = _recsys.AlsModel.from_factors(
        _single_precision(X, "X"), _single_precision(Y, "Y"), number(regularization, "regularization"), 1.0
    )
    return float(model.loss(check_csr(Cui, "Cui"), count(num_threads, "num_threads")))


def least_squares(Cui: Any, X: np.ndarray, Y: Any, regularization: float, num_threads: int = 0) -> None:
    """Writes into each row ``u`` of ``X`` the exact least-squares factors of row ``u`` of
    ``Cui`` (confidences, already multiplied by alpha) given item factors ``Y``: one
    half-sweep of ALS, with implicit's solver signature (``model.solver``). implicit's CG
    solver warm-starts from ``X`` and approximates the same solution."""
    rows = check_csr(Cui, "Cui")
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[0] != rows.shape[0]:
        raise InvalidArgumentError(
            f"X must be a 2-d numpy array with one row per row of Cui ({rows.shape[0]}), got "
            f"{getattr(X, 'shape', type(X).__name__)}"
        )
    items = _single_precision(Y, "Y")
    if items.shape[0] != rows.shape[1] or items.shape[1] != X.shape[1]:
        raise InvalidArgumentError(
            f"Y must have one row per column of Cui ({rows.shape[1]}) and X's {X.shape[1]} "
            f"factors, got shape {items.shape}"
        )
    model = _recsys.AlsModel.from_factors(
        np.zeros((X.shape[0], X.shape[1]), dtype=np.float32), items,
        number(regularization, "regularization"), 1.0,
    )
    X[...] = model.recalculate_users(rows)


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
        # implicit's caches (derived from the factors; reset whenever they change)
        self._XtX: Optional[np.ndarray] = None
        self._YtY: Optional[np.ndarray] = None
        self._user_norms: Optional[np.ndarray] = None
        self._item_norms: Optional[np.ndarray] = None

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
        self._XtX = self._YtY = self._user_norms = self._item_norms = None
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

    def _gram(self, side: str) -> Optional[np.ndarray]:
        factors = self._factors(side)
        return None if factors is None else factors.T.dot(factors)

    @property
    def XtX(self) -> Optional[np.ndarray]:
        """``user_factors.T @ user_factors`` (cached; None before fitting), as implicit's."""
        if self._XtX is None:
            self._XtX = self._gram("users")
        return self._XtX

    @property
    def YtY(self) -> Optional[np.ndarray]:
        """``item_factors.T @ item_factors`` (cached; None before fitting), as implicit's."""
        if self._YtY is None:
            self._YtY = self._gram("items")
        return self._YtY

    def _norms(self, side: str) -> Optional[np.ndarray]:
        factors = self._factors(side)
        if factors is None:
            return None
        norms = np.linalg.norm(factors, axis=-1)
        norms[norms == 0] = 1e-10  # as implicit: never divide by zero
        return norms

    @property
    def user_norms(self) -> Optional[np.ndarray]:
        """The norm of every user's factors (zeros replaced by 1e-10; cached), as implicit's."""
        if self._user_norms is None:
            self._user_norms = self._norms("users")
        return self._user_norms

    @property
    def item_norms(self) -> Optional[np.ndarray]:
        """The norm of every item's factors (zeros replaced by 1e-10; cached), as implicit's."""
        if self._item_norms is None:
            self._item_norms = self._norms("items")
        return self._item_norms

    @property
    def solver(self) -> Callable[..., None]:
        """implicit's solver shape, ``solver(Cui, X, Y, regularization, num_threads=0)``:
        writes into ``X`` the least-squares factors of ``Cui``'s rows given ``Y`` (see
        :func:`least_squares`; exact whichever ``use_cg``)."""
        return least_squares

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
        matrix = check_csr(user_items, "user_items")
        seed = seed_from(self.random_state)
        cg_steps = count(self.cg_steps, "cg_steps") if self.use_cg else 0
        if self.use_cg and cg_steps == 0:
            raise InvalidArgumentError("cg_steps must be at least 1 with use_cg=True")
        iterations = count(self.iterations, "iterations")
        if iterations == 0:
            self._initialise(matrix, seed)
            return
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

    def _initialise(self, matrix: scipy.sparse.csr_matrix, seed: int) -> None:
        """``iterations=0``: the factors stay at their initial values, drawn as implicit draws
        them (uniform in ``[0, 0.01)`` from ``numpy.random.default_rng(seed)``). The matrix
        must still be one that ``fit`` would train on."""
        factors = count(self.factors, "factors")
        alpha = number(self.alpha, "alpha")
        cg_steps = count(self.cg_steps, "cg_steps") if self.use_cg else 0
        _recsys.als_check_settings(factors, number(self.regularization, "regularization"), alpha, cg_steps)
        shape = matrix.shape
        if shape[0] == 0 or shape[1] == 0 or matrix.nnz == 0:
            raise InvalidArgumentError(
                f"user_items is empty ({shape[0]} users × {shape[1]} items, {matrix.nnz} interactions)"
            )
        with np.errstate(all="ignore"):
            confidences = np.float32(alpha) * np.abs(matrix.data.astype(np.float32))
        if not np.isfinite(confidences).all():
            raise InvalidArgumentError(
                f"user_items holds a value whose confidence alpha·|v| (alpha = {alpha}) is not finite"
            )
        rng = np.random.default_rng(seed)
        dtype = self.dtype if self.dtype in (np.float32, np.float64) else np.float32
        users = rng.random((shape[0], factors), dtype=dtype) * 0.01
        items = rng.random((shape[1], factors), dtype=dtype) * 0.01
        self._set_model(
            _recsys.AlsModel.from_factors(
                _single_precision(users, "user_factors"),
                _single_precision(items, "item_factors"),
                number(self.regularization, "regularization"),
                number(self.alpha, "alpha"),
            )
        )
        self.training_loss_ = None

    def loss(self, user_items: Any) -> float:
        """The training objective on ``user_items`` (users × items, the model's shape),
        normalised by the total confidence as implicit's ``calculate_loss``."""
        return self.model.loss(check_csr(user_items, "user_items"), count(self.num_threads, "num_threads"))

    def partial_fit_users(self, userids: Any, user_items: Any) -> None:
        """Re-solves the factors of ``userids`` from their rows in ``user_items`` (one row per
        id); ids past the end add users (one call may grow the model to at most twice its
        rows plus the ids given: ids are dense row indices)."""
        ids = id_array(userids, "userids")
        rows = check_csr(user_items, "user_items")
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
        rows = check_csr(item_users, "item_users")
        if rows.shape[0] != len(ids):
            raise InvalidArgumentError("item_users must contain 1 row for every item in itemids")
        _check_growth(ids, self.model.n_items, "itemids")
        self.model.partial_fit_items(ids, rows)
        self._set_model(self._model)

    def recalculate_user(self, userid: Any, user_items: Any) -> np.ndarray:
        """Factors of ``userid`` (scalar or array) folded in from ``user_items`` (one row per
        id), without storing them."""
        rows = check_csr(user_items, "user_items")
        scalar = is_scalar_id(userid)
        expected = 1 if scalar else len(id_array(userid, "userid"))
        if rows.shape[0] != expected:
            raise InvalidArgumentError("user_items should have one row for every user in userid")
        factors = self.model.recalculate_users(rows).astype(self.dtype, copy=False)
        return factors[0] if scalar else factors

    def recalculate_item(self, itemid: Any, item_users: Any) -> np.ndarray:
        """Factors of ``itemid`` (scalar or array) folded in from ``item_users`` (one row per
        id, users as columns), without storing them."""
        rows = check_csr(item_users, "item_users")
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
        repeats: Optional[np.ndarray] = None
        width = n
        if candidates is not None:
            given = len(candidates)
            candidates, counts = np.unique(candidates, return_counts=True)
            if len(candidates) < given:  # implicit ranks an item given twice twice
                repeats, width, n = counts, min(n, given), len(candidates)
        scalar = is_scalar_id(userid)
        users = np.array([scalar_id(userid, "userid")]) if scalar else id_array(userid, "userid")
        needs_rows = filter_already_liked_items or recalculate_user
        if needs_rows:
            if not scipy.sparse.issparse(user_items):
                raise InvalidArgumentError("user_items needs to be a CSR sparse matrix")
            rows = check_csr(user_items, "user_items")
            if rows.shape[0] != len(users):
                raise InvalidArgumentError(
                    "user_items must contain 1 row for every user in userids"
                )
        else:
            rows = empty_rows(len(users), model.n_items)
        n_items = model.n_items

        def universe() -> np.ndarray:
            return np.arange(n_items) if candidates is None else candidates

        if scalar:
            ids, scores = model.recommend(
                None if recalculate_user else int(users[0]),
                rows,
                n,
                bool(filter_already_liked_items),
                exclude,
                candidates,
            )
            ids, scores = _padded(ids, scores, min(n, n_items if candidates is None else len(candidates)), universe)
        else:
            ids, scores = model.recommend_many(
                users,
                rows,
                n,
                bool(filter_already_liked_items),
                exclude,
                candidates,
                bool(recalculate_user),
                count(self.num_threads, "num_threads"),
            )
            ids, scores = _padded_rows(ids, scores, universe)
        if repeats is not None and candidates is not None:
            ids, scores = _repeated(ids, scores, candidates, repeats, width)
        return _with_given_dtype(ids, items), scores

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
        if candidates is not None:
            candidates = np.unique(candidates)
        rows = model.n_items if side == "items" else model.n_users

        def universe() -> np.ndarray:
            return np.arange(rows) if candidates is None else candidates

        if is_scalar_id(ids):
            index = scalar_id(ids, f"{name}id")
            found, scores = model.similar(side, index, vectors, n, exclude, candidates)
            width = min(n, rows if candidates is None else len(candidates))
            found, scores = _padded(found, scores, width, universe)
            return _with_given_dtype(found, allowed), scores
        indices = id_array(ids, f"{name}id")
        if vectors is not None:
            found, scores = model.similar_many(side, None, vectors, n, exclude, candidates)
        else:
            found, scores = model.similar_many(side, indices, None, n, exclude, candidates)
        found, scores = _padded_rows(found, scores, universe)
        return _with_given_dtype(found, allowed), scores

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
        rows = check_csr(user_items, "user_items")
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
    def _settings_json(self) -> str:
        """The constructor settings (and ``cg_steps``) as JSON. A ``random_state`` that is
        not an int (a numpy RNG) is not kept, as implicit cannot keep it either."""
        settings: Dict[str, Any] = {}
        for name in _SETTINGS:
            value = _plain(getattr(self, name))
            if name == "dtype":
                value = self.dtype.name
            elif name == "random_state" and not (value is None or isinstance(value, numbers.Integral)):
                continue
            settings[name] = value
        try:
            return json.dumps(settings, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise InvalidArgumentError(f"the model's settings cannot be saved: {err}") from None

    def _apply_settings(self, settings: Dict[str, Any]) -> None:
        """Sets the saved settings (unknown names, from a newer writer, are skipped)."""
        for name in _SETTINGS:
            if name in settings:
                value = settings[name]
                setattr(self, name, np.dtype(str(value)) if name == "dtype" else value)

    def save(self, fileobj_or_path: Any) -> None:
        """Writes the model (path, atomically; or a binary file object): every constructor
        setting (``factors``, ``regularization``, ``alpha``, ``dtype``, ``use_native``,
        ``use_cg``, ``iterations``, ``calculate_training_loss``, ``num_threads``, an int
        ``random_state``) and ``cg_steps``, and the factors when fitted, as one versioned,
        checksummed recsys artifact. An unfitted model saves its settings only."""
        settings = self._settings_json()
        if hasattr(fileobj_or_path, "write"):
            fileobj_or_path.write(_recsys.als_to_bytes(settings, self._model))
        else:
            _recsys.als_save(os.fspath(fileobj_or_path), settings, self._model)

    @classmethod
    def load(cls, fileobj_or_path: Any) -> "AlternatingLeastSquares":
        """Reads a model written by :meth:`save` (path or binary file object), a core ``als``
        artifact, or an ``.npz`` written by ``implicit``'s ``save`` (a path without the
        suffix finds ``path + ".npz"``, as implicit's ``load`` does)."""
        if hasattr(fileobj_or_path, "read"):
            return cls.from_bytes(fileobj_or_path.read())
        path = os.fspath(fileobj_or_path)
        if isinstance(path, str) and not os.path.exists(path) and os.path.exists(path + ".npz"):
            path += ".npz"
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                if handle.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC:
                    handle.seek(0)
                    return cls._from_npz(handle)
        return cls._from_saved(*_recsys.als_load(path))

    @classmethod
    def from_hub(
        cls,
        repo_id: str,
        revision: str = "main",
        filename: str = "model.recsys",
        *,
        token: Optional[str] = None,
        local_files_only: bool = False,
    ) -> "AlternatingLeastSquares":
        """Reads a model (any file :meth:`load` reads) from the Hugging Face Hub model repository
        ``repo_id`` at ``revision``, downloaded through the Rust core into the standard Hub cache
        (see :mod:`recsys.hub`: ``HF_ENDPOINT``, ``HF_TOKEN``, ``HF_HUB_OFFLINE``)."""
        from .hub import download

        return cls.load(download(repo_id, revision, filename, token=token, local_files_only=local_files_only))

    @classmethod
    def _from_saved(
        cls, settings: Optional[str], model: Optional[_recsys.AlsModel]
    ) -> "AlternatingLeastSquares":
        result = cls()
        if settings is not None:
            try:
                values = json.loads(settings)
            except ValueError as err:
                raise CorruptModelError(f"the saved settings are not JSON: {err}") from None
            if not isinstance(values, dict):
                raise CorruptModelError("the saved settings are not a JSON object")
            result._apply_settings(values)
        if model is not None:
            if settings is None:  # a core artifact: only what the model knows
                result.regularization = float(model.regularization)
                result.alpha = float(model.alpha)
            result._set_model(model)
        return result

    @classmethod
    def _from_npz(cls, source: Any) -> "AlternatingLeastSquares":
        """A model from the ``.npz`` implicit's ``save`` writes (its settings, and its factors
        when it was fitted)."""
        try:
            with np.load(source, allow_pickle=False) as data:
                values = {name: data[name] for name in data.files}
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
            raise CorruptModelError(f"not a readable .npz model: {err}") from None
        user_factors = values.pop("user_factors", None)
        item_factors = values.pop("item_factors", None)
        settings = {
            name: str(value) if name == "dtype" else (value.item() if value.shape == () else value)
            for name, value in values.items()
        }
        result = cls()
        result._apply_settings(settings)
        if user_factors is not None and item_factors is not None:
            try:
                result._set_model(
                    _recsys.AlsModel.from_factors(
                        _single_precision(user_factors, "user_factors"),
                        _single_precision(item_factors, "item_factors"),
                        number(result.regularization, "regularization"),
                        number(result.alpha, "alpha"),
                    )
                )
            except InvalidArgumentError as err:
                raise CorruptModelError(f"the .npz model's factors are unusable: {err}") from None
        return result

    @classmethod
    def _from_core(cls, model: _recsys.AlsModel) -> "AlternatingLeastSquares":
        return cls._from_saved(None, model)

    def to_bytes(self) -> bytes:
        """What :meth:`save` writes, as bytes."""
        return _recsys.als_to_bytes(self._settings_json(), self._model)

    @classmethod
    def from_bytes(cls, data: bytes) -> "AlternatingLeastSquares":
        """A model from :meth:`to_bytes` bytes (or a core ``als`` artifact, or implicit's
        ``.npz`` bytes)."""
        if bytes(data[: len(_ZIP_MAGIC)]) == _ZIP_MAGIC:
            return cls._from_npz(io.BytesIO(data))
        return cls._from_saved(*_recsys.als_from_bytes(data))

    def __getstate__(self) -> dict:
        state = {
            key: value
            for key, value in self.__dict__.items()
            if key
            not in ("_model", "_user_factors", "_item_factors", "fit_callback", "_XtX", "_YtY", "_user_norms", "_item_norms")
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
        self._XtX = self._YtY = self._user_norms = self._item_norms = None
        self._pending = state.get("_pending", {})
        if model is not None:
            self._set_model(_recsys.AlsModel.from_bytes(model))
