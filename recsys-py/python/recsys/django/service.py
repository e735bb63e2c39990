"""What the views, the DRF views and the template tags share: the served model, recommendations
on a user's current history (with a popularity fallback while no good model exists), "Why this
item?", the user's feedback and its writes. Errors are :class:`ApiError` with an HTTP status."""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from django.db import models
from django.db.models import Count

from ..exceptions import InvalidArgumentError, RecsysError, UnknownIdError
from ..recommender import LISTS, Recommender
from . import data
from .conf import FEEDBACK_KINDS, RecsysSettings, recsys_settings
from .holder import ModelHolder

__all__ = ["ApiError", "holder", "recommendations", "why", "me", "rate", "watchlist"]

_holder_lock = threading.Lock()
_holders: Dict[Tuple[str, float], ModelHolder] = {}


class ApiError(Exception):
    """A request that cannot be answered: ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def holder(config: Optional[RecsysSettings] = None) -> ModelHolder:
    """The process's holder of ``RECSYS['ARTIFACT_PATH']`` (one per path and interval)."""
    config = config or recsys_settings()
    key = (str(config.artifact_path), config.reload_interval)
    found = _holders.get(key)
    if found is None:
        with _holder_lock:
            found = _holders.setdefault(key, ModelHolder(config.artifact_path, config.reload_interval))
    return found


def current_model(config: Optional[RecsysSettings] = None) -> Optional[Recommender]:
    return holder(config).get()


# -- popularity fallback -------------------------------------------------------------------------

_POSITIVE = {"like", "watched", "watchlisted"}
_popular_cache: Dict[str, Any] = {}


def popular_items(config: RecsysSettings) -> List[Tuple[str, int]]:
    """``(item_id, events)`` by decreasing count of ratings and positive feedback, from the
    database (cached for ``RELOAD_INTERVAL`` seconds): what is served while no model exists."""
    now = time.monotonic()
    cached = _popular_cache.get("value")
    if cached is not None and cached[0] is config and now - cached[1] < max(config.reload_interval, 1.0):
        return cached[2]
    counts: Dict[str, int] = {}
    for source in config.events:
        rows = data.model_of(source.model)._default_manager.all()
        if source.kind:
            rows = rows.filter(**{f"{source.kind}__in": sorted(_POSITIVE)})
        elif source.feedback and source.feedback not in _POSITIVE:
            continue
        for item, number in rows.values_list(f"{source.item}_id").annotate(number=Count("pk")):
            counts[str(item)] = counts.get(str(item), 0) + int(number)
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    _popular_cache["value"] = (config, now, ranked)
    return ranked


def _fallback(
    config: RecsysSettings, history: List[data.HistoryRow], n: int, genre: Optional[str]
) -> List[Dict[str, Any]]:
    seen = {item for item, _, _ in history}
    chosen: List[Dict[str, Any]] = []
    ranked = [(item, count) for item, count in popular_items(config) if item not in seen]
    # Look up display data in pages, so a genre filter does not read the whole catalogue.
    for start in range(0, len(ranked), 200):
        page = ranked[start : start + 200]
        found = data.items_by_id([item for item, _ in page], config)
        for item, count in page:
            entry = found.get(item)
            if entry is None or (genre is not None and genre not in entry["genres"]):
                continue
            explanation = f"Popular in {genre}" if genre else "Popular with other users"
            chosen.append(
                {
                    **entry,
                    "score": float(count),
                    "predicted_rating": None,
                    "explanation": explanation,
                    "reasons": [{"kind": "popular_in", "genre": genre} if genre else {"kind": "popular"}],
                }
            )
            if len(chosen) == n:
                return chosen
    return chosen


# -- requests ------------------------------------------------------------------------------------


def parse_n(raw: Any, config: RecsysSettings, default: int = 10) -> int:
    if raw is None or raw == "":
        return default
    try:
        n = int(raw)
    except (TypeError, ValueError):
        raise ApiError(400, f"n must be an integer, got {raw!r}") from None
    if isinstance(raw, float) or not 1 <= n <= config.max_n:
        raise ApiError(400, f"n must be an integer between 1 and {config.max_n}, got {raw!r}")
    return n


