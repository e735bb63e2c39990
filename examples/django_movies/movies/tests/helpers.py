"""Shared test data: a generated catalogue with two tastes, and a trained model file."""
import random
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase, override_settings

from movies.models import Movie, Rating, Reaction, Tag, WatchlistEntry

SCI_FI = range(1, 21)
DRAMA = range(21, 41)
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
TRAIN_ARGS = ["--factors", "8", "--regularization", "0.1", "--iterations", "10", "--no-progress"]
REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "recsys-core" / "tests" / "fixtures"


def recsys_settings(**changes: Any) -> dict:
    """settings.RECSYS with ``changes`` (e.g. ARTIFACT_PATH)."""
    return {**settings.RECSYS, **changes}


def make_catalogue_and_ratings() -> list[User]:
    """40 movies in two genres; even users love sci-fi and dislike drama, odd users the reverse."""
    for movie_id in [*SCI_FI, *DRAMA]:
        genre = "Sci-Fi" if movie_id in SCI_FI else "Drama"
        Movie.objects.create(id=movie_id, title=f"{genre} movie {movie_id}", year=1980 + movie_id, genres=genre)
    space, family = Tag.objects.create(name="space"), Tag.objects.create(name="family")
    for movie in Movie.objects.filter(id__in=SCI_FI):
        movie.tags.add(space)
    Movie.objects.get(id=21).tags.add(family)
    rng = random.Random(7)
    users = []
    for index in range(30):
        user = User.objects.create_user(username=f"user{index}")
        loved, disliked = (SCI_FI, DRAMA) if index % 2 == 0 else (DRAMA, SCI_FI)
        ratings = [(m, rng.choice([4, 5])) for m in rng.sample(list(loved), 8)]
        ratings += [(m, rng.choice([1, 2])) for m in rng.sample(list(disliked), 2)]
        for position, (movie_id, stars) in enumerate(ratings):
            Rating.objects.create(user=user, movie_id=movie_id, stars=stars, timestamp=T0 + timedelta(hours=index * 10 + position))
        users.append(user)
    first_unrated = next(m for m in SCI_FI if not Rating.objects.filter(user=users[0], movie_id=m).exists())
    WatchlistEntry.objects.create(user=users[0], movie_id=first_unrated)
    Reaction.objects.create(user=users[1], movie_id=30, kind="like")
    return users


class TrainedTestCase(TestCase):
    """The generated data, a model trained by ``recsys_train`` into a temporary file, and
    settings.RECSYS pointing at it for every test."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = Path(tempfile.mkdtemp(prefix="recsys-django-"))
        cls.artifact = cls.tmp / "model.recsys"
        cls._override = override_settings(RECSYS=recsys_settings(ARTIFACT_PATH=cls.artifact))
        cls._override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cls._override.disable()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def setUpTestData(cls) -> None:
        cls.users = make_catalogue_and_ratings()
        out = StringIO()
        call_command("recsys_train", *TRAIN_ARGS, stdout=out, verbosity=0)
        cls.training_output = out.getvalue()
