"""The hybrid recommender: the lists of a catalogue app, each item with its reasons.

Training data are events and, optionally, a catalog, both keyed by the app's own ids::

    from recsys import Recommender

    events = [("alice", "alien", 5.0, 1), ("alice", "heat", "dislike", 2), ...]
    catalog = [{"item_id": "alien", "title": "Alien", "year": 1979, "genres": ["Sci-Fi"]}, ...]
    rec = Recommender.fit(events, catalog, factors=32)
    result = rec.recommend([("alien", "like", 10)], n=5, list="because_you_liked", item="alien")
    for r in result:
        print(r.item_id, r.score, r.explanation)
    result.unknown_ids  # history / filter ids the recommender does not know (never raised)

``events``
    a pandas ``DataFrame`` with columns ``user_id``, ``item_id``, ``feedback`` (or ``rating``)
    and optionally ``timestamp`` (integer seconds; 0 when the column is missing), or any
    iterable of ``(user_id, item_id, feedback, timestamp)`` tuples.
``feedback``
    a number (a star rating; NaN or infinite values raise
    :class:`~recsys.exceptions.InvalidArgumentError`) or one of ``"like"``, ``"dislike"``,
    ``"watched"``, ``"watchlisted"``, ``"not_interested"``.
``catalog``
    a ``DataFrame`` or an iterable of dicts with key ``item_id`` and optional ``title`` (str),
    ``year`` (int), ``genres`` and ``tags`` (lists of str, or one str separated by ``|``) and
    ``people`` (a list of ``(person_id, name, role)`` with role ``actor``, ``director``,
    ``writer`` or ``producer``; used by the ``people`` filter, ``favorite_people`` and the
    reasons). Catalog items without events can still be recommended (as new arrivals).

``embeddings``
    optional dense item vectors (e.g. a sentence model's embeddings of the plots), mixed into
    the content similarity with ``embedding_weight`` in ``[0, 1]``: a mapping of item id to a
    vector, a ``DataFrame`` indexed by item id (one column per dimension), or ``(item_ids,
    2-D array)``. Items without one get none; an id the recommender does not know raises
    :class:`~recsys.exceptions.UnknownIdError`.

Explicit ratings (numeric feedback) also train a rating model: :meth:`Recommender.predict_rating`
folds the ratings of a request history in, so a rating made a second ago counts.

Ids are converted with ``str()``; results carry string ids. Everything is computed by the Rust
core (``recsys._recsys.RecommenderModel``); this module only converts.
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _recsys
from ._util import FitCallback, count, feedback, is_real, iteration_relay, number, timestamp
from .exceptions import InvalidArgumentError

__all__ = ["Recommender", "Recommendation", "Recommendations", "LISTS"]

#: The list kinds :meth:`Recommender.recommend` builds.
LISTS = ("for_you", "because_you_liked", "trending", "by_genre", "similar_to")

Feedback = Union[float, str]
Event = Tuple[Any, Any, Feedback, int]
HistoryEvent = Tuple[Any, Feedback, int]


@dataclass(frozen=True)
class Recommendation:
    """One recommended item."""

    #: The app's item id.
    item_id: str
    #: The list's score (higher is better; comparable only within one response).
    score: float
    #: Structured reasons, most important first, in the core's serde shape: dicts with a
    #: ``kind`` key (``because_you_liked``, ``shared_people``, ``shared_genres``,
    #: ``similar_to``, ``matches_taste``, ``you_like``, ``trending``, ``popular_in``,
    #: ``popular``, ``new_arrival``) and the kind's fields; items are cited as dicts with
    #: ``item_id`` (the app's id) and, when known, ``title`` and ``year``, e.g.
    #: ``{"kind": "because_you_liked", "items": [{"item_id": "m1", "title": "Alien",
    #: "year": 1979, "share": 0.7}]}`` or ``{"kind": "similar_to", "item": {"item_id": "m1"}}``.
    reasons: List[Dict[str, Any]]
    #: The reasons rendered as one sentence.
    explanation: str


class _LazyRecommendation(Recommendation):
    """A :class:`Recommendation` whose ``reasons`` and ``explanation`` stay in the core's form
    until read (then converted once and kept): most callers read a few items' sentences, or
    none. It compares equal to a plain :class:`Recommendation` with the same values and
    pickles as one."""

    # Built by _recommendations without __init__: item_id, score, _results, _index.
    _results: _recsys.Results
    _index: int

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes not set yet: the two lazy fields.
        if name == "reasons":
            value: Any = self._results.reasons(self._index)
        elif name == "explanation":
            value = self._results.explanation(self._index)
        else:
            raise AttributeError(f"'Recommendation' object has no attribute {name!r}")
        object.__setattr__(self, name, value)
        return value

    def _values(self) -> Tuple[str, float, List[Dict[str, Any]], str]:
        return self.item_id, self.score, self.reasons, self.explanation

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Recommendation):
            return self._values() == (other.item_id, other.score, other.reasons, other.explanation)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # reasons are lists, as in Recommendation

    def __repr__(self) -> str:
        return repr(Recommendation(*self._values()))

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Recommendation, self._values())

    def __copy__(self) -> Recommendation:
        return Recommendation(*self._values())

    def __deepcopy__(self, memo: Dict[int, Any]) -> Recommendation:
        import copy

        return Recommendation(*copy.deepcopy(self._values(), memo))


def _recommendations(results: _recsys.Results) -> "Recommendations":
    """The core's answer as :class:`Recommendations` of lazy items."""
    return Recommendations(results.items(_LazyRecommendation), results.unknown_ids)


