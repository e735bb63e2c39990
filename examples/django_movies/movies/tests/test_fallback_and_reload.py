"""A bad model file never stops the site: popularity is served until a good model exists, and a
newer file written by another process is picked up without a restart."""
import os
import shutil
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core import checks
from django.core.management import call_command
from django.test import TestCase, override_settings

import recsys
from movies.models import Rating
from recsys.django import service
from recsys.django.holder import ModelHolder

from .helpers import FIXTURES, REPO, TRAIN_ARGS, make_catalogue_and_ratings, recsys_settings

EXAMPLE = Path(__file__).resolve().parents[2]


def bad_files(folder: Path) -> dict[str, Path]:
    """A damaged file, a foreign one (an ALS model), an older format and a text file."""
    files = {
        "truncated": folder / "truncated.recsys",
        "foreign": folder / "foreign.recsys",
        "older format": folder / "v2.recsys",
        "text": folder / "text.recsys",
    }
    v3 = (FIXTURES / "artifacts" / "recommender-v3.recsys").read_bytes()
    files["truncated"].write_bytes(v3[: len(v3) // 2])
    shutil.copy(FIXTURES / "artifacts" / "als-v3.recsys", files["foreign"])
    shutil.copy(FIXTURES / "artifacts" / "recommender-v2.recsys", files["older format"])
    files["text"].write_text("<html>404 not found</html>")
    return files


class FallbackTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.users = make_catalogue_and_ratings()

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="recsys-django-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_bad_files_serve_popularity_and_warn_in_check(self) -> None:
        for name, path in bad_files(self.tmp).items():
            with self.subTest(name), override_settings(RECSYS=recsys_settings(ARTIFACT_PATH=path)):
                with self.assertLogs("recsys.django", "ERROR") as logs:
                    self.assertIsNone(service.current_model())
                self.assertIn(str(path), logs.output[0])
                self.client.force_login(self.users[0])
                body = self.client.get("/api/recommendations", {"n": "5"}).json()
                self.assertTrue(body["model"]["fallback"])
                self.assertIn("cannot be used", body["model"]["reason"])
                self.assertEqual(len(body["items"]), 5)
                rated = {str(m) for m in Rating.objects.filter(user=self.users[0]).values_list("movie_id", flat=True)}
                self.assertFalse(rated & {item["item_id"] for item in body["items"]})
                self.assertEqual(body["items"][0]["reasons"], [{"kind": "popular"}])
                counts = [item["score"] for item in body["items"]]
                self.assertEqual(counts, sorted(counts, reverse=True))
                drama = self.client.get("/api/recommendations", {"list": "by_genre", "genre": "Drama"}).json()
                self.assertTrue(drama["items"] and all(item["genres"] == ["Drama"] for item in drama["items"]))
                self.assertEqual(self.client.get("/api/movies/3/why").status_code, 200)
                messages = checks.run_checks(tags=["recsys"])
                self.assertEqual([m.id for m in messages], ["recsys.W002"], messages)
                self.assertFalse(messages[0].is_serious())

    def test_training_replaces_a_bad_file_and_every_holder_picks_it_up(self) -> None:
        path = bad_files(self.tmp)["older format"]
        clock = [0.0]
        other_process = ModelHolder(path, check_interval=5.0, clock=lambda: clock[0])
        with self.assertLogs("recsys.django", "ERROR"):
            self.assertIsNone(other_process.get())
        with override_settings(RECSYS=recsys_settings(ARTIFACT_PATH=path)):
            out = StringIO()
            call_command("recsys_train", *TRAIN_ARGS, stdout=out, verbosity=0)
            self.assertIn("trained on 302 events", out.getvalue())
            self.assertIsNotNone(service.current_model(), "the training process serves its model at once")
        clock[0] = 4.9
        self.assertIsNone(other_process.get(), "not checked again before the interval")
        clock[0] = 5.0
        model = other_process.get()
        self.assertIsNotNone(model)
        self.assertEqual(model.n_items, 40)
        # A retrain (different settings) is swapped in; requests holding the old model keep it.
        old = model
        with override_settings(RECSYS=recsys_settings(ARTIFACT_PATH=path)):
            call_command("recsys_train", "--factors", "4", "--iterations", "3", "--no-progress", stdout=StringIO(), verbosity=0)
        clock[0] = 10.0
        new = other_process.get()
        self.assertIsNot(new, old)
        self.assertNotEqual(new.to_bytes(), old.to_bytes())
        self.assertEqual(len(old.recommend([("1", 5.0, 0)], n=3)), 3)

    def test_a_bad_retrain_keeps_the_good_model(self) -> None:
        path = self.tmp / "model.recsys"
        with override_settings(RECSYS=recsys_settings(ARTIFACT_PATH=path)):
            call_command("recsys_train", *TRAIN_ARGS, stdout=StringIO(), verbosity=0)
        clock = [0.0]
        holder = ModelHolder(path, check_interval=1.0, clock=lambda: clock[0])
        good = holder.get()
        self.assertIsNotNone(good)
        path.write_bytes(b"RSYS garbage")
        clock[0] = 2.0
        with self.assertLogs("recsys.django", "ERROR") as logs:
            self.assertIs(holder.get(), good)
        self.assertIn("keeping the model loaded before", logs.output[0])
        self.assertIn("cannot be used", holder.status().problem)


class StartupTests(TestCase):
    """The commands a broken model file used to kill, run in a fresh process."""

    def test_manage_py_commands_survive_a_damaged_model_file(self) -> None:
        tmp = Path(tempfile.mkdtemp(prefix="recsys-django-"))
        self.addCleanup(shutil.rmtree, tmp, True)
        artifact = bad_files(tmp)["older format"]
        env = {
            **os.environ,
            "RECSYS_ARTIFACT_PATH": str(artifact),
            "DJANGO_DB_PATH": str(tmp / "db.sqlite3"),
            "PYTHONPATH": os.pathsep.join(p for p in [os.environ.get("PYTHONPATH", ""), str(EXAMPLE)] if p),
        }

        def manage(*args: str) -> subprocess.CompletedProcess:
            done = subprocess.run([sys.executable, "manage.py", *args], cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=300)
            self.assertEqual(done.returncode, 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
            self.assertNotIn("Traceback", done.stderr)
            return done

        self.assertIn("recsys.W002", manage("check").stderr)
        manage("migrate", "-v", "0")
        manage("recsys_load_movielens", "--path", str(REPO / "recsys-core" / "tests" / "fixtures" / "ml-100k"))
        done = manage("recsys_train", "--holdout", "0", "--factors", "4", "--iterations", "2", "--no-progress")
        self.assertIn("trained on 6 events", done.stdout)
        recsys.Recommender.load(artifact)  # the good model replaced the bad file
        self.assertNotIn("recsys.W002", manage("check").stderr)