def _model_info(config: RecsysSettings, model: Optional[Recommender]) -> Dict[str, Any]:
    status = holder(config).status()
    info: Dict[str, Any] = {"fallback": model is None, "fingerprint": status.fingerprint if model else None}
    if model is None:
        info["reason"] = status.problem or "no model trained yet"
    return info


def _predicted(model: Recommender, history: List[data.HistoryRow], item_ids: List[str]) -> List[Optional[float]]:
    if not model.has_ratings or not item_ids:
        return [None] * len(item_ids)
    try:
        stars = model.predict_ratings(history, item_ids)
    except RecsysError:  # e.g. a history the rating model refuses (unknown items are NaN)
        return [None] * len(item_ids)
    return [None if math.isnan(float(value)) else round(float(value), 2) for value in stars]


def recommendations(
    user: Any,
    list_name: str = "for_you",
    n: Any = None,
    *,
    item: Optional[str] = None,
    genre: Optional[str] = None,
    config: Optional[RecsysSettings] = None,
) -> Dict[str, Any]:
    """One list for ``user``'s current history, JSON-ready."""
    config = config or recsys_settings()
    count = parse_n(n, config)
    if list_name not in LISTS:
        raise ApiError(400, f"list must be one of {', '.join(LISTS)}, got {list_name!r}")
    if list_name in ("because_you_liked", "similar_to") and not item:
        raise ApiError(400, f"list={list_name} needs item=<item id>")
    if list_name == "by_genre" and not genre:
        raise ApiError(400, "list=by_genre needs genre=<genre name>")
    history = data.history_of(user, config)
    model = current_model(config)
    body: Dict[str, Any] = {"list": list_name, "n": count, "history_size": len(history)}
    if model is None:
        items = _fallback(config, history, count, genre if list_name == "by_genre" else None)
        return {**body, "items": items, "unknown_ids": [], "model": _model_info(config, None)}
    try:
        result = model.recommend(
            history,
            n=count,
            list=list_name,
            item=item if list_name in ("because_you_liked", "similar_to") else None,
            genre=genre if list_name == "by_genre" else None,
        )
    except UnknownIdError as error:
        raise ApiError(404, str(error)) from None
    except InvalidArgumentError as error:
        raise ApiError(400, str(error)) from None
    found = data.items_by_id(result.item_ids, config)
    stars = _predicted(model, history, result.item_ids)
    items = []
    for rec, predicted in zip(result, stars):
        entry = found.get(rec.item_id) or {"item_id": rec.item_id, "title": None, "year": None, "genres": [], "tags": []}
        items.append(
            {**entry, "score": rec.score, "predicted_rating": predicted, "explanation": rec.explanation, "reasons": rec.reasons}
        )
    return {**body, "items": items, "unknown_ids": list(result.unknown_ids), "model": _model_info(config, model)}


def why(user: Any, item_id: str, config: Optional[RecsysSettings] = None) -> Dict[str, Any]:
    """"Why this item?" for ``user``: the reasons the model gives it on the current history."""
    config = config or recsys_settings()
    obj = data.get_item(item_id, config)
    if obj is None:
        raise ApiError(404, f"unknown item {item_id!r}")
    entry = data.describe(obj, config)
    history = data.history_of(user, config)
    model = current_model(config)
    body: Dict[str, Any] = {**entry, "history_size": len(history)}
    if model is None:
        return {**body, "score": None, "predicted_rating": None, "explanation": None, "reasons": [], "model": _model_info(config, None)}
    result = model.recommend(
        history, n=1, list="for_you", candidates=[entry["item_id"]], exclude_seen=False, exclude_disliked=False
    )
    if len(result) == 0:  # newer than the model: it cannot say anything yet
        return {
            **body,
            "score": None,
            "predicted_rating": None,
            "explanation": "This item is newer than the recommender: reasons appear after the next training.",
            "reasons": [],
            "model": _model_info(config, model),
        }
    rec = result[0]
    return {
        **body,
        "score": rec.score,
        "predicted_rating": _predicted(model, history, [rec.item_id])[0],
        "explanation": rec.explanation,
        "reasons": rec.reasons,
        "model": _model_info(config, model),
    }