@dataclass(frozen=True)
class Recommendations:
    """The answer to a request: the items (best first) and the ids that were ignored."""

    items: List[Recommendation]
    #: Ids in the history or filters (and favourite genres or people) the recommender does not
    #: know, sorted and deduplicated. (A NaN or absurd rating in the history raises
    #: :class:`~recsys.exceptions.InvalidArgumentError`.)
    unknown_ids: List[str]

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Recommendation:
        return self.items[index]

    @property
    def item_ids(self) -> List[str]:
        """The recommended ids, best first."""
        return [r.item_id for r in self.items]


def _is_frame(value: object) -> bool:
    return hasattr(value, "columns") and hasattr(value, "to_dict")


def _event_rows(events: Any) -> List[Tuple[str, str, Any, int]]:
    if _is_frame(events):
        columns = list(events.columns)
        feedback_column = "feedback" if "feedback" in columns else "rating" if "rating" in columns else None
        missing = [c for c in ("user_id", "item_id") if c not in columns]
        if feedback_column is None or missing:
            raise InvalidArgumentError(
                f"events needs columns user_id, item_id and feedback (or rating); got {columns}"
            )
        n = len(events)
        timestamps = events["timestamp"].tolist() if "timestamp" in columns else [0] * n
        events = zip(events["user_id"].tolist(), events["item_id"].tolist(), events[feedback_column].tolist(), timestamps)
    if not isinstance(events, Iterable) or isinstance(events, (str, bytes)):
        raise TypeError(
            f"events must be a DataFrame or an iterable of (user_id, item_id, feedback, timestamp), got {events!r}"
        )
    rows = []
    for row, event in enumerate(events):
        if not isinstance(event, (tuple, list)) or len(event) != 4:
            raise InvalidArgumentError(f"events row {row}: expected (user_id, item_id, feedback, timestamp), got {event!r}")
        user, item, value, when = event
        where = f"events row {row}"
        rows.append((str(user), str(item), feedback(value, where), timestamp(when, where)))
    return rows


