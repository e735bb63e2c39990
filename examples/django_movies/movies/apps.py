"""The movies app: the catalogue, ratings, reactions and watchlists (recsys.django does the rest)."""
from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "movies"
    default_auto_field = "django.db.models.BigAutoField"
