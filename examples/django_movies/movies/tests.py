"""End-to-end tests: generated catalogue and ratings, the training command, the endpoints."""
import random
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from . import recommender
from .models import Movie, Rating, WatchlistEntry

SCI_FI = range(1, 21)
DRAMA = range(21, 41)
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
TRAIN_ARGS = ["--factors", "8", "--regularization", "0.1", "--iterations", "10"]


def make_catalogue_and_ratings() -> list[User]:
    """40 movies in two genres; even users love sci-fi and dislike drama, odd users the reverse."""
    for movie_id in [*SCI_FI, *DRAMA]:
        genre = "Sci-Fi" if movie_id in SCI_FI else "Drama"
        Movie.objects.create(id=movie_id, title=f"{genre} movie {movie_id}", year=1980 + movie_id, genres=genre)
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
    WatchlistEntry.objects.create(user=users[0], movie_id=next(m for m in SCI_FI if not Rating.objects.filter(user=users[0], movie_id=m).exists()))
    return users


class RecommendationApiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.artifact_dir = Path(tempfile.mkdtemp(prefix="recsys-django-"))
        cls.artifact = cls.artifact_dir / "model.recsys"
        cls.users = make_catalogue_and_ratings()
        cls.previous_model = recommender.current()
        out = StringIO()
        with override_settings(RECSYS_ARTIFACT_PATH=cls.artifact):
            call_command("train_recommender", *TRAIN_ARGS, stdout=out)
        cls.training_output = out.getvalue()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        recommender._current = cls.previous_model  # leave the process as the test found it
        shutil.rmtree(cls.artifact_dir, ignore_errors=True)

    def get_json(self, user_id: int, query: str = "") -> tuple[int, dict]:
        response = self.client.get(f"/api/users/{user_id}/recommendations{query}")
        return response.status_code, response.json()

    def test_command_writes_the_artifact_and_installs_it(self) -> None:
        self.assertTrue(self.artifact.is_file())
        self.assertIn("trained on 301 events", self.training_output)
        self.assertIsNotNone(recommender.current())
        self.assertEqual(recommender.current().n_items, 40)

    def test_recommendations_exclude_rated_items_and_carry_reasons(self) -> None:
        user = self.users[0]
        status, body = self.get_json(user.id, "?n=10")
        self.assertEqual(status, 200)
        self.assertEqual(len(body["items"]), 10)
        rated = set(Rating.objects.filter(user=user).values_list("movie_id", flat=True))
        watchlisted = set(WatchlistEntry.objects.filter(user=user).values_list("movie_id", flat=True))
        self.assertEqual(body["history_size"], len(rated) + len(watchlisted))
        recommended = [item["movie_id"] for item in body["items"]]
        self.assertFalse(rated & set(recommended), "rated movies must not be recommended")
        for item in body["items"]:
            self.assertTrue(item["explanation"])
            self.assertTrue(item["reasons"])
            self.assertIn("kind", item["reasons"][0])
            self.assertEqual(item["title"], Movie.objects.get(id=item["movie_id"]).title)
        # The user loves sci-fi: the top of the list follows that taste.
        top = recommended[:5]
        self.assertGreaterEqual(sum(m in SCI_FI for m in top), 4, body["items"])

    def test_rating_after_training_counts_without_retraining(self) -> None:
        model_before = recommender.current()
        newcomer = User.objects.create_user(username="newcomer")  # unknown to the trained model
        status, cold = self.get_json(newcomer.id, "?n=10")
        self.assertEqual(status, 200)
        self.assertEqual(cold["history_size"], 0)

        for offset, movie_id in enumerate([21, 22, 23, 24]):
            Rating.objects.create(user=newcomer, movie_id=movie_id, stars=5, timestamp=T0 + timedelta(days=30, hours=offset))
        status, warm = self.get_json(newcomer.id, "?n=10")
        self.assertEqual(status, 200)
        self.assertIs(recommender.current(), model_before, "no retraining happened")
        self.assertEqual(warm["history_size"], 4)
        warm_ids = [item["movie_id"] for item in warm["items"]]
        self.assertNotEqual(warm_ids, [item["movie_id"] for item in cold["items"]])
        self.assertFalse({21, 22, 23, 24} & set(warm_ids))
        self.assertGreaterEqual(sum(m in DRAMA for m in warm_ids[:5]), 4, warm["items"])
        # Rating a recommended movie now removes it from the next answer.
        first = warm_ids[0]
        Rating.objects.create(user=newcomer, movie_id=first, stars=4, timestamp=T0 + timedelta(days=31))
        _, after = self.get_json(newcomer.id, "?n=10")
        self.assertNotIn(first, [item["movie_id"] for item in after["items"]])

    def test_predicted_stars_follow_taste_and_new_ratings(self) -> None:
        newcomer = User.objects.create_user(username="stargazer")
        for offset, movie_id in enumerate([1, 2, 3, 21, 22]):
            stars = 5 if movie_id in SCI_FI else 1
            Rating.objects.create(user=newcomer, movie_id=movie_id, stars=stars, timestamp=T0 + timedelta(days=40, hours=offset))
        status, body = self.get_json(newcomer.id, "?n=40")
        self.assertEqual(status, 200)
        predicted = {item["movie_id"]: item["predicted_stars"] for item in body["items"]}
        self.assertTrue(all(1.0 <= stars <= 5.0 for stars in predicted.values()), predicted)
        def mean_by_genre(stars: dict[int, float]) -> tuple[float, float]:
            sci_fi = [value for movie, value in stars.items() if movie in SCI_FI]
            drama = [value for movie, value in stars.items() if movie in DRAMA]
            return sum(sci_fi) / len(sci_fi), sum(drama) / len(drama)

        sci_fi, drama = mean_by_genre(predicted)
        self.assertGreater(sci_fi, drama + 1.0, predicted)
        # The newcomer changes their mind about both genres: predictions flip without retraining.
        for offset, movie_id in enumerate([21, 22, 23, 24]):
            Rating.objects.update_or_create(
                user=newcomer, movie_id=movie_id, defaults={"stars": 5, "timestamp": T0 + timedelta(days=41, hours=offset)}
            )
        Rating.objects.filter(user=newcomer, movie_id__in=[1, 2, 3]).update(stars=1, timestamp=T0 + timedelta(days=42))
        _, after = self.get_json(newcomer.id, "?n=40")
        moved = {item["movie_id"]: item["predicted_stars"] for item in after["items"]}
        sci_fi_after, drama_after = mean_by_genre(moved)
        self.assertGreater(drama_after, sci_fi_after + 1.0, moved)
        html = self.client.get(f"/users/{newcomer.id}/recommendations?n=3").content.decode()
        self.assertIn("predicted", html)

    def test_unknown_user_is_404(self) -> None:
        status, body = self.get_json(999_999)
        self.assertEqual(status, 404)
        self.assertIn("unknown user", body["error"])

    def test_bad_n_is_400(self) -> None:
        user_id = self.users[1].id
        for query in ["?n=abc", "?n=0", "?n=-3", "?n=101", "?n=2.5"]:
            with self.subTest(query=query):
                status, body = self.get_json(user_id, query)
                self.assertEqual(status, 400)
                self.assertIn("n must be", body["error"])

    def test_default_n_is_10(self) -> None:
        status, body = self.get_json(self.users[1].id)
        self.assertEqual(status, 200)
        self.assertEqual(body["n"], 10)
        self.assertEqual(len(body["items"]), 10)

    def test_no_model_yet_is_503(self) -> None:
        with mock.patch.object(recommender, "_current", None):
            status, body = self.get_json(self.users[1].id)
        self.assertEqual(status, 503)
        self.assertIn("train_recommender", body["error"])

    def test_html_page_shows_titles_and_explanations(self) -> None:
        user_id = self.users[1].id
        _, body = self.get_json(user_id, "?n=3")
        response = self.client.get(f"/users/{user_id}/recommendations?n=3")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for item in body["items"]:
            self.assertIn(item["title"], html)
        self.assertContains(response, 'class="reason"', count=3)
        self.assertEqual(self.client.get("/users/999999/recommendations").status_code, 404)


