"""Reading the project's models through the ``RECSYS`` mapping: training events, a user's current
history, the catalogue (for training and for display), and the writes of the API."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, Iterable, List, Optional, Tuple

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from .conf import CatalogMapping, EventSource, RecsysSettings, recsys_settings

Event = Tuple[str, str, Any, int]
HistoryRow = Tuple[str, Any, int]


def model_of(label: str) -> Any:
    return apps.get_model(label)


def seconds(value: Any) -> int:
    """A timestamp field's value as integer seconds (None: 0)."""
    if value is None:
        return 0
    if isinstance(value, _dt.datetime):
        return int(value.timestamp())
    if isinstance(value, _dt.date):
        return int(_dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc).timestamp())
    return int(value)


def _feedback(source: EventSource, value: Any) -> Any:
    if source.rating:
        return None if value is None else float(value)
    if source.kind:
        return value
    return source.feedback


def _value_field(source: EventSource) -> Optional[str]:
    return source.rating or source.kind


def _rows(source: EventSource, queryset: Any, with_user: bool) -> List[Tuple[Any, ...]]:
    fields = [f"{source.item}_id"]
    if with_user:
        fields.insert(0, f"{source.user}_id")
    value_field = _value_field(source)
    fields.append(value_field or "pk")
    fields.append(source.timestamp or "pk")
    return list(queryset.values_list(*fields))


def training_events(config: Optional[RecsysSettings] = None) -> List[Event]:
    """Every event of every mapped source as ``(user_id, item_id, feedback, seconds)`` (rows
    whose value is empty are skipped)."""
    config = config or recsys_settings()
    events: List[Event] = []
    for source in config.events:
        queryset = model_of(source.model)._default_manager.all()
        for user, item, value, when in _rows(source, queryset, with_user=True):
            kind = _feedback(source, value)
            if kind is None or kind == "":
                continue
            events.append((str(user), str(item), kind, seconds(when) if source.timestamp else 0))
    return events


def history_of(user: Any, config: Optional[RecsysSettings] = None) -> List[HistoryRow]:
    """``user``'s events as they are now, as ``(item_id, feedback, seconds)`` rows."""
    config = config or recsys_settings()
    history: List[HistoryRow] = []
    if user is None or not getattr(user, "is_authenticated", False):
        return history
    for source in config.events:
        queryset = model_of(source.model)._default_manager.filter(**{f"{source.user}_id": user.pk})
        for item, value, when in _rows(source, queryset, with_user=False):
            kind = _feedback(source, value)
            if kind is None or kind == "":
                continue
            history.append((str(item), kind, seconds(when) if source.timestamp else 0))
    return history


def _names(obj: Any, name: Optional[str]) -> List[str]:
    if not name:
        return []
    value = getattr(obj, name)
    if isinstance(value, models.Manager):
        return [str(related) for related in value.all()]
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    return [str(v) for v in value]


def _many_to_many(mapping: CatalogMapping) -> List[str]:
    model = model_of(mapping.model)
    names = []
    for name in (mapping.genres, mapping.tags):
        if name:
            field = model._meta.get_field(name)
            if field.many_to_many:
                names.append(name)
    return names


def catalog_queryset(config: Optional[RecsysSettings] = None) -> Any:
    config = config or recsys_settings()
    mapping = config.catalog
    queryset = model_of(mapping.model)._default_manager.all()
    related = _many_to_many(mapping)
    return queryset.prefetch_related(*related) if related else queryset


def describe(obj: Any, config: Optional[RecsysSettings] = None) -> Dict[str, Any]:
    """One catalogue object as ``{"item_id", "title", "year", "genres", "tags"}``."""
    config = config or recsys_settings()
    mapping = config.catalog
    title = getattr(obj, mapping.title) if mapping.title else str(obj)
    year = getattr(obj, mapping.year) if mapping.year else None
    return {
        "item_id": str(obj.pk),
        "title": None if title is None else str(title),
        "year": None if year is None else int(year),
        "genres": _names(obj, mapping.genres),
        "tags": _names(obj, mapping.tags),
    }


def catalog_rows(config: Optional[RecsysSettings] = None) -> List[Dict[str, Any]]:
    """The catalogue in the shape :meth:`recsys.Recommender.fit` reads."""
    config = config or recsys_settings()
    rows = []
    for obj in catalog_queryset(config):
        row = describe(obj, config)
        if config.catalog.people:
            row["people"] = list(getattr(obj, config.catalog.people)())
        rows.append(row)
    return rows


def item_pk(item_id: Any, config: Optional[RecsysSettings] = None) -> Any:
    """The catalogue primary key of an item id (from a URL or JSON); None if it cannot be one."""
    config = config or recsys_settings()
    pk_field = model_of(config.catalog.model)._meta.pk
    try:
        return pk_field.to_python(item_id)
    except Exception:  # a ValidationError for a malformed id: the item does not exist
        return None


def items_by_id(item_ids: Iterable[str], config: Optional[RecsysSettings] = None) -> Dict[str, Dict[str, Any]]:
    """Display data of the items that exist, by item id."""
    config = config or recsys_settings()
    keys = [key for key in (item_pk(item_id, config) for item_id in item_ids) if key is not None]
    found = catalog_queryset(config).in_bulk(keys)
    return {str(pk): describe(obj, config) for pk, obj in found.items()}


def get_item(item_id: Any, config: Optional[RecsysSettings] = None) -> Optional[Any]:
    config = config or recsys_settings()
    key = item_pk(item_id, config)
    if key is None:
        return None
    return catalog_queryset(config).filter(pk=key).first()


def _now_for(source: EventSource) -> Dict[str, Any]:
    if not source.timestamp:
        return {}
    field = model_of(source.model)._meta.get_field(source.timestamp)
    if isinstance(field, models.DateTimeField):
        return {source.timestamp: timezone.now()}
    return {source.timestamp: int(timezone.now().timestamp())}


def set_feedback(user: Any, item: Any, source: EventSource, value: Any) -> None:
    """Creates or updates ``user``'s row of ``source`` for ``item`` (``value``: stars for a
    rating source, a kind for a kind source, ignored for a constant-feedback source)."""
    model = model_of(source.model)
    defaults = _now_for(source)
    if source.rating:
        defaults[source.rating] = value
    elif source.kind:
        defaults[source.kind] = value
    with transaction.atomic():
        rows = model._default_manager.filter(**{source.user: user, source.item: item})
        if rows.exists():
            if defaults:  # a constant-feedback row without a timestamp has nothing to update
                rows.update(**defaults)
        else:
            model._default_manager.create(**{source.user: user, source.item: item}, **defaults)


def remove_feedback(user: Any, item: Any, source: EventSource, kinds: Iterable[str] = ()) -> int:
    """Deletes ``user``'s rows of ``source`` for ``item`` (of one of ``kinds`` for a kind
    source, when given); returns how many."""
    model = model_of(source.model)
    rows = model._default_manager.filter(**{source.user: user, source.item: item})
    kinds = list(kinds)
    if source.kind and kinds:
        rows = rows.filter(**{f"{source.kind}__in": kinds})
    deleted, _ = rows.delete()
    return int(deleted)
