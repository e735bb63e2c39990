"""EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019) with an
``implicit``-style API::

    from recsys.ease import EASE

    model = EASE(regularization=500.0)
    model.fit(user_items)                       # scipy.sparse users × items
    ids, scores = model.recommend(0, user_items[0])
    ids, scores = model.recommend(np.arange(10), user_items[:10])   # one row per user
    ids, scores = model.similar_items(3)

The weights ``B = I − P·diag(1/diag(P))`` with ``P = (XᵀX + λI)⁻¹`` are computed in the Rust
core (``recsys._recsys``); this module only adapts arguments. Scores are ``x·B`` for a user's
row ``x``, so ``recommend`` always scores the rows it is given (a new user, or a user with a new
interaction, needs no refit: ``recalculate_user`` is accepted and changes nothing).

The dense inverse costs ``~24·n²`` bytes and ``~n³`` time for ``n`` items: above
``max_items`` (default 10,000) ``fit`` raises :class:`InvalidArgumentError`, or, with
``most_popular=True``, models only the ``max_items`` items with the most interactions (the
others are never recommended).
"""

from __future__ import annotations

import os
from typing import Any, Optional, Tuple, Union

import numpy as np
import scipy.sparse

from . import _recsys
from ._util import count, id_array, is_scalar_id, number, optional_ids, scalar_id, to_csr
from .exceptions import InvalidArgumentError, NotFittedError

__all__ = ["EASE"]

PathLike = Union[str, "os.PathLike[str]"]


class EASE:
    """Closed-form item × item model (Steck 2019).

    Parameters
    ----------
    regularization : float
        Ridge penalty λ (> 0): a few hundred for binary ``X``, thousands for ratings.
    binary : bool
        ``X`` is 1 for every positive entry of ``user_items`` (the paper's setting);
        ``False`` uses the values (e.g. ratings; negative values allowed).
    max_items : int
        The most items the dense inverse may model.
    most_popular : bool
        Above ``max_items``, model the most interacted items instead of raising.
    neighbors : int or None
        Keep only each item's ``neighbors`` weights of largest magnitude (None: all).
    num_threads : int
        Threads for fitting and batch calls; 0 = all cores.
    """

    def __init__(
        self,
        regularization: float = 500.0,
        binary: bool = True,
        max_items: int = 10_000,
        most_popular: bool = False,
        neighbors: Optional[int] = None,
        num_threads: int = 0,
    ) -> None:
        self.regularization = regularization
        self.binary = binary
        self.max_items = max_items
        self.most_popular = most_popular
        self.neighbors = neighbors
        self.num_threads = num_threads
        self._model: Optional[_recsys.EaseModel] = None

    @property
    def model(self) -> _recsys.EaseModel:
        """The underlying core model (raises :class:`NotFittedError` before ``fit``)."""
        if self._model is None:
            raise NotFittedError("the model is not fitted: call fit() or load() first")
        return self._model

    def __repr__(self) -> str:
        return (
            f"EASE(regularization={self.regularization}, binary={self.binary}, "
            f"fitted={self._model is not None})"
        )

    def fit(self, user_items: Any, show_progress: bool = False) -> None:
        """Computes ``B`` from ``user_items`` (users × items, any scipy.sparse format).
        ``show_progress`` is accepted for compatibility (the fit is one closed-form step)."""
        matrix = to_csr(user_items, "user_items")
        neighbors = None if self.neighbors is None else count(self.neighbors, "neighbors")
        self._model = _recsys.EaseModel.fit(
            matrix,
            number(self.regularization, "regularization"),
            bool(self.binary),
            count(self.max_items, "max_items"),
            bool(self.most_popular),
            neighbors,
            count(self.num_threads, "num_threads"),
        )

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
        """Top-``N`` items from the users' rows ``user_items`` (one id: 1-d ``(ids, scores)``
        from a 1-row matrix; an array of ids: 2-d, one row per user, padded with id -1).

        ``filter_items`` are never returned; ``items`` restricts the candidates.
        """
        model = self.model
        n = count(N, "N")
        if items is not None and filter_items is not None and len(filter_items) > 0:
            raise InvalidArgumentError("Can't set both items and filter_items in recommend call")
        exclude = optional_ids(filter_items, "filter_items")
        candidates = optional_ids(items, "items")
        scalar = is_scalar_id(userid)
        users = np.array([scalar_id(userid, "userid")]) if scalar else id_array(userid, "userid")
        if not scipy.sparse.issparse(user_items):
            raise InvalidArgumentError("user_items needs to be a CSR sparse matrix")
        rows = to_csr(user_items, "user_items")
        if rows.shape[0] != len(users):
            raise InvalidArgumentError("user_items must contain 1 row for every user in userids")
        if scalar:
            return model.recommend(rows, n, bool(filter_already_liked_items), exclude, candidates)
        return model.recommend_many(
            rows,
            n,
            bool(filter_already_liked_items),
            exclude,
            candidates,
            count(self.num_threads, "num_threads"),
        )

    def similar_items(self, itemid: Any, N: int = 10) -> Tuple[np.ndarray, np.ndarray]:
        """The ``N`` items with the largest weights ``B[itemid][·]`` (never the item itself:
        ``diag(B) = 0``)."""
        return self.model.similar_items(scalar_id(itemid, "itemid"), count(N, "N"))

    def save(self, fileobj_or_path: Any) -> None:
        """Writes the model as a recsys artifact (path, atomically; or a binary file object)."""
        model = self.model
        if hasattr(fileobj_or_path, "write"):
            fileobj_or_path.write(model.to_bytes())
        else:
            model.save(os.fspath(fileobj_or_path))

    @classmethod
    def load(cls, fileobj_or_path: Any) -> "EASE":
        """Reads a model written by :meth:`save` (path or binary file object)."""
        if hasattr(fileobj_or_path, "read"):
            model = _recsys.EaseModel.from_bytes(fileobj_or_path.read())
        else:
            model = _recsys.EaseModel.load(os.fspath(fileobj_or_path))
        result = cls(regularization=float(model.regularization), binary=model.binary)
        result._model = model
        return result

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_model"] = None if self._model is None else self._model.to_bytes()
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        model = state.pop("_model")
        self.__dict__.update(state)
        self._model = None if model is None else _recsys.EaseModel.from_bytes(model)