class ReloadTests(TestCase):
    def setUp(self) -> None:
        self.previous_model = recommender.current()
        self.addCleanup(setattr, recommender, "_current", self.previous_model)
        self.tmp = Path(tempfile.mkdtemp(prefix="recsys-django-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_missing_artifact_is_tolerated_only_when_asked(self) -> None:
        missing = self.tmp / "absent.recsys"
        self.assertIs(recommender.reload(missing, missing_ok=True), self.previous_model)
        self.assertIs(recommender.current(), self.previous_model)
        with self.assertRaises(FileNotFoundError):
            recommender.reload(missing)

    def test_retraining_swaps_the_loaded_model(self) -> None:
        make_catalogue_and_ratings()
        artifact = self.tmp / "model.recsys"
        call_command("train_recommender", *TRAIN_ARGS, "--output", str(artifact), stdout=StringIO())
        first = recommender.current()
        self.assertIsNotNone(first)
        call_command("train_recommender", *TRAIN_ARGS, "--output", str(artifact), stdout=StringIO())
        second = recommender.current()
        self.assertIsNot(second, first)
        self.assertEqual(second.recommend([("1", 5.0, 0)], n=5), first.recommend([("1", 5.0, 0)], n=5))

    def test_training_an_empty_database_fails_clearly(self) -> None:
        with self.assertRaisesMessage(CommandError, "nothing to train on"):
            call_command("train_recommender", "--output", str(self.tmp / "model.recsys"), stdout=StringIO())