def _names(value: Any, field: str, row: int) -> List[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [part for part in value.split("|") if part]
    if isinstance(value, bytes) or not isinstance(value, Iterable):
        raise TypeError(
            f"catalog row {row}: {field} must be a list of names or one '|'-separated str, got {value!r}"
        )
    return [str(v) for v in value]


def _year(value: Any, row: int) -> Optional[int]:
    """A catalog year: an integer (an integral float from a DataFrame too) or missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():  # a year read as text
        value = int(value)
    if is_real(value) and -(2**31) <= value < 2**31 and value == math.floor(value):
        return int(value)
    raise InvalidArgumentError(f"catalog row {row}: year must be an integer (or missing), got {value!r}")


def _people(value: Any, row: int) -> List[Tuple[str, Optional[str], str]]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (str, bytes)):
        raise InvalidArgumentError(f"catalog row {row}: people must be a list of (person_id, name, role), got {value!r}")
    credits = []
    for credit in value:
        if not isinstance(credit, (tuple, list)) or len(credit) != 3:
            raise InvalidArgumentError(f"catalog row {row}: expected (person_id, name, role) credits, got {credit!r}")
        person, name, role = credit
        credits.append((str(person), None if name is None else str(name), str(role)))
    return credits


CatalogRow = Tuple[str, Optional[str], Optional[int], List[str], List[str], List[Tuple[str, Optional[str], str]]]


def _catalog_rows(catalog: Any) -> List[CatalogRow]:
    if catalog is None:
        return []
    records = catalog.to_dict("records") if _is_frame(catalog) else catalog
    rows = []
    for row, record in enumerate(records):
        if not isinstance(record, dict) or "item_id" not in record:
            raise InvalidArgumentError(f"catalog row {row}: expected a dict with an item_id, got {record!r}")
        title = record.get("title")
        if isinstance(title, float) and math.isnan(title):  # a missing title in a DataFrame
            title = None
        rows.append(
            (
                str(record["item_id"]),
                None if title is None else str(title),
                _year(record.get("year"), row),
                _names(record.get("genres"), "genres", row),
                _names(record.get("tags"), "tags", row),
                _people(record.get("people"), row),
            )
        )
    return rows


def _history_rows(history: Iterable[HistoryEvent]) -> List[Tuple[str, Any, int]]:
    if not isinstance(history, Iterable) or isinstance(history, (str, bytes)):
        raise TypeError(f"history must be an iterable of (item_id, feedback, timestamp), got {history!r}")
    rows = []
    for row, event in enumerate(history):
        if not isinstance(event, (tuple, list)) or len(event) != 3:
            raise InvalidArgumentError(f"history row {row}: expected (item_id, feedback, timestamp), got {event!r}")
        item, value, when = event
        where = f"history row {row}"
        rows.append((str(item), feedback(value, where), timestamp(when, where)))
    return rows


def _given(value: Any) -> bool:
    """Whether an optional argument of :meth:`Recommender.recommend` was given (not None and
    not the empty tuple its signature defaults to)."""
    return value is not None and not (value.__class__ is tuple and len(value) == 0)


def _query(
    list: Any,
    n: Any,
    item: Any,
    genre: Any,
    genres: Any,
    years: Any,
    tags: Any,
    people: Any,
    exclude_seen: Any,
    exclude_disliked: Any,
    exclude: Any,
    candidates: Any,
    diversity: Any,
) -> Dict[str, Any]:
    """:meth:`Recommender.recommend`'s arguments as the core's query shape, checked. Only the
    settings that differ from the core's defaults are written (``{"list": "for_you", "n":
    10}`` is a whole query), so the core reads less."""
    if not isinstance(list, str):
        raise TypeError(f"list must be one of {', '.join(LISTS)}, got {list!r}")
    if n.__class__ is not int and (isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral)):
        raise TypeError(f"n must be a non-negative integer, got {n!r}")
    first, last = _years(years) or (None, None)
    query: Dict[str, Any] = {
        "list": _list_spec(list, item, genre),
        "n": n if n.__class__ is int and 0 <= n <= 1 << 62 else count(n, "n"),
    }
    filters: Dict[str, Any] = {}
    if _given(genres):
        filters["genres"] = _id_list(genres, "genres")
    if first is not None:
        filters["min_year"], filters["max_year"] = first, last
    if _given(tags):
        filters["tags"] = _id_list(tags, "tags")
    if _given(people):
        filters["people"] = _id_list(people, "people")
    if exclude_seen is not True:
        filters["exclude_seen"] = bool(exclude_seen)
    if exclude_disliked is not True:
        filters["exclude_disliked"] = bool(exclude_disliked)
    if exclude is not None:
        filters["exclude"] = _id_list(exclude, "exclude")
    if candidates is not None:
        filters["candidates"] = _id_list(candidates, "candidates")
    if filters:
        query["filters"] = filters
    if diversity is not None:
        query["diversity"] = number(diversity, "diversity")
    return query


def _history(history: Iterable[HistoryEvent], favorite_genres: Any, favorite_people: Any) -> _recsys.History:
    """The request history for the core. A list or tuple of plain ``(str, float | int | str,
    int)`` tuples goes to the core as it is; anything else is converted (and checked, with
    messages naming the row) by :func:`_history_rows` first."""
    genres = _weighted(favorite_genres, "favorite_genres") if _given(favorite_genres) else []
    people = _weighted(favorite_people, "favorite_people") if _given(favorite_people) else []
    events = _recsys.RecommenderModel.history(history, genres, people)
    if events is None:
        events = _recsys.RecommenderModel.history(_history_rows(history), genres, people)
        if events is None:  # _history_rows makes plain rows: never happens
            raise InvalidArgumentError("history could not be converted")
    return events


def _id_list(values: Optional[Iterable[Any]], name: str) -> List[str]:
    """A list argument of ids or names (None: empty); a lone string (iterable by character) is
    refused."""
    if values is None:
        return []
    if values.__class__ is list or values.__class__ is tuple:  # the common case, checked quickly
        return [v if v.__class__ is str else str(v) for v in values]
    if isinstance(values, (str, bytes)):
        raise InvalidArgumentError(f"{name} must be a list of ids, got the string {values!r} (wrap it in a list)")
    if not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of ids, got {values!r}")
    return [str(v) for v in values]


def _weighted(values: Any, name: str) -> List[Tuple[str, float]]:
    """Favourites as ``(name, weight)`` pairs: a dict of weights, or a list of names (weight 1)."""
    if isinstance(values, Mapping):
        return [(str(k), number(v, f"{name}[{k!r}]")) for k, v in values.items()]
    return [(v, 1.0) for v in _id_list(values, name)]


def _years(years: Any) -> Optional[Tuple[int, int]]:
    """The ``years`` filter: None or an inclusive ``(first, last)`` pair of integer years."""
    if years is None:
        return None
    if not (
        isinstance(years, (tuple, list))
        and len(years) == 2
        and all(isinstance(y, numbers.Integral) and not isinstance(y, (bool, np.bool_)) for y in years)
    ):
        raise TypeError(f"years must be a (first, last) pair of integer years, got {years!r}")
    first, last = int(years[0]), int(years[1])
    if not all(-(2**31) <= y < 2**31 for y in (first, last)):
        raise InvalidArgumentError(f"years must be within 32-bit years, got {years!r}")
    return first, last


def _settings(settings: Optional[Mapping[str, Any]], name: str) -> Optional[Dict[str, Any]]:
    """``settings`` as a plain dict for the core, which reads it by name (and names unknown
    keys); numpy scalars become Python numbers, bools are refused as numbers."""
    if settings is None:
        return None
    if not isinstance(settings, Mapping):
        raise InvalidArgumentError(f"{name} must be a dict of settings, got {type(settings).__name__}")
    plain: Dict[str, Any] = {}
    for key, value in settings.items():
        if not isinstance(key, str):
            raise InvalidArgumentError(f"{name} keys must be setting names (str), got {key!r}")
        if isinstance(value, (bool, np.bool_)):
            raise InvalidArgumentError(f"{name}[{key!r}] must be a number, got {value!r}")
        plain[key] = value.item() if isinstance(value, np.generic) else value
    return plain


def _blend(blend: Union[None, str, Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """A preset name, or a dict of weights with an optional ``preset``, as the core's dict."""
    if isinstance(blend, str):
        return {"preset": blend}
    return _settings(blend, "blend")


