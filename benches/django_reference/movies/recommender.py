"""The implicit ALS model each gunicorn worker loads once: item factors, the catalogue's ids and
titles, and the fold-in of a user's current ratings per request (`recalculate_user=True`)."""
import threading

import numpy as np
from django.conf import settings
from implicit.cpu.als import AlternatingLeastSquares
from scipy.sparse import csr_matrix

from .models import Movie

FACTORS = 64
ITERATIONS = 15
REGULARIZATION = 0.05

_lock = threading.Lock()
_loaded = None


class Served:
    """A trained model and the catalogue it indexes."""

    def __init__(self, model, item_ids):
        self.model = model
        self.item_ids = list(item_ids)
        self.index = {item: i for i, item in enumerate(self.item_ids)}
        titles = dict(Movie.objects.values_list("id", "title"))
        years = dict(Movie.objects.values_list("id", "year"))
        self.titles = [titles.get(i, "") for i in self.item_ids]
        self.years = [years.get(i) for i in self.item_ids]

    def recommend(self, ratings, n):
        """Top `n` items for a history of `(movie_id, rating)`, rated items left out."""
        cols, values = [], []
        for movie, rating in ratings:
            col = self.index.get(movie)
            if col is not None:
                cols.append(col)
                values.append(rating)
        row = csr_matrix(
            (np.asarray(values, dtype=np.float32), np.asarray(cols, dtype=np.int32), [0, len(cols)]),
            shape=(1, len(self.item_ids)),
        )
        ids, scores = self.model.recommend(
            0, row, N=n, filter_already_liked_items=True, recalculate_user=True
        )
        return [
            {"item_id": self.item_ids[i], "title": self.titles[i], "year": self.years[i], "score": float(s)}
            for i, s in zip(ids, scores)
        ]


def train(user_items, item_ids, path):
    """Fits implicit ALS on a users × items CSR of ratings and saves factors and ids."""
    model = AlternatingLeastSquares(
        factors=FACTORS, regularization=REGULARIZATION, iterations=ITERATIONS, random_state=42
    )
    model.fit(user_items, show_progress=False)
    np.savez(path, user_factors=model.user_factors, item_factors=model.item_factors, item_ids=np.asarray(item_ids))


def served():
    """The model of this process, loaded on first use."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                saved = np.load(settings.MODEL_PATH)
                model = AlternatingLeastSquares(factors=FACTORS, regularization=REGULARIZATION)
                model.user_factors = saved["user_factors"]
                model.item_factors = saved["item_factors"]
                _loaded = Served(model, [str(i) for i in saved["item_ids"]])
    return _loaded
