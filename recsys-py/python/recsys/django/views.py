"""The JSON API on ``request.user`` (plain Django views; DRF ones are in ``recsys.django.rest``).

Mount it with ``path("api/", include("recsys.django.urls"))``:

- ``GET  recommendations?list=for_you|because_you_liked|trending|by_genre|similar_to&n=10&item=&genre=``
- ``GET  items/<item_id>/why``
- ``POST rate`` with ``{"item_id": ..., "rating": 4}`` or ``{"item_id": ..., "feedback": "like"}``
  (``null`` clears)
- ``POST watchlist/add`` and ``POST watchlist/remove`` with ``{"item_id": ...}``
- ``GET  me``
- ``GET  status`` (staff only): the served model

Every answer is JSON, errors too (``{"error": "..."}``): 400 bad input, 401 not logged in, 403
missing ``RECSYS['PERMISSION']``, CSRF failure or non-staff status, 404 unknown item, 405 wrong
method (with ``Allow``), 500 unexpected errors (logged, never echoed).
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any, Callable, Dict

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from . import service
from .conf import ConfigError, recsys_settings

logger = logging.getLogger("recsys.django")

View = Callable[..., Dict[str, Any]]


def error(status: int, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _csrf_failure(request: HttpRequest) -> Any:
    """DRF's approach for session-authenticated unsafe requests: run the CSRF middleware's
    check here, so a failure is a JSON 403 instead of Django's HTML page."""
    check = CsrfViewMiddleware(lambda req: HttpResponse())
    check.process_request(request)
    return check.process_view(request, lambda req: HttpResponse(), (), {})


def api(*methods: str, staff: bool = False) -> Callable[[View], Callable[..., HttpResponse]]:
    """Turns ``view(request, ...) -> dict`` into a JSON API view: method, login, permission and
    CSRF checks, :class:`~recsys.django.service.ApiError` and unexpected errors as JSON."""
    if "GET" in methods:
        methods = (*methods, "HEAD")
    allowed = ", ".join(methods)

    def decorate(view: View) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return error(405, f"method {request.method} not allowed (use {allowed})", Allow=allowed)
            if not request.user.is_authenticated:
                return error(401, "authentication required")
            try:
                config = recsys_settings()
                if staff and not request.user.is_staff:
                    return error(403, "staff only")
                if config.permission and not request.user.has_perm(config.permission):
                    return error(403, f"permission {config.permission} required")
                if request.method not in ("GET", "HEAD", "OPTIONS") and _csrf_failure(request) is not None:
                    return error(403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken")
                return JsonResponse(view(request, *args, **kwargs))
            except service.ApiError as failure:
                return error(failure.status, failure.message)
            except ConfigError as failure:
                logger.error("recsys: settings.RECSYS: %s", failure)
                return error(500, "the recommender is misconfigured (see `manage.py check`)")
            except Exception:
                logger.exception("recsys: %s %s failed", request.method, request.path)
                return error(500, "internal error")

        return wrapper

    return decorate


def _json_body(request: HttpRequest) -> Dict[str, Any]:
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as failure:
            raise service.ApiError(400, f"the body is not valid JSON: {failure}") from None
        if not isinstance(payload, dict):
            raise service.ApiError(400, "the body must be a JSON object")
        return payload
    # A form post: every value is a string; numbers for ratings.
    payload = {key: request.POST.get(key) for key in request.POST}
    if isinstance(payload.get("rating"), str):
        try:
            payload["rating"] = float(payload["rating"])
        except ValueError:
            raise service.ApiError(400, f"rating must be a number, got {payload['rating']!r}") from None
    return payload


@api("GET")
def recommendations(request: HttpRequest) -> Dict[str, Any]:
    params = request.GET
    return service.recommendations(
        request.user,
        params.get("list", "for_you"),
        params.get("n"),
        item=params.get("item") or None,
        genre=params.get("genre") or None,
    )


@api("GET")
def why(request: HttpRequest, item_id: str) -> Dict[str, Any]:
    return service.why(request.user, item_id)


@api("POST")
def rate(request: HttpRequest) -> Dict[str, Any]:
    return service.rate(request.user, _json_body(request))


@api("POST")
def watchlist_add(request: HttpRequest) -> Dict[str, Any]:
    return service.watchlist(request.user, _json_body(request), add=True)


@api("POST")
def watchlist_remove(request: HttpRequest) -> Dict[str, Any]:
    return service.watchlist(request.user, _json_body(request), add=False)


@api("GET")
def me(request: HttpRequest) -> Dict[str, Any]:
    return service.me(request.user)


@api("GET", staff=True)
def status(request: HttpRequest) -> Dict[str, Any]:
    return service.holder().status().as_dict()
