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

``als_item_factors``
    optional ALS item factors trained elsewhere (e.g. by Apache Spark MLlib's ``ALS``; see
    ``scripts/spark_als.py``), in the same shapes as ``embeddings``: they replace the ALS fit,
    everything else (catalogue, content, neighbours, popularity, rating model) is trained here,
    and ``regularization`` / ``alpha`` are what requests fold histories in with. Items without
    a row get zero factors; an unknown id raises :class:`~recsys.exceptions.UnknownIdError`.

Explicit ratings (numeric feedback) also train a rating model: :meth:`Recommender.predict_rating`
folds the ratings of a request history in, so a rating made a second ago counts.

Ids are strings; integers (and integral floats such as ``50.0``, what pandas makes of an
integer column with a gap) become their decimal text, other objects (a UUID) ``str()``;
missing ids (None, NaN, ``pd.NA``) and fractional floats are refused with the row named.
Timestamps are integer seconds or datetimes (``datetime``, ``pandas.Timestamp``,
``numpy.datetime64``, a DataFrame's ``datetime64`` column; naive ones are UTC). Every bad
argument raises a :class:`~recsys.exceptions.RecsysError` (a wrong type an
:class:`~recsys.exceptions.ArgumentTypeError`, also a ``TypeError``). Results carry string ids. Everything is computed by the Rust
core (``recsys._recsys.RecommenderModel``); this module only converts.
"""

from __future__ import annotations

import math
import numbers
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, NoReturn, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import _recsys
from ._util import FitCallback, count, external_id, feedback, is_real, number, progress_bar, timestamp
from .exceptions import ArgumentTypeError, InvalidArgumentError, UnknownIdError

__all__ = ["Recommender", "Recommendation", "Recommendations", "LISTS", "StageCallback"]

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
    """The core's answer as :class:`Recommendations` of lazy items (made by the binding in one
    call)."""
    answer: Recommendations = results.recommendations(Recommendations, _LazyRecommendation)
    return answer


@dataclass(frozen=True)
class Recommendations:
    """The answer to a request: the items (best first) and the names that were ignored.

    Unknown names are never errors: each kind is reported in its own list, sorted and
    deduplicated, and otherwise ignored (an unknown name in a filter matches no item, so a
    filter of unknown genres only returns nothing). Only the subject of a request raises: the
    ``item`` of ``because_you_liked`` / ``similar_to`` (``UnknownIdError``) and the ``genre``
    of ``by_genre`` (``InvalidArgumentError``). (A NaN or absurd rating in the history raises
    :class:`~recsys.exceptions.InvalidArgumentError`.)
    """

    items: List[Recommendation]
    #: Item ids in the history, ``candidates`` and ``exclude`` the recommender does not know.
    unknown_ids: List[str]
    #: Genres of the ``genres`` filter and of ``favorite_genres`` no item has.
    unknown_genres: List[str] = field(default_factory=list)
    #: Tags of the ``tags`` filter no item has.
    unknown_tags: List[str] = field(default_factory=list)
    #: Person ids of the ``people`` filter and of ``favorite_people`` the catalogue lacks.
    unknown_people: List[str] = field(default_factory=list)
    #: The items' titles (None where the catalogue has none), for display.
    titles: List[Optional[str]] = field(default_factory=list, repr=False, compare=False)
    #: For :meth:`Recommender.discover`: the query as read (``genres``, ``any_genre``,
    #: ``excluded_genres``, ``years`` and ``excluded_years`` (``{"from", "to", "label"}``),
    #: ``people``, ``excluded_people``, ``like``, ``excluded_like``, ``moods``, ``words``,
    #: ``unmatched_words``); None for :meth:`Recommender.recommend`.
    query: Optional[Dict[str, Any]] = field(default=None, repr=False, compare=False)

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

    def _unknown(self) -> List[Tuple[str, List[str]]]:
        kinds = [
            ("unknown_ids", self.unknown_ids),
            ("unknown_genres", self.unknown_genres),
            ("unknown_tags", self.unknown_tags),
            ("unknown_people", self.unknown_people),
        ]
        return [(name, values) for name, values in kinds if values]

    def _title(self, index: int) -> Optional[str]:
        return self.titles[index] if index < len(self.titles) else None

    def __repr__(self) -> str:
        shown = 5
        lines = [f"<recsys.Recommendations: {len(self.items)} item{'' if len(self.items) == 1 else 's'}"]
        for index, rec in enumerate(self.items[:shown]):
            title = self._title(index)
            name = f"{rec.item_id} ({title})" if title else rec.item_id
            lines.append(f"  {index + 1}. {name}  {rec.score:.4g}  {rec.explanation}")
        if len(self.items) > shown:
            lines.append(f"  ... {len(self.items) - shown} more")
        lines.extend(f"  {name}: {', '.join(values)}" for name, values in self._unknown())
        return "\n".join(lines) + ">"

    def _repr_html_(self) -> str:
        """A table of the items (rank, id, title, score, why) in Jupyter, like pandas objects."""
        from html import escape

        cell = "<td style='text-align:left'>{}</td>"
        rows = "".join(
            "<tr>"
            + f"<th>{index + 1}</th>"
            + cell.format(escape(rec.item_id))
            + cell.format(escape(self._title(index) or ""))
            + f"<td>{rec.score:.4g}</td>"
            + cell.format(escape(rec.explanation))
            + "</tr>"
            for index, rec in enumerate(self.items)
        )
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in ("", "item_id", "title", "score", "why"))
        notes = "".join(f"<p>{escape(name)}: {escape(', '.join(values))}</p>" for name, values in self._unknown())
        return (
            f"<div><strong>recsys.Recommendations</strong> ({len(self.items)} items)"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{notes}</div>"
        )


def _is_frame(value: object) -> bool:
    return hasattr(value, "columns") and hasattr(value, "to_dict")


def _timestamp_column(frame: Any) -> List[Any]:
    """A frame's ``timestamp`` column as a list (zeros when it has none): a naive datetime64
    column without gaps becomes integer seconds at once; other values are converted (and
    checked) row by row."""
    if "timestamp" not in frame.columns:
        return [0] * len(frame)
    column = frame["timestamp"]
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "M" and not column.isna().any():
        return column.to_numpy().astype("datetime64[s]").astype(np.int64).tolist()
    return column.tolist()


def _frame_columns(frame: Any, what: str, ids: Sequence[str]) -> Iterable[Tuple[Any, ...]]:
    """The rows of an events or history DataFrame: its ``ids`` columns, ``feedback`` (or
    ``rating``) and ``timestamp`` (optional)."""
    columns = list(frame.columns)
    feedback_column = "feedback" if "feedback" in columns else "rating" if "rating" in columns else None
    missing = [c for c in ids if c not in columns]
    if feedback_column is None or missing:
        raise InvalidArgumentError(
            f"{what} needs columns {', '.join(ids)} and feedback (or rating), timestamp optional; got {columns}"
        )
    return zip(*(frame[c].tolist() for c in ids), frame[feedback_column].tolist(), _timestamp_column(frame))


def _event_rows(events: Any) -> List[Tuple[str, str, Any, int]]:
    if _is_frame(events):
        events = _frame_columns(events, "events", ("user_id", "item_id"))
    if not isinstance(events, Iterable) or isinstance(events, (str, bytes)):
        raise ArgumentTypeError(
            f"events must be a DataFrame or an iterable of (user_id, item_id, feedback, timestamp), got {events!r}"
        )
    rows = []
    for row, event in enumerate(events):
        if not isinstance(event, (tuple, list)) or len(event) != 4:
            raise InvalidArgumentError(f"events row {row}: expected (user_id, item_id, feedback, timestamp), got {event!r}")
        user, item, value, when = event
        where = f"events row {row}"
        rows.append(
            (
                external_id(user, f"{where}: user_id"),
                external_id(item, f"{where}: item_id"),
                feedback(value, where),
                timestamp(when, where),
            )
        )
    return rows


def _names(value: Any, field: str, row: int) -> List[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [part for part in value.split("|") if part]
    if isinstance(value, bytes) or not isinstance(value, Iterable):
        raise ArgumentTypeError(
            f"catalog row {row}: {field} must be a list of names or one '|'-separated str, got {value!r}"
        )
    return [external_id(v, f"catalog row {row}: {field}") for v in value]


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
        credits.append((external_id(person, f"catalog row {row}: person_id"), None if name is None else str(name), str(role)))
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
                external_id(record["item_id"], f"catalog row {row}: item_id"),
                None if title is None else str(title),
                _year(record.get("year"), row),
                _names(record.get("genres"), "genres", row),
                _names(record.get("tags"), "tags", row),
                _people(record.get("people"), row),
            )
        )
    return rows


def _history_rows(history: Any) -> List[Tuple[str, Any, int]]:
    if _is_frame(history):
        history = _frame_columns(history, "history", ("item_id",))
    if not isinstance(history, Iterable) or isinstance(history, (str, bytes)):
        raise ArgumentTypeError(f"history must be an iterable of (item_id, feedback, timestamp), got {history!r}")
    rows = []
    for row, event in enumerate(history):
        if not isinstance(event, (tuple, list)) or len(event) != 3:
            raise InvalidArgumentError(f"history row {row}: expected (item_id, feedback, timestamp), got {event!r}")
        item, value, when = event
        where = f"history row {row}"
        rows.append((external_id(item, f"{where}: item_id"), feedback(value, where), timestamp(when, where)))
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
        raise ArgumentTypeError(f"list must be one of {', '.join(LISTS)}, got {list!r}")
    if n.__class__ is not int and (isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral)):
        raise ArgumentTypeError(f"n must be a non-negative integer, got {n!r}")
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
        if events is None:  # _history_rows makes plain rows: only text the core cannot take
            raise InvalidArgumentError(
                "history holds an item id or feedback name that is not valid Unicode (a lone surrogate)"
            )
    return events


def _id_list(values: Optional[Iterable[Any]], name: str) -> List[str]:
    """A list argument of ids or names (None: empty); a lone string (iterable by character) is
    refused."""
    if values is None:
        return []
    if values.__class__ is list or values.__class__ is tuple:  # the common case, checked quickly
        return [v if v.__class__ is str else external_id(v, f"{name}[{i}]") for i, v in enumerate(values)]
    if isinstance(values, (str, bytes)):
        raise InvalidArgumentError(f"{name} must be a list of ids, got the string {values!r} (wrap it in a list)")
    if not isinstance(values, Iterable) or isinstance(values, Mapping):
        raise ArgumentTypeError(f"{name} must be a list of ids, got {values!r}")
    return [external_id(v, f"{name}[{i}]") for i, v in enumerate(values)]


def _weighted(values: Any, name: str) -> List[Tuple[str, float]]:
    """Favourites as ``(name, weight)`` pairs: a dict of weights, or a list of names (weight 1)."""
    if values.__class__ is list or values.__class__ is tuple:  # the common case, checked quickly
        return [(v if v.__class__ is str else external_id(v, f"{name}[{i}]"), 1.0) for i, v in enumerate(values)]
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
        raise ArgumentTypeError(f"years must be a (first, last) pair of integer years, got {years!r}")
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


@contextmanager
def _valid_text(what: str) -> Iterator[None]:
    """Turns the ``UnicodeEncodeError`` of text the core cannot take (a lone surrogate, as
    ``surrogateescape`` decoding leaves) into :class:`~recsys.exceptions.InvalidArgumentError`."""
    try:
        yield
    except UnicodeEncodeError as err:
        _raise_invalid_text(what, err)


def _raise_invalid_text(what: str, err: UnicodeEncodeError) -> NoReturn:
    """Raises the :class:`~recsys.exceptions.InvalidArgumentError` of :func:`_valid_text`."""
    bad = err.object[err.start : err.end] if isinstance(err.object, str) else err.object
    raise InvalidArgumentError(f"{what}: text must be valid Unicode, got {bad!r} (a lone surrogate)") from None


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
        self,
        fit: Callable[..., _recsys.RecommenderModel],
        show_progress: bool,
        callback: Optional[FitCallback],
        progress: Optional[StageCallback],
    ) -> _recsys.RecommenderModel:
        """``fit(als, policy, blend, ratings, num_threads, progress, stages=...)`` under a
        progress bar over every stage."""
        if callback is not None and not callable(callback):
            raise ArgumentTypeError(f"callback must be callable(iteration, seconds, loss), got {callback!r}")
        if progress is not None and not callable(progress):
            raise ArgumentTypeError(f"progress must be callable(stage, done, total), got {progress!r}")
        relay = _FitProgress(self.als[3], show_progress, callback, progress)
        try:
            with _valid_text("fit"):
                return fit(
                    self.als, self.policy, self.blend, self.ratings, self.num_threads, relay.on_iteration,
                    stages=relay.on_stage,
                )
        finally:
            relay.close()


#: ``progress(stage, done, total)`` after each stage of :meth:`Recommender.fit`: the stage's
#: name (``interactions``, ``als``, ``item_knn``, ``ease``, ``content``, ``trending``,
#: ``ratings``, ``exposure``, ``finish``), stages finished (from 1) and stages in this fit.
StageCallback = Callable[[str, int, int], Any]


class _FitProgress:
    """One tqdm bar over a whole :meth:`Recommender.fit` (a step per ALS iteration and one per
    stage, the stage in its description) and the user's callables; ``on_iteration`` and
    ``on_stage`` are what the core calls (None when nobody listens)."""

    def __init__(
        self, iterations: int, show_progress: bool, callback: Optional[FitCallback], progress: Optional[StageCallback]
    ) -> None:
        self._iterations = iterations
        self._show = show_progress
        self._callback = callback
        self._progress = progress
        self._bar: Any = None
        listening = show_progress or callback is not None
        self.on_iteration = self._iteration if listening else None
        self.on_stage = self._stage if listening or progress is not None else None

    def _open(self, stages: int) -> Any:
        if self._bar is None and self._show:
            self._bar = progress_bar(self._iterations + stages, True, desc="fit")
            self._show = self._bar is not None
        return self._bar

    def _iteration(self, iteration: int, iterations: int, seconds: float, loss: Optional[float]) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"als {iteration}/{iterations}", refresh=False)
            self._bar.update(1)
        if self._callback is not None:
            self._callback(iteration - 1, seconds, loss)

    def _stage(self, stage: str, done: int, total: int) -> None:
        bar = self._open(total)
        if bar is not None:
            bar.set_postfix_str(f"{stage} done ({done}/{total} stages)", refresh=False)
            bar.update(1)
        if self._progress is not None:
            self._progress(stage, done, total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _item_rows(value: Any, what: str) -> Tuple[List[str], npt.NDArray[np.float32]]:
    """Item vectors (a mapping of item id to vector, a DataFrame indexed by item id or
    ``(item_ids, 2-D array)``) as ``(ids, float32 rows)`` for the core; ``what`` names them."""
    if _is_frame(value):
        ids, rows = list(value.index), value.to_numpy()
    elif isinstance(value, Mapping):
        ids, rows = list(value.keys()), list(value.values())
    elif isinstance(value, tuple) and len(value) == 2:
        ids, rows = list(value[0]), value[1]
    else:
        raise InvalidArgumentError(
            f"{what} must be a mapping of item id to vector, a DataFrame indexed by item id "
            f"or (item_ids, 2-D array), got {type(value).__name__}"
        )
    try:
        matrix = np.ascontiguousarray(np.asarray(rows, dtype=np.float32))
    except (TypeError, ValueError) as err:
        raise InvalidArgumentError(f"{what} must be numeric vectors of one length: {err}") from None
    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
        raise InvalidArgumentError(
            f"{what} must be one vector per item id: {len(ids)} ids, rows of shape {matrix.shape}"
        )
    return [external_id(i, f"{what} id {n}") for n, i in enumerate(ids)], matrix


def _embedding_args(
    embeddings: Any, weight: float
) -> Optional[Tuple[List[str], npt.NDArray[np.float32], float]]:
    """``embeddings`` (see the module docs) as ``(ids, float32 rows, weight)`` for the core."""
    if embeddings is None:
        return None
    ids, matrix = _item_rows(embeddings, "embeddings")
    return ids, matrix, number(weight, "embedding_weight")


def _item_factor_args(factors: Any) -> Optional[Tuple[List[str], npt.NDArray[np.float32]]]:
    """``als_item_factors`` (see the module docs) as ``(ids, float32 rows)`` for the core."""
    return None if factors is None else _item_rows(factors, "als_item_factors")


def _list_spec(name: str, item: Any, genre: Optional[str]) -> Union[str, Dict[str, str]]:
    """The list in the core's shape: its name, or ``{"kind": name, ...}`` with the item or
    genre it is built around (the core says which lists need which)."""
    if item is None and genre is None:
        return name
    spec = {"kind": name}
    if item is not None:
        spec["item_id"] = external_id(item, "item")
    if genre is not None:
        if not isinstance(genre, str):
            raise ArgumentTypeError(f"genre must be a genre name (str), got {genre!r}")
        spec["genre"] = genre
    return spec


def _item_ids(items: Any) -> List[str]:
    if isinstance(items, (str, bytes)):
        raise InvalidArgumentError(f"items must be a sequence of item ids, got the string {items!r} (wrap it in a list)")
    if not isinstance(items, Iterable):
        raise ArgumentTypeError(f"items must be a sequence of item ids, got {items!r}")
    return [external_id(item, f"items[{i}]") for i, item in enumerate(items)]


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
        progress: Optional[StageCallback] = None,
        als_item_factors: Any = None,
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
        name (``factors``, ``epochs``, ``regularization``, ``bias_regularization``,
        ``prior``, ``cg_steps``, ``init_std``, ``seed``, ``solver``: ``"als"``, the parallel
        default, or ``"sgd"`` with ``learning_rate`` and ``learning_rate_decay``); its cost
        grows with ratings × epochs × factors.

        The GIL is released while training; ``num_threads = 0`` uses all cores.
        ``show_progress`` shows one tqdm bar over every stage of training when tqdm is
        installed (a step per ALS iteration, then one per stage: item-kNN, EASE, content,
        trending, the rating model, ...); ``progress(stage, done, total)`` is called after each
        stage (see :data:`StageCallback`); ``callback(iteration, seconds, loss)`` is called
        after every ALS iteration (from 0, loss None), like implicit's ``fit_callback``. An
        exception either callable raises is re-raised after training. ``embeddings`` adds dense item vectors to the content similarity with
        ``embedding_weight`` (see the module docs). ``als_item_factors`` (see the module docs)
        replaces the ALS fit by item factors trained elsewhere, e.g. by Spark MLlib. Bad input raises :class:`~recsys.exceptions.InvalidArgumentError` naming
        the row or setting.
        """
        train = partial(
            _recsys.RecommenderModel.fit,
            _event_rows(events),
            _catalog_rows(catalog),
            embeddings=_embedding_args(embeddings, embedding_weight),
            als_item_factors=_item_factor_args(als_item_factors),
        )
        settings = _Settings(factors, regularization, alpha, iterations, seed, policy, blend, ratings, num_threads)
        return cls(settings.train(train, show_progress, callback, progress))

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
        progress: Optional[StageCallback] = None,
        als_item_factors: Any = None,
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
            als_item_factors=_item_factor_args(als_item_factors),
        )
        settings = _Settings(factors, regularization, alpha, iterations, seed, policy, blend, ratings, num_threads)
        return cls(settings.train(train, show_progress, callback, progress))

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
        try:  # (not `with _valid_text(...)`: a context manager costs a few µs per request)
            events = _history(history, favorite_genres, favorite_people)
            return _recommendations(self._model.recommend(events, query))
        except UnicodeEncodeError as err:
            _raise_invalid_text("recommend", err)

    def discover(
        self,
        query: str,
        history: Optional[Iterable[HistoryEvent]] = None,
        n: int = 10,
    ) -> Recommendations:
        """Items for a natural-language ``query`` ("feel-good sci-fi from the 90s", "dark crime
        like Fargo", "something with Tom Hanks but not a drama"), blended with ``history``.

        Explicit constraints are read from the words: genres (and synonyms such as "funny",
        "scary", "rom-com"), years and decades ("90s", "before 1980", "early 70s"), people by
        name, "like <title>", and negations ("not a drama", "without romance"); mood words
        ("feel-good", "dark") lean to genres. The other words rank by text similarity, through
        a vocabulary derived from the model (no text model runs). The user's personal score
        (or popularity, without a history) breaks ties. Results are shaped like
        :meth:`recommend`'s, each with reasons that name the query terms and period it matches;
        :attr:`Recommendations.query` is the query as read. Seen and disliked items are left
        out. A query over 1000 bytes or ``n`` over 1000 raises ``InvalidArgumentError``.
        """
        if not isinstance(query, str):
            raise InvalidArgumentError(f"query must be a string, got {type(query).__name__}")
        with _valid_text("discover"):
            events = _history(() if history is None else history, (), ())
            results, read = self._model.discover(events, query, count(n, "n"))
            found = _recommendations(results)
            return replace(found, query=read)

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
        rating plus item bias). ``history`` may be a DataFrame (as in :meth:`recommend`). An
        unknown ``item`` raises ``UnknownIdError`` (a ``KeyError``: it is the subject of the
        request); a NaN rating in the history or a recommender without a rating model (no
        numeric ratings in training, or ``ratings=False``) raises ``InvalidArgumentError``.
        """
        item_id = external_id(item, "item")
        with _valid_text("predict_rating"):
            if not self._model.contains(item_id):
                raise UnknownIdError(f"unknown item id {item_id!r}")
            return float(self._model.predict_ratings(_history_rows(history), [item_id])[0])

    def predict_ratings(self, history: Iterable[HistoryEvent], items: Iterable[Any]) -> npt.NDArray[np.float32]:
        """:meth:`predict_rating` for many items at once (one fold-in): a ``float32`` array,
        NaN for an item the recommender does not know (the batch never fails for one; see
        :attr:`item_ids`). The GIL is released while predicting."""
        with _valid_text("predict_ratings"):
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

    @property
    def item_ids(self) -> List[str]:
        """Every item id the recommender knows (a new list each time)."""
        return self._model.item_ids

    @property
    def genres(self) -> List[str]:
        """Every genre of the catalogue, sorted (filters compare them case-insensitively)."""
        return self._model.genres

    @property
    def tags(self) -> List[str]:
        """Every tag of the catalogue, sorted (one spelling per case-insensitive tag)."""
        return self._model.tags

    @property
    def people(self) -> List[str]:
        """Every person id of the catalogue (what the ``people`` filter and
        ``favorite_people`` take)."""
        return self._model.person_ids

    def __contains__(self, item_id: object) -> bool:
        """Whether ``item_id`` (converted as training ids are) is an item of the recommender."""
        try:
            return self._model.contains(external_id(item_id, "item_id"))
        except (InvalidArgumentError, UnicodeEncodeError):
            return False

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

    @classmethod
    def from_hub(
        cls,
        repo_id: str,
        revision: str = "main",
        filename: str = "model.recsys",
        *,
        token: Optional[str] = None,
        local_files_only: bool = False,
    ) -> "Recommender":
        """Reads ``filename`` of the Hugging Face Hub model repository ``repo_id`` at
        ``revision`` (branch, tag or commit), through the Rust core and the standard Hub cache
        shared with ``huggingface_hub`` (``HF_HUB_CACHE``/``HF_HOME``, ``HF_ENDPOINT``,
        ``HF_TOKEN`` unless ``token`` is given, ``HF_HUB_OFFLINE``; see :mod:`recsys.hub`).

        Raises :class:`~recsys.exceptions.StorageError` when the file can be neither found in
        the cache nor downloaded (the message says why: not found, access denied, unreachable
        endpoint...) and :class:`~recsys.exceptions.CorruptModelError` for a damaged file.
        """
        return cls(_recsys.RecommenderModel.from_hub(repo_id, revision, filename, token, local_files_only))

    def model_card(
        self,
        repo_id: str,
        *,
        filename: str = "model.recsys",
        metrics: Optional[Mapping[str, Any]] = None,
        dataset: Optional[str] = None,
        description: Optional[str] = None,
    ) -> str:
        """The model card :meth:`push_to_hub` publishes (see :func:`recsys.hub.model_card`)."""
        from .hub import model_card

        return model_card(self, repo_id, filename=filename, metrics=metrics, dataset=dataset, description=description)

    def push_to_hub(
        self,
        repo_id: str,
        *,
        filename: str = "model.recsys",
        revision: Optional[str] = None,
        token: Optional[str] = None,
        endpoint: Optional[str] = None,
        private: Optional[bool] = None,
        commit_message: Optional[str] = None,
        metrics: Optional[Mapping[str, Any]] = None,
        dataset: Optional[str] = None,
        description: Optional[str] = None,
        model_card_file: Optional[str] = "README.md",
    ) -> Any:
        """Publishes the artifact and a model card to the Hub in one commit, creating the
        repository when missing; needs ``huggingface_hub`` (``pip install "recsys[hub]"``).
        ``metrics``: your held-out evaluation (e.g. :func:`recsys.evaluation.evaluate_recommender`).
        Returns ``huggingface_hub``'s ``CommitInfo`` (see :func:`recsys.hub.push_to_hub`)."""
        from .hub import push_to_hub

        return push_to_hub(
            self,
            repo_id,
            filename=filename,
            revision=revision,
            token=token,
            endpoint=endpoint,
            private=private,
            commit_message=commit_message,
            metrics=metrics,
            dataset=dataset,
            description=description,
            model_card_file=model_card_file,
        )

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
