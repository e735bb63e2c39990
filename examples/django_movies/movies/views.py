"""Recommendations for a user, computed from the user's ratings as they are *now*.

The model was trained at some earlier point; the history is read from the database on every
request, so a rating made since training already counts (recsys folds it in) without retraining.
"""
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from . import recommender
from .models import Movie, Rating, WatchlistEntry

MAX_N = 100


class BadRequest(ValueError):
    """A request parameter is invalid (answered with 400)."""


def parse_n(request: HttpRequest, default: int = 10) -> int:
    raw = request.GET.get("n", str(default))
    try:
        n = int(raw)
    except ValueError:
        raise BadRequest(f"n must be an integer, got {raw!r}") from None
    if not 1 <= n <= MAX_N:
        raise BadRequest(f"n must be between 1 and {MAX_N}, got {n}")
    return n


def current_history(user_id: int) -> list[tuple[str, Any, int]]:
    """The user's ratings and watchlist entries as recsys history rows, read at request time."""
    history: list[tuple[str, Any, int]] = [
        (str(movie_id), float(stars), int(ts.timestamp()))
        for movie_id, stars, ts in Rating.objects.filter(user_id=user_id).values_list("movie_id", "stars", "timestamp")
    ]
    history += [
        (str(movie_id), "watchlisted", int(ts.timestamp()))
        for movie_id, ts in WatchlistEntry.objects.filter(user_id=user_id).values_list("movie_id", "added")
    ]
    return history


def recommendations_for(user_id: int, n: int) -> dict[str, Any]:
    """The JSON-ready answer; raises LookupError when no model is loaded yet."""
    model = recommender.current()  # one reference for the whole request, even if a reload happens
    if model is None:
        raise LookupError("no trained recommender yet: run `manage.py train_recommender`")
    history = current_history(user_id)
    result = model.recommend(history, n=n, list="for_you")
    movies = Movie.objects.in_bulk([int(item_id) for item_id in result.item_ids])
    # The stars the user would give each movie, with their current ratings folded in.
    stars = model.predict_ratings(history, result.item_ids) if model.has_ratings else [None] * len(result)
    items = []
    for rec, predicted in zip(result, stars):
        movie = movies.get(int(rec.item_id))
        items.append(
            {
                "movie_id": int(rec.item_id),
                "title": movie.title if movie else None,
                "year": movie.year if movie else None,
                "genres": movie.genre_list() if movie else [],
                "score": rec.score,
                "predicted_stars": None if predicted is None else round(float(predicted), 2),
                "explanation": rec.explanation,
                "reasons": rec.reasons,
            }
        )
    # Movies added after training are unknown to the model: reported, not an error.
    return {"user_id": user_id, "n": n, "history_size": len(history), "items": items, "unknown_ids": result.unknown_ids}


def _lookup(request: HttpRequest, user_id: int) -> tuple[int, dict[str, Any]]:
    """(status, body) shared by the JSON and HTML views."""
    if not get_user_model().objects.filter(pk=user_id).exists():
        return 404, {"error": f"unknown user {user_id}"}
    try:
        n = parse_n(request)
    except BadRequest as error:
        return 400, {"error": str(error)}
    try:
        return 200, recommendations_for(user_id, n)
    except LookupError as error:
        return 503, {"error": str(error)}


def recommendations_api(request: HttpRequest, user_id: int) -> JsonResponse:
    """``GET /api/users/<id>/recommendations?n=10``."""
    status, body = _lookup(request, user_id)
    return JsonResponse(body, status=status)


def recommendations_page(request: HttpRequest, user_id: int) -> HttpResponse:
    """The same list as an HTML page."""
    status, body = _lookup(request, user_id)
    return render(request, "movies/recommendations.html", {"user_id": user_id, "status": status, **body}, status=status)