class _Settings:
    """The checked training settings of :meth:`Recommender.fit` and :meth:`Recommender.fit_recbole`."""

    def __init__(
        self,
        factors: int,
        regularization: float,
        alpha: float,
        iterations: int,
        seed: int,
        policy: Optional[Mapping[str, Optional[float]]],
        blend: Union[None, str, Mapping[str, Any]],
        ratings: Union[bool, Mapping[str, float]],
        num_threads: int,
    ) -> None:
        self.als = (
            count(factors, "factors"),
            number(regularization, "regularization"),
            number(alpha, "alpha"),
            count(iterations, "iterations"),
            count(seed, "seed") & (2**64 - 1),
        )
        self.policy = _settings(policy, "policy")
        self.blend = _blend(blend)
        if isinstance(ratings, Mapping):
            self.ratings = _settings(ratings, "ratings")
        elif isinstance(ratings, (bool, np.bool_)):
            self.ratings = {} if ratings else None
        else:
            raise InvalidArgumentError(f"ratings must be True, False or a dict of settings, got {ratings!r}")
        self.num_threads = count(num_threads, "num_threads")

    def train(
        self, fit: Callable[..., _recsys.RecommenderModel], show_progress: bool, callback: Optional[FitCallback]
    ) -> _recsys.RecommenderModel:
        """``fit(als, policy, blend, ratings, num_threads, progress)`` under a progress bar."""
        if callback is not None and not callable(callback):
            raise InvalidArgumentError(f"callback must be callable(iteration, seconds, loss), got {callback!r}")
        on_iteration, bar = iteration_relay(self.als[3], show_progress, callback)
        try:
            return fit(self.als, self.policy, self.blend, self.ratings, self.num_threads, on_iteration)
        finally:
            if bar is not None:
                bar.close()


