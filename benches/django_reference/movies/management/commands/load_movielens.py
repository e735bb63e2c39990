"""Imports MovieLens-100K (RecBole atomic files) as the Rust app does on its first start: the
movies, the 943 users as accounts that cannot log in, their ratings (latest per user and movie)."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from movies.models import Movie, Rating


class Command(BaseCommand):
    help = "Import MovieLens-100K from --dir (ml-100k.item, ml-100k.inter) once."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="data/ml-100k")

    def handle(self, *args, **options):
        if Movie.objects.exists():
            self.stdout.write("already imported")
            return
        folder = Path(options["dir"])
        movies = []
        with open(folder / "ml-100k.item", encoding="utf-8") as f:
            next(f)
            for line in f:
                cols = line.rstrip("\n").split("\t")
                year = int(cols[2]) if len(cols) > 2 and cols[2].isdigit() else None
                movies.append(Movie(id=cols[0], title=cols[1], year=year))
        latest = {}
        with open(folder / "ml-100k.inter", encoding="utf-8") as f:
            next(f)
            for line in f:
                user, item, rating, at = line.split("\t")
                key = (user, item)
                if key not in latest or int(float(at)) >= latest[key][1]:
                    latest[key] = (float(rating), int(float(at)))
        User = get_user_model()
        with transaction.atomic():
            Movie.objects.bulk_create(movies, batch_size=500)
            names = sorted({u for u, _ in latest}, key=int)
            accounts = User.objects.bulk_create(
                [User(username=f"ml-{u}", is_active=False, password="!") for u in names], batch_size=500
            )
            ids = {u: a.pk for u, a in zip(names, accounts)}
            Rating.objects.bulk_create(
                [Rating(user_id=ids[u], movie_id=i, rating=r, updated_at=t) for (u, i), (r, t) in latest.items()],
                batch_size=2000,
            )
        self.stdout.write(f"imported {len(movies)} movies, {len(names)} users, {len(latest)} ratings")
