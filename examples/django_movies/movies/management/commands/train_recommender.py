"""`manage.py train_recommender`: fits recsys.Recommender on the database and installs it."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import recsys

from movies import recommender
from movies.models import Movie, Rating, WatchlistEntry


def training_events() -> list[tuple[str, str, object, int]]:
    """Every rating (stars) and watchlist entry as ``(user_id, movie_id, feedback, seconds)``."""
    events: list[tuple[str, str, object, int]] = [
        (str(user_id), str(movie_id), float(stars), int(ts.timestamp()))
        for user_id, movie_id, stars, ts in Rating.objects.values_list("user_id", "movie_id", "stars", "timestamp")
    ]
    events += [
        (str(user_id), str(movie_id), "watchlisted", int(ts.timestamp()))
        for user_id, movie_id, ts in WatchlistEntry.objects.values_list("user_id", "movie_id", "added")
    ]
    return events


def catalog_rows() -> list[dict[str, object]]:
    """The catalogue in the shape `recsys.Recommender.fit` reads."""
    return [
        {"item_id": str(movie_id), "title": title, "year": year, "genres": genres}
        for movie_id, title, year, genres in Movie.objects.values_list("id", "title", "year", "genres")
    ]


class Command(BaseCommand):
    help = "Train the recommender on the ratings and watchlists in the database and reload it."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--output", type=Path, help="artifact path (default: settings.RECSYS_ARTIFACT_PATH)")
        parser.add_argument("--factors", type=int, default=64)
        parser.add_argument("--regularization", type=float, default=20.0)
        parser.add_argument("--iterations", type=int, default=15)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        output = Path(options["output"] or settings.RECSYS_ARTIFACT_PATH)
        events = training_events()
        if not events:
            raise CommandError("no ratings or watchlist entries in the database: nothing to train on")
        try:
            model = recsys.Recommender.fit(
                events,
                catalog_rows(),
                factors=options["factors"],
                regularization=options["regularization"],
                iterations=options["iterations"],
                seed=options["seed"],
                show_progress=options["verbosity"] > 1,  # a tqdm bar with -v 2
            )
        except recsys.RecsysError as error:
            raise CommandError(f"training failed: {error}") from error
        output.parent.mkdir(parents=True, exist_ok=True)
        model.save(output)  # written to a temporary file and renamed by the core
        recommender.reload(output)
        self.stdout.write(self.style.SUCCESS(f"trained on {len(events)} events, {model.n_items} items -> {output}"))
