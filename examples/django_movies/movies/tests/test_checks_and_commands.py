"""`manage.py check` names mapping mistakes; the commands train, record and load."""
import shutil
import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth.models import User
from django.core import checks
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from movies.models import Movie, Rating
from recsys.django.models import TrainingRun

from .helpers import FIXTURES, SCI_FI, TRAIN_ARGS, TrainedTestCase, recsys_settings

RATING = {"model": "movies.Rating", "user": "user", "item": "movie", "rating": "stars", "timestamp": "timestamp"}


def check_ids(**changes: object) -> list[str]:
    with override_settings(RECSYS=recsys_settings(**changes)):
        return [message.id for message in checks.run_checks(tags=["recsys"])]


class CheckTests(TestCase):
    def test_the_example_mapping_is_clean(self) -> None:
        self.assertEqual(check_ids(ARTIFACT_PATH=Path(tempfile.gettempdir()) / "absent.recsys"), [])

    def test_mapping_mistakes_are_reported(self) -> None:
        cases = {
            "recsys.E002": {"TRAINNG": {}},
            "recsys.E003": {"ARTIFACT_PATH": None},
            "recsys.E004": {"CATALOG": {"title": "title"}},
            "recsys.E010": {"CATALOG": {"model": "movies.Film"}},
            "recsys.E011": {"CATALOG": {"model": "movies.Movie", "title": "name"}},
            "recsys.E005": {"EVENTS": [{**RATING, "feedback": "like"}]},
            "recsys.E020": {"EVENTS": [{**RATING, "model": "movies.Stars"}]},
            "recsys.E022": {"EVENTS": [{**RATING, "user": "movie"}]},
            "recsys.E023": {"EVENTS": [{**RATING, "item": "user"}]},
            "recsys.E024": {"EVENTS": [{**RATING, "rating": "timestamp"}]},
            "recsys.E006": {"HOLDOUT": 1.5, "TRAINING": {"factor": 8}},
        }
        for expected, changes in cases.items():
            with self.subTest(expected):
                ids = check_ids(**changes)
                self.assertIn(expected, ids)
        with override_settings(RECSYS=recsys_settings(EVENTS=[{**RATING, "item": "film"}])):
            message = checks.run_checks(tags=["recsys"])[0]
        self.assertIn("movies.Rating has no field 'film'", message.msg)
        self.assertIn("movie", message.hint)

    def test_missing_setting_is_an_error_not_a_crash(self) -> None:
        with override_settings(RECSYS=None):
            messages = checks.run_checks(tags=["recsys"])
            self.assertEqual([m.id for m in messages], ["recsys.E001"])
            with self.assertRaisesMessage(CommandError, "settings.RECSYS"):
                call_command("recsys_train", stdout=StringIO())

    def test_missing_artifact_folder_is_a_warning(self) -> None:
        self.assertEqual(check_ids(ARTIFACT_PATH="/nonexistent-dir/model.recsys"), ["recsys.W001"])


