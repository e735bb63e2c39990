"""The movies app: loads the trained recommender once when Django starts."""
from django.apps import AppConfig


class MoviesConfig(AppConfig):
    name = "movies"

    def ready(self) -> None:
        from . import recommender

        # A missing artifact is normal before the first `manage.py train_recommender`: the API
        # answers 503 until then.
        recommender.reload(missing_ok=True)