def _embedding_args(
    embeddings: Any, weight: float
) -> Optional[Tuple[List[str], npt.NDArray[np.float32], float]]:
    """``embeddings`` (see the module docs) as ``(ids, float32 rows, weight)`` for the core."""
    if embeddings is None:
        return None
    if _is_frame(embeddings):
        ids, rows = list(embeddings.index), embeddings.to_numpy()
    elif isinstance(embeddings, Mapping):
        ids, rows = list(embeddings.keys()), list(embeddings.values())
    elif isinstance(embeddings, tuple) and len(embeddings) == 2:
        ids, rows = list(embeddings[0]), embeddings[1]
    else:
        raise InvalidArgumentError(
            "embeddings must be a mapping of item id to vector, a DataFrame indexed by item id "
            f"or (item_ids, 2-D array), got {type(embeddings).__name__}"
        )
    try:
        matrix = np.ascontiguousarray(np.asarray(rows, dtype=np.float32))
    except (TypeError, ValueError) as err:
        raise InvalidArgumentError(f"embeddings must be numeric vectors of one length: {err}") from None
    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
        raise InvalidArgumentError(
            f"embeddings must be one vector per item id: {len(ids)} ids, rows of shape {matrix.shape}"
        )
    return [str(i) for i in ids], matrix, number(weight, "embedding_weight")


def _list_spec(name: str, item: Any, genre: Optional[str]) -> Union[str, Dict[str, str]]:
    """The list in the core's shape: its name, or ``{"kind": name, ...}`` with the item or
    genre it is built around (the core says which lists need which)."""
    if item is None and genre is None:
        return name
    spec = {"kind": name}
    if item is not None:
        spec["item_id"] = str(item)
    if genre is not None:
        spec["genre"] = str(genre)
    return spec


def _item_ids(items: Any) -> List[str]:
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise InvalidArgumentError(f"items must be a sequence of item ids, got {items!r}")
    return [str(item) for item in items]