def me(user: Any, config: Optional[RecsysSettings] = None) -> Dict[str, Any]:
    """The user and their current feedback."""
    config = config or recsys_settings()
    history = data.history_of(user, config)
    ratings = {item: value for item, value, _ in history if isinstance(value, float)}
    feedback: Dict[str, str] = {}
    watchlist: List[str] = []
    for item, value, _ in history:
        if value == "watchlisted":
            watchlist.append(item)
        elif isinstance(value, str):
            feedback[item] = value
    return {
        "id": user.pk,
        "username": user.get_username(),
        "history_size": len(history),
        "ratings": ratings,
        "feedback": feedback,
        "watchlist": watchlist,
        "model": _model_info(config, current_model(config)),
    }


def _item_or_404(item_id: Any, config: RecsysSettings) -> Any:
    if item_id is None or item_id == "":
        raise ApiError(400, "item_id is required")
    obj = data.get_item(item_id, config)
    if obj is None:
        raise ApiError(404, f"unknown item {item_id!r}")
    return obj


def rate(user: Any, payload: Dict[str, Any], config: Optional[RecsysSettings] = None) -> Dict[str, Any]:
    """``{"item_id", "rating": stars | null}`` or ``{"item_id", "feedback": kind | null}``."""
    config = config or recsys_settings()
    if not isinstance(payload, dict):
        raise ApiError(400, "the body must be a JSON object")
    unknown = sorted(set(payload) - {"item_id", "rating", "feedback"})
    if unknown:
        raise ApiError(400, f"unknown fields {unknown}")
    has_rating, has_feedback = "rating" in payload, "feedback" in payload
    if has_rating == has_feedback:
        raise ApiError(400, "give exactly one of rating (stars, or null to clear) or feedback (a kind, or null)")
    obj = _item_or_404(payload.get("item_id"), config)
    if has_rating:
        source = config.source_with("rating")
        if source is None:
            raise ApiError(400, "ratings are not mapped in RECSYS['EVENTS']")
        stars = payload["rating"]
        if stars is None:
            data.remove_feedback(user, obj, source)
            return {"item_id": str(obj.pk), "rating": None}
        low, high = config.rating_range
        if isinstance(stars, bool) or not isinstance(stars, (int, float)) or not low <= stars <= high:
            raise ApiError(400, f"rating must be a number from {low:g} to {high:g}, got {stars!r}")
        if isinstance(data.model_of(source.model)._meta.get_field(source.rating), models.IntegerField):
            if stars != int(stars):
                raise ApiError(400, f"rating must be a whole number of stars, got {stars!r}")
            stars = int(stars)
        data.set_feedback(user, obj, source, stars)
        return {"item_id": str(obj.pk), "rating": stars}
    kind = payload["feedback"]
    choices = [k for k in FEEDBACK_KINDS if k != "watchlisted"]
    if kind is None:
        for source in config.events:
            if source.kind:
                data.remove_feedback(user, obj, source, choices)
        return {"item_id": str(obj.pk), "feedback": None}
    if kind not in choices:
        raise ApiError(400, f"feedback must be one of {', '.join(choices)} or null, got {kind!r}")
    source = config.source_with(kind)
    if source is None:
        raise ApiError(400, f"feedback {kind!r} is not mapped in RECSYS['EVENTS']")
    data.set_feedback(user, obj, source, kind)
    return {"item_id": str(obj.pk), "feedback": kind}


def watchlist(user: Any, payload: Dict[str, Any], add: bool, config: Optional[RecsysSettings] = None) -> Dict[str, Any]:
    """Adds ``payload["item_id"]`` to ``user``'s watchlist or removes it."""
    config = config or recsys_settings()
    if not isinstance(payload, dict):
        raise ApiError(400, "the body must be a JSON object")
    source = config.source_with("watchlisted")
    if source is None:
        raise ApiError(400, "no watchlist is mapped in RECSYS['EVENTS'] (feedback 'watchlisted')")
    obj = _item_or_404(payload.get("item_id"), config)
    if add:
        data.set_feedback(user, obj, source, "watchlisted")
    else:
        data.remove_feedback(user, obj, source, ["watchlisted"])
    return {"item_id": str(obj.pk), "watchlisted": add}
