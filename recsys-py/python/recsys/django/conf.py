"""The ``RECSYS`` setting: where the model lives and how the project's models map to events and
a catalogue.

Example (the movies example's settings)::

    RECSYS = {
        "ARTIFACT_PATH": BASE_DIR / "recommender.recsys",
        "CATALOG": {"model": "movies.Movie", "title": "title", "year": "year", "genres": "genres"},
        "EVENTS": [
            {"model": "movies.Rating", "user": "user", "item": "movie", "rating": "stars",
             "timestamp": "timestamp"},
            {"model": "movies.Reaction", "user": "user", "item": "movie", "kind": "kind",
             "timestamp": "created"},
            {"model": "movies.WatchlistEntry", "user": "user", "item": "movie",
             "feedback": "watchlisted", "timestamp": "added"},
        ],
        "TRAINING": {"factors": 64, "iterations": 15},
    }

``CATALOG``
    ``model`` (``"app_label.ModelName"``; the item id is its primary key) and optional field
    names for ``title``, ``year``, ``genres`` and ``tags`` (a text field separated by ``|``, or
    a many-to-many field whose objects' ``str()`` are the names) and ``people`` (a method of
    the model returning ``(person_id, name, role)`` credits).
``EVENTS``
    one entry per model holding feedback: ``model``, ``user`` (a foreign key to the user
    model), ``item`` (a foreign key to the catalogue model), optional ``timestamp`` (a date-time
    or integer-seconds field) and exactly one of ``rating`` (a numeric field: stars),
    ``kind`` (a field holding ``like``, ``dislike``, ``watched``, ``watchlisted`` or
    ``not_interested``) or ``feedback`` (one of those kinds for every row, e.g. a watchlist).
``ARTIFACT_PATH``
    the model file ``manage.py recsys_train`` writes and every process serves.
``RELOAD_INTERVAL``
    seconds between two looks at the artifact file (default 5).
``TRAINING``
    keyword arguments of :meth:`recsys.Recommender.fit` (``factors``, ``iterations``, ...).
``HOLDOUT``
    share of each user's latest events held out to evaluate a training run (default 0.2; 0
    skips the evaluation).
``MAX_N``
    the largest ``n`` the API accepts (default 100).
``PERMISSION``
    a permission (``"app_label.codename"``) the API requires besides being logged in (default:
    none).
``RATING_RANGE``
    the ``(min, max)`` stars ``POST /api/rate`` accepts (default ``(1, 5)``).

``manage.py check`` reports mistakes in this mapping (ids ``recsys.E0xx``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["FEEDBACK_KINDS", "CatalogMapping", "EventSource", "RecsysSettings", "ConfigError", "recsys_settings"]

#: The feedback kinds besides numeric ratings.
FEEDBACK_KINDS = ("like", "dislike", "watched", "watchlisted", "not_interested")

_TOP_KEYS = {
    "ARTIFACT_PATH",
    "RELOAD_INTERVAL",
    "CATALOG",
    "EVENTS",
    "TRAINING",
    "HOLDOUT",
    "MAX_N",
    "PERMISSION",
    "RATING_RANGE",
}
_CATALOG_KEYS = {"model", "title", "year", "genres", "tags", "people"}
_EVENT_KEYS = {"model", "user", "item", "timestamp", "rating", "kind", "feedback"}


class ConfigError(ValueError):
    """A mistake in ``settings.RECSYS``; ``id`` is the system check id reporting it."""

    def __init__(self, message: str, id: str, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.id = id
        self.hint = hint


@dataclass(frozen=True)
class CatalogMapping:
    model: str
    title: Optional[str] = None
    year: Optional[str] = None
    genres: Optional[str] = None
    tags: Optional[str] = None
    people: Optional[str] = None


@dataclass(frozen=True)
class EventSource:
    model: str
    user: str
    item: str
    timestamp: Optional[str] = None
    rating: Optional[str] = None
    kind: Optional[str] = None
    feedback: Optional[str] = None

    @property
    def label(self) -> str:
        return f"RECSYS['EVENTS'] entry for {self.model}"


@dataclass(frozen=True)
class RecsysSettings:
    artifact_path: Path
    catalog: CatalogMapping
    events: Tuple[EventSource, ...]
    reload_interval: float = 5.0
    training: Dict[str, Any] = field(default_factory=dict)
    holdout: float = 0.2
    max_n: int = 100
    permission: Optional[str] = None
    rating_range: Tuple[float, float] = (1.0, 5.0)

    def source_with(self, kind: str) -> Optional[EventSource]:
        """The event source a write of ``kind`` goes to: ``"rating"`` (a ``rating`` field), a
        feedback kind held in a ``kind`` field, or a constant ``feedback`` (``watchlisted``)."""
        for source in self.events:
            if kind == "rating" and source.rating:
                return source
            if kind != "rating" and source.feedback == kind:
                return source
        if kind in FEEDBACK_KINDS:
            for source in self.events:
                if source.kind:
                    return source
        return None


def _training_keys() -> List[str]:
    """The keyword arguments of :meth:`recsys.Recommender.fit` a setting may give."""
    import inspect

    from ..recommender import Recommender

    fixed = {"cls", "events", "catalog", "show_progress", "callback"}
    return [name for name in inspect.signature(Recommender.fit).parameters if name not in fixed]


def _number(value: Any, name: str, id: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"RECSYS['{name}'] must be a number, got {value!r}", id)
    return float(value)


def _optional_name(mapping: Dict[str, Any], key: str, where: str, id: str) -> Optional[str]:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}['{key}'] must be a field name (str), got {value!r}", id)
    return value


def _model_label(mapping: Dict[str, Any], where: str, id: str) -> str:
    label = mapping.get("model")
    if not isinstance(label, str) or label.count(".") != 1:
        raise ConfigError(
            f"{where}['model'] must be 'app_label.ModelName', got {label!r}",
            id,
            hint="e.g. 'movies.Movie'",
        )
    return label


def parse(raw: Any) -> RecsysSettings:
    """``settings.RECSYS`` checked for shape (not yet against the models: see ``checks``)."""
    if raw is None:
        raise ConfigError(
            "settings.RECSYS is missing",
            "recsys.E001",
            hint="add RECSYS = {'ARTIFACT_PATH': ..., 'CATALOG': {...}, 'EVENTS': [...]} to settings",
        )
    if not isinstance(raw, dict):
        raise ConfigError(f"settings.RECSYS must be a dict, got {type(raw).__name__}", "recsys.E001")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ConfigError(
            f"settings.RECSYS has unknown keys {unknown}", "recsys.E002", hint=f"known keys: {sorted(_TOP_KEYS)}"
        )
    path = raw.get("ARTIFACT_PATH")
    if not isinstance(path, (str, Path)) or not str(path):
        raise ConfigError(f"RECSYS['ARTIFACT_PATH'] must be a file path, got {path!r}", "recsys.E003")

    catalog = raw.get("CATALOG")
    if not isinstance(catalog, dict):
        raise ConfigError(
            "RECSYS['CATALOG'] must be a dict with at least 'model'", "recsys.E004", hint="e.g. {'model': 'movies.Movie', 'title': 'title'}"
        )
    unknown = sorted(set(catalog) - _CATALOG_KEYS)
    if unknown:
        raise ConfigError(f"RECSYS['CATALOG'] has unknown keys {unknown}", "recsys.E004", hint=f"known keys: {sorted(_CATALOG_KEYS)}")
    where = "RECSYS['CATALOG']"
    mapping = CatalogMapping(
        model=_model_label(catalog, where, "recsys.E004"),
        **{key: _optional_name(catalog, key, where, "recsys.E004") for key in ("title", "year", "genres", "tags", "people")},
    )

    events = raw.get("EVENTS")
    if not isinstance(events, (list, tuple)) or not events:
        raise ConfigError("RECSYS['EVENTS'] must be a non-empty list of event sources", "recsys.E005")
    sources = []
    for index, entry in enumerate(events):
        where = f"RECSYS['EVENTS'][{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a dict, got {entry!r}", "recsys.E005")
        unknown = sorted(set(entry) - _EVENT_KEYS)
        if unknown:
            raise ConfigError(f"{where} has unknown keys {unknown}", "recsys.E005", hint=f"known keys: {sorted(_EVENT_KEYS)}")
        label = _model_label(entry, where, "recsys.E005")
        for required in ("user", "item"):
            if not isinstance(entry.get(required), str):
                raise ConfigError(f"{where} needs '{required}': the name of the foreign key field", "recsys.E005")
        given = [key for key in ("rating", "kind", "feedback") if entry.get(key) is not None]
        if len(given) != 1:
            raise ConfigError(
                f"{where} must have exactly one of 'rating', 'kind' or 'feedback', got {given or 'none'}",
                "recsys.E005",
                hint="'rating': a numeric field; 'kind': a field holding like/dislike/...; 'feedback': one kind for every row",
            )
        if entry.get("feedback") is not None and entry["feedback"] not in FEEDBACK_KINDS:
            raise ConfigError(
                f"{where}['feedback'] must be one of {', '.join(FEEDBACK_KINDS)}, got {entry['feedback']!r}", "recsys.E005"
            )
        sources.append(
            EventSource(
                model=label,
                user=entry["user"],
                item=entry["item"],
                **{key: _optional_name(entry, key, where, "recsys.E005") for key in ("timestamp", "rating", "kind")},
                feedback=entry.get("feedback"),
            )
        )

    training = raw.get("TRAINING", {})
    if not isinstance(training, dict):
        raise ConfigError("RECSYS['TRAINING'] must be a dict of recsys.Recommender.fit arguments", "recsys.E006")
    unknown = sorted(set(training) - set(_training_keys()))
    if unknown:
        raise ConfigError(
            f"RECSYS['TRAINING'] has unknown keys {unknown}", "recsys.E006", hint=f"recsys.Recommender.fit takes {', '.join(_training_keys())}"
        )
    reload_interval = _number(raw.get("RELOAD_INTERVAL", 5.0), "RELOAD_INTERVAL", "recsys.E006")
    holdout = _number(raw.get("HOLDOUT", 0.2), "HOLDOUT", "recsys.E006")
    if not 0.0 <= holdout < 1.0:
        raise ConfigError(f"RECSYS['HOLDOUT'] must be in [0, 1), got {holdout}", "recsys.E006")
    if reload_interval < 0:
        raise ConfigError(f"RECSYS['RELOAD_INTERVAL'] must be >= 0 seconds, got {reload_interval}", "recsys.E006")
    max_n = raw.get("MAX_N", 100)
    if isinstance(max_n, bool) or not isinstance(max_n, int) or not 1 <= max_n <= 1000:
        raise ConfigError(f"RECSYS['MAX_N'] must be an integer in 1..1000, got {max_n!r}", "recsys.E006")
    permission = raw.get("PERMISSION")
    if permission is not None and (not isinstance(permission, str) or permission.count(".") != 1):
        raise ConfigError(f"RECSYS['PERMISSION'] must be 'app_label.codename' or None, got {permission!r}", "recsys.E006")
    low, high = raw.get("RATING_RANGE", (1, 5))
    rating_range = (_number(low, "RATING_RANGE", "recsys.E006"), _number(high, "RATING_RANGE", "recsys.E006"))
    return RecsysSettings(
        artifact_path=Path(path),
        catalog=mapping,
        events=tuple(sources),
        reload_interval=reload_interval,
        training=dict(training),
        holdout=holdout,
        max_n=max_n,
        permission=permission,
        rating_range=rating_range,
    )


_cache: List[Any] = []


def recsys_settings() -> RecsysSettings:
    """The parsed ``settings.RECSYS`` (cached; reset when a test overrides the setting).
    Raises :class:`ConfigError` for a malformed setting."""
    from django.conf import settings

    raw = getattr(settings, "RECSYS", None)
    if _cache and _cache[0] is raw:
        return _cache[1]
    parsed = parse(raw)
    _cache[:] = [raw, parsed]
    return parsed
