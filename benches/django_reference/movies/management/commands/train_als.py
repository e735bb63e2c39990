"""Trains implicit ALS on every rating in the database and writes settings.MODEL_PATH."""
import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand
from scipy.sparse import csr_matrix

from movies.models import Movie, Rating
from movies.recommender import train


class Command(BaseCommand):
    help = "Fit implicit ALS on the ratings table."

    def handle(self, *args, **options):
        item_ids = list(Movie.objects.order_by("pk").values_list("pk", flat=True))
        col = {item: i for i, item in enumerate(item_ids)}
        rows = list(Rating.objects.values_list("user_id", "movie_id", "rating"))
        users = {u: i for i, u in enumerate(sorted({r[0] for r in rows}))}
        matrix = csr_matrix(
            (
                np.asarray([r[2] for r in rows], dtype=np.float32),
                ([users[r[0]] for r in rows], [col[r[1]] for r in rows]),
            ),
            shape=(len(users), len(item_ids)),
        )
        train(matrix, item_ids, settings.MODEL_PATH)
        self.stdout.write(f"trained on {matrix.nnz} ratings -> {settings.MODEL_PATH}")
