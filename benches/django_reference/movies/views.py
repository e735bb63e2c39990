"""The endpoints the load benchmark drives, as DRF views."""
import time

from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError, transaction
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Movie, Rating
from .recommender import served

MAX_N = 100
MAX_IMPORT = 500


def valid_rating(value):
    if not 1.0 <= value <= 5.0 or (value * 2) % 1 != 0:
        raise serializers.ValidationError("rating must be 1 to 5 in steps of 0.5")
    return value


class Credentials(serializers.Serializer):
    username = serializers.RegexField(r"^[A-Za-z0-9_.-]{3,32}$")
    password = serializers.CharField(min_length=8, max_length=128)


class RateBody(serializers.Serializer):
    movie_id = serializers.CharField(max_length=64)
    rating = serializers.FloatField(validators=[valid_rating])


class ImportedRating(RateBody):
    at = serializers.IntegerField(required=False, min_value=0)


class ImportBody(serializers.Serializer):
    ratings = ImportedRating(many=True, max_length=MAX_IMPORT)


class RecParams(serializers.Serializer):
    n = serializers.IntegerField(required=False, default=12, min_value=1, max_value=MAX_N)


class Signup(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        body = Credentials(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            user = get_user_model().objects.create_user(**body.validated_data)
        except IntegrityError:
            return Response({"error": "username taken"}, status=status.HTTP_409_CONFLICT)
        token = Token.objects.create(user=user)
        return Response({"token": token.key}, status=status.HTTP_201_CREATED)


class Login(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        body = Credentials(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(**body.validated_data)
        if user is None:
            return Response({"error": "wrong username or password"}, status=status.HTTP_401_UNAUTHORIZED)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class ImportRatings(APIView):
    def post(self, request):
        body = ImportBody(data=request.data)
        body.is_valid(raise_exception=True)
        now = int(time.time())
        rows = body.validated_data["ratings"]
        known = set(Movie.objects.filter(pk__in=[r["movie_id"] for r in rows]).values_list("pk", flat=True))
        with transaction.atomic():
            created = Rating.objects.bulk_create(
                [
                    Rating(user=request.user, movie_id=r["movie_id"], rating=r["rating"], updated_at=min(r.get("at", now), now))
                    for r in rows
                    if r["movie_id"] in known
                ],
                ignore_conflicts=True,
            )
        return Response({"imported": len(created), "unknown_movies": len(rows) - len([r for r in rows if r["movie_id"] in known])})


class Recommendations(APIView):
    def get(self, request):
        params = RecParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        history = Rating.objects.filter(user=request.user).values_list("movie_id", "rating")
        items = served().recommend(list(history), params.validated_data["n"])
        return Response({"items": items})


class Rate(APIView):
    def post(self, request):
        body = RateBody(data=request.data)
        body.is_valid(raise_exception=True)
        movie, rating = body.validated_data["movie_id"], body.validated_data["rating"]
        if not Movie.objects.filter(pk=movie).exists():
            return Response({"error": f"no movie {movie}"}, status=status.HTTP_404_NOT_FOUND)
        now = int(time.time())
        # One INSERT ... ON CONFLICT DO UPDATE, committed (autocommit) before the answer.
        Rating.objects.bulk_create(
            [Rating(user=request.user, movie_id=movie, rating=rating, updated_at=now)],
            update_conflicts=True,
            unique_fields=["user", "movie"],
            update_fields=["rating", "updated_at"],
        )
        return Response({"movie_id": movie, "rating": rating, "updated_at": now})


class Health(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        return Response({"status": "ok"})