class Recommender:
    """A trained hybrid recommender (collaborative ALS fold-in, content and popularity).

    Immutable and thread-safe; build it with :meth:`fit`, :meth:`load` or :meth:`from_bytes`.
    """

    def __init__(self, model: _recsys.RecommenderModel) -> None:
        if not isinstance(model, _recsys.RecommenderModel):
            raise InvalidArgumentError("use Recommender.fit, load or from_bytes to build a Recommender")
        self._model = model

    @classmethod
    def fit(
        cls,
        events: Any,
        catalog: Any = None,
        *,
        factors: int = 64,
        regularization: float = 20.0,
        alpha: float = 1.0,
        iterations: int = 15,
        seed: int = 42,
        policy: Optional[Mapping[str, Optional[float]]] = None,
        blend: Union[None, str, Mapping[str, Any]] = None,
        ratings: Union[bool, Mapping[str, float]] = True,
        num_threads: int = 0,
        show_progress: bool = True,
        callback: Optional[FitCallback] = None,
        embeddings: Any = None,
        embedding_weight: float = 0.5,
    ) -> "Recommender":
        """Trains on ``events`` and ``catalog`` (see the module docs for their shapes).

        The ALS defaults are the core's (tuned on MovieLens). ``policy`` overrides the core's
        feedback policy by name (``rating_scale``, ``negative_below`` (None: every rating is
        positive), ``like``, ``dislike``, ``watched``, ``watchlisted``, ``not_interested``);
        ``blend`` is a preset (``"default"`` or ``"long_tail"``: more catalogue coverage for a
        little nDCG) or a dict of weights by name, with an optional ``"preset"`` to start
        from (``half_history``, ``content``,
        ``item_knn``, ``popularity``, ``popularity_half_history``, ``popularity_penalty``,
        ``penalty_calibration``, ``exposure_penalty``, ``pool``, ``cold_item_score``,
        ``cold_item_shrinkage``, ``diversity``); settings not
        given keep the core's defaults. ``ratings=False`` skips the explicit rating model
        (it is trained only when there are numeric ratings); a dict overrides its settings by
        name (``factors``, ``epochs``, ``learning_rate``, ``learning_rate_decay``,
        ``regularization``, ``bias_regularization``, ``init_std``, ``seed``), e.g.
        ``ratings={"epochs": 20}`` to train it faster on a large dataset (its cost grows with
        ratings × epochs × factors).

        The GIL is released while training; ``num_threads = 0`` uses all cores.
        ``show_progress`` shows a tqdm bar over the ALS iterations when tqdm is installed;
        ``callback(iteration, seconds, loss)`` is called after every ALS iteration (from 0,
        loss None), like implicit's ``fit_callback``; an exception it raises is re-raised after
        training. ``embeddings`` adds dense item vectors to the content similarity with
        ``embedding_weight`` (see the module docs). Bad input raises :class:`~recsys.exceptions.InvalidArgumentError` naming
        the row or setting.
        """
        train = partial(
            _recsys.RecommenderModel.fit,
            _event_rows(events),
            _catalog_rows(catalog),
            embeddings=_embedding_args(embeddings, embedding_weight),
        )
        settings = _Settings(factors, regularization, alpha, iterations, seed, policy, blend, ratings, num_threads)
        return cls(settings.train(train, show_progress, callback))

    @classmethod
    def fit_recbole(
        cls,
        directory: Union[str, "os.PathLike[str]"],
        name: str,
        *,
        factors: int = 64,
        regularization: float = 20.0,
        alpha: float = 1.0,
        iterations: int = 15,
        seed: int = 42,
        policy: Optional[Mapping[str, Optional[float]]] = None,
        blend: Union[None, str, Mapping[str, Any]] = None,
        ratings: Union[bool, Mapping[str, float]] = True,
        num_threads: int = 0,
        show_progress: bool = True,
        callback: Optional[FitCallback] = None,
        embeddings: Any = None,
        embedding_weight: float = 0.5,
    ) -> "Recommender":
        """Trains on the RecBole-format files ``directory/name.inter`` (+ ``.item``, ``.kg``,
        ``.link`` when present) read by the core's loader, e.g. ``("data/ml-100k", "ml-100k")``.
        The settings are those of :meth:`fit`.

        A missing directory raises ``ModelNotFoundError`` (a ``FileNotFoundError``).
        """
        train = partial(
            _recsys.RecommenderModel.fit_recbole,
            directory,
            name,
            embeddings=_embedding_args(embeddings, embedding_weight),
        )
        settings = _Settings(factors, regularization, alpha, iterations, seed, policy, blend, ratings, num_threads)
        return cls(settings.train(train, show_progress, callback))

    def recommend(
        self,
        history: Iterable[HistoryEvent] = (),
        n: int = 10,
        list: str = "for_you",
        *,
        item: Any = None,
        genre: Optional[str] = None,
        genres: Sequence[str] = (),
        years: Optional[Tuple[int, int]] = None,
        tags: Sequence[str] = (),
        people: Sequence[str] = (),
        exclude_seen: bool = True,
        exclude_disliked: bool = True,
        exclude: Optional[Iterable[Any]] = None,
        candidates: Optional[Iterable[Any]] = None,
        diversity: Optional[float] = None,
        favorite_genres: Union[Sequence[str], Mapping[str, float]] = (),
        favorite_people: Union[Sequence[str], Mapping[str, float]] = (),
    ) -> Recommendations:
        """One list for a user's current ``history`` of ``(item_id, feedback, timestamp)``.

        ``list`` is one of :data:`LISTS`; ``because_you_liked`` and ``similar_to`` need
        ``item``, ``by_genre`` needs ``genre``. Filters: ``genres`` / ``tags`` / ``people``
        (any of; people by catalog person id), ``years`` (inclusive range), ``exclude``,
        ``candidates`` (only these), ``exclude_seen`` and ``exclude_disliked``. ``diversity``
        in ``[0, 1]`` re-ranks for variety. ``favorite_genres`` / ``favorite_people`` are a new
        user's onboarding picks, a list (equal weights) or a dict of weights
        (``{"Sci-Fi": 3, "Drama": 1}``): while the history has no positive evidence they tilt
        For You's popularity ranking towards matching items. Unknown ids are reported in
        :attr:`Recommendations.unknown_ids`, not raised.
        """
        query = _query(
            list, n, item, genre, genres, years, tags, people, exclude_seen, exclude_disliked,
            exclude, candidates, diversity,
        )
        events = _history(history, favorite_genres, favorite_people)
        return _recommendations(self._model.recommend(events, query))

    @staticmethod
    def _core_request(
        history: Iterable[HistoryEvent],
        n: int,
        list: str,
        *,
        item: Any = None,
        genre: Optional[str] = None,
        genres: Sequence[str] = (),
        years: Optional[Tuple[int, int]] = None,
        tags: Sequence[str] = (),
        people: Sequence[str] = (),
        exclude_seen: bool = True,
        exclude_disliked: bool = True,
        exclude: Optional[Iterable[Any]] = None,
        candidates: Optional[Iterable[Any]] = None,
        diversity: Optional[float] = None,
        favorite_genres: Union[Sequence[str], Mapping[str, float]] = (),
        favorite_people: Union[Sequence[str], Mapping[str, float]] = (),
    ) -> Tuple[_recsys.History, Dict[str, Any]]:
        """The history and query the core answers for :meth:`recommend`'s arguments (checked;
        for ``scripts/bench_python.py``)."""
        query = _query(
            list, n, item, genre, genres, years, tags, people, exclude_seen, exclude_disliked,
            exclude, candidates, diversity,
        )
        return _history(history, favorite_genres, favorite_people), query

    def predict_rating(self, history: Iterable[HistoryEvent], item: Any) -> float:
        """The rating the user of ``history`` would give ``item``, within the training range.

        The history's numeric ratings (the latest per item) are folded into the explicit
        rating model at request time; likes and other kinds carry no stars and are ignored, as
        are unknown history ids. A history without ratings gets the item's baseline (mean
        rating plus item bias). An unknown ``item`` raises ``UnknownIdError`` (a ``KeyError``);
        a NaN rating in the history or a recommender without a rating model (no numeric
        ratings in training, or ``ratings=False``) raises ``InvalidArgumentError``.
        """
        return float(self._model.predict_ratings(_history_rows(history), [str(item)])[0])

    def predict_ratings(self, history: Iterable[HistoryEvent], items: Iterable[Any]) -> npt.NDArray[np.float32]:
        """:meth:`predict_rating` for many items at once (one fold-in): a ``float32`` array."""
        return self._model.predict_ratings(_history_rows(history), _item_ids(items))

    @property
    def has_ratings(self) -> bool:
        """Whether :meth:`predict_rating` works (the recommender has a rating model)."""
        return self._model.has_ratings

    @property
    def rating_range(self) -> Optional[Tuple[float, float]]:
        """The ``(min, max)`` of predicted ratings, or None without a rating model."""
        return self._model.rating_range

    @property
    def n_items(self) -> int:
        """Number of items the recommender knows (with events or from the catalog)."""
        return self._model.n_items

    def to_bytes(self) -> bytes:
        """The recommender as a versioned, checksummed artifact (kind ``"recommender"``)."""
        return self._model.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Recommender":
        """Decodes :meth:`to_bytes` output; corrupt data raises ``CorruptModelError``."""
        return cls(_recsys.RecommenderModel.from_bytes(data))

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the artifact to ``path`` atomically."""
        self._model.save(path)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Recommender":
        """Reads an artifact written by :meth:`save`."""
        return cls(_recsys.RecommenderModel.load(path))

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Recommender.from_bytes, (self.to_bytes(),))

    def _summary(self) -> List[Tuple[str, str]]:
        low_high = self.rating_range
        ratings = f"yes ({low_high[0]:g}–{low_high[1]:g} stars)" if low_high else "no"
        return [("items", f"{self.n_items:,}"), ("rating model", ratings), ("lists", ", ".join(LISTS))]

    def __repr__(self) -> str:
        stars = f", ratings {self.rating_range[0]:g}–{self.rating_range[1]:g}" if self.rating_range else ""
        return f"<recsys.Recommender: {self.n_items:,} items{stars}>"

    def _repr_html_(self) -> str:
        """A small table in Jupyter (like pandas objects)."""
        from html import escape

        rows = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>{escape(v)}</td></tr>" for k, v in self._summary())
        return f"<div><strong>recsys.Recommender</strong><table>{rows}</table></div>"
