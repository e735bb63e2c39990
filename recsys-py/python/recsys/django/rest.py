"""Django REST framework serializers and views for the same API (``pip install "recsys[drf]"``).

Mount with ``path("api/", include("recsys.django.rest_urls"))``. The views use the project's
``DEFAULT_AUTHENTICATION_CLASSES``; permissions are ``IsAuthenticated`` plus
``RECSYS['PERMISSION']`` (:class:`HasRecsysPermission`). Input is validated by serializers, and
errors are DRF's JSON (``{"detail": ...}`` or field errors) with the right status.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from ..recommender import LISTS
from . import service
from .conf import FEEDBACK_KINDS, recsys_settings

logger = logging.getLogger("recsys.django")


class HasRecsysPermission(permissions.BasePermission):
    """``RECSYS['PERMISSION']`` when set (logged-in users otherwise)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        needed = recsys_settings().permission
        return not needed or bool(request.user and request.user.has_perm(needed))


class RecommendationQuerySerializer(serializers.Serializer):
    list = serializers.ChoiceField(choices=LISTS, default="for_you")
    n = serializers.IntegerField(min_value=1, default=10)
    item = serializers.CharField(required=False)
    genre = serializers.CharField(required=False)

    def validate_n(self, value: int) -> int:
        limit = recsys_settings().max_n
        if value > limit:
            raise serializers.ValidationError(f"at most {limit}")
        return value

    def validate(self, attrs: Dict[str, Any]) -> Dict[str, Any]:
        if attrs["list"] in ("because_you_liked", "similar_to") and not attrs.get("item"):
            raise serializers.ValidationError({"item": f"required by list={attrs['list']}"})
        if attrs["list"] == "by_genre" and not attrs.get("genre"):
            raise serializers.ValidationError({"genre": "required by list=by_genre"})
        return attrs


class RecommendationSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    genres = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField(allow_null=True)
    predicted_rating = serializers.FloatField(allow_null=True)
    explanation = serializers.CharField(allow_null=True)
    reasons = serializers.ListField(child=serializers.DictField())


class RateSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    rating = serializers.FloatField(required=False, allow_null=True)
    feedback = serializers.ChoiceField(choices=[k for k in FEEDBACK_KINDS if k != "watchlisted"], required=False, allow_null=True)

    def validate(self, attrs: Dict[str, Any]) -> Dict[str, Any]:
        if isinstance(getattr(self, "initial_data", {}).get("rating"), bool):
            raise serializers.ValidationError({"rating": "must be a number, not true/false"})
        if ("rating" in attrs) == ("feedback" in attrs):
            raise serializers.ValidationError("give exactly one of rating or feedback")
        return attrs


class ItemSerializer(serializers.Serializer):
    item_id = serializers.CharField()


class _Failed(APIException):
    def __init__(self, failure: service.ApiError) -> None:
        super().__init__(failure.message)
        self.status_code = failure.status


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except service.ApiError as failure:
        raise _Failed(failure) from None


class RecsysViewSet(viewsets.ViewSet):
    """``recommendations`` (GET), ``why`` (GET, per item), ``rate``, ``watchlist_add``,
    ``watchlist_remove`` (POST) and ``me`` (GET), all on ``request.user``; ``status`` (GET,
    staff only) describes the served model."""

    permission_classes = [permissions.IsAuthenticated, HasRecsysPermission]

    def handle_exception(self, exc: Exception) -> Response:
        """DRF's answers for its own exceptions; anything else is logged and answered with a JSON
        500 (DRF would re-raise it: Django's HTML debug page in development)."""
        try:
            return super().handle_exception(exc)
        except Exception:
            logger.exception("recsys: %s %s failed", self.request.method, self.request.path)
            return Response({"detail": "internal error"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)

    def recommendations(self, request: Request) -> Response:
        query = RecommendationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        body = _call(service.recommendations, request.user, q["list"], q["n"], item=q.get("item"), genre=q.get("genre"))
        body["items"] = RecommendationSerializer(body["items"], many=True).data
        return Response(body)

    @action(detail=True, methods=["get"])
    def why(self, request: Request, pk: str) -> Response:
        return Response(_call(service.why, request.user, pk))

    def rate(self, request: Request) -> Response:
        payload = RateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(_call(service.rate, request.user, dict(payload.validated_data)))

    def watchlist_add(self, request: Request) -> Response:
        payload = ItemSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(_call(service.watchlist, request.user, dict(payload.validated_data), add=True))

    def watchlist_remove(self, request: Request) -> Response:
        payload = ItemSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(_call(service.watchlist, request.user, dict(payload.validated_data), add=False), status=status.HTTP_200_OK)

    def me(self, request: Request) -> Response:
        return Response(_call(service.me, request.user))

    def status(self, request: Request) -> Response:
        if not request.user.is_staff:
            raise PermissionDenied("staff only")
        return Response(service.holder().status().as_dict())