class TrainCommandTests(TrainedTestCase):
    def test_a_run_is_recorded_with_held_out_metrics(self) -> None:
        self.assertIn("held-out (20% latest per user", self.training_output)
        self.assertIn("ndcg@10", self.training_output)
        run = TrainingRun.objects.latest()
        self.assertEqual(run.status, TrainingRun.Status.SUCCEEDED)
        self.assertEqual((run.n_events, run.n_users, run.n_items), (302, 30, 40))
        self.assertEqual(set(run.metrics) >= {"precision", "recall", "ndcg", "map", "hit_rate", "coverage", "k", "n_users"}, True)
        self.assertEqual(run.parameters["factors"], 8)
        self.assertEqual(len(run.fingerprint), 32)
        self.assertTrue(self.artifact.is_file())

    def test_catalogue_rows_read_many_to_many_tags(self) -> None:
        from recsys.django import data

        rows = {row["item_id"]: row for row in data.catalog_rows()}
        self.assertEqual(len(rows), 40)
        self.assertEqual((rows["3"]["tags"], rows["21"]["tags"], rows["22"]["tags"]), (["space"], ["family"], []))
        self.assertEqual(rows["3"]["genres"], ["Sci-Fi"])
        with self.assertNumQueries(2):  # the movies, then every tag at once
            data.catalog_rows()
        # The trained model knows the tags: a tag filter keeps to the tagged movies.
        from recsys import Recommender

        model = Recommender.load(self.artifact)
        result = model.recommend([], n=5, list="trending", tags=["space"])
        self.assertTrue(result.item_ids and all(int(i) in SCI_FI for i in result.item_ids), result.item_ids)

    def test_admin_lists_runs_and_every_model(self) -> None:
        admin = User.objects.create_superuser("admin", "admin@example.com", None)
        self.client.force_login(admin)
        for url in ["recsys/trainingrun", "movies/movie", "movies/tag", "movies/rating", "movies/reaction", "movies/watchlistentry"]:
            with self.subTest(url):
                self.assertEqual(self.client.get(f"/admin/{url}/").status_code, 200)
        run = TrainingRun.objects.latest()
        self.assertEqual(self.client.get(f"/admin/recsys/trainingrun/{run.pk}/change/").status_code, 200)
        self.assertEqual(self.client.get("/admin/movies/movie/add/").status_code, 200)


class EmptyDatabaseTests(TestCase):
    def test_nothing_to_train_on_fails_clearly_and_is_recorded(self) -> None:
        tmp = Path(tempfile.mkdtemp(prefix="recsys-django-"))
        self.addCleanup(shutil.rmtree, tmp, True)
        with self.assertRaisesMessage(CommandError, "nothing to train on"):
            call_command("recsys_train", "--output", str(tmp / "m.recsys"), stdout=StringIO(), verbosity=0)
        self.assertEqual(TrainingRun.objects.latest().status, TrainingRun.Status.FAILED)

    def test_load_movielens_from_a_grouplens_folder(self) -> None:
        out = StringIO()
        call_command("recsys_load_movielens", "--path", str(FIXTURES / "ml-100k"), stdout=out)
        self.assertIn("loaded 4 movies", out.getvalue())
        toy = Movie.objects.get(pk=1)
        self.assertEqual((toy.title, toy.year), ("Toy Story", 1995))
        self.assertIn("Comedy", toy.genre_list())
        self.assertEqual(Rating.objects.count(), 6)
        self.assertTrue(User.objects.filter(username__startswith="ml").exists())
        # Idempotent: a second run adds nothing.
        out = StringIO()
        call_command("recsys_load_movielens", "--path", str(FIXTURES / "ml-100k"), stdout=out)
        self.assertIn("loaded 0 movies", out.getvalue())
        self.assertEqual(Rating.objects.count(), 6)
        with override_settings(RECSYS=recsys_settings(ARTIFACT_PATH=Path(tempfile.gettempdir()) / "recsys-load-test.recsys")):
            call_command("recsys_train", *TRAIN_ARGS, "--holdout", "0", stdout=StringIO(), verbosity=0)

    def test_load_movielens_refuses_a_missing_folder(self) -> None:
        with self.assertRaisesMessage(CommandError, "no such folder"):
            call_command("recsys_load_movielens", "--path", "/nonexistent", stdout=StringIO())


class TaskTests(TrainedTestCase):
    def test_the_celery_task_body_trains_like_the_command(self) -> None:
        from recsys.django import tasks

        try:
            import celery  # noqa: F401
        except ImportError:
            self.assertIsNone(tasks.train_recommender, "no task without Celery")
        else:
            self.assertEqual(tasks.train_recommender.name, "recsys.train_recommender")
        result = tasks.run_training(holdout=0, overrides={"factors": 4, "iterations": 2})
        self.assertEqual(result["status"], "succeeded")
        self.assertEqual(TrainingRun.objects.get(pk=result["run"]).n_items, 40)
