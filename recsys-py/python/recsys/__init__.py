"""recsys: an embeddable recommendation engine with a Rust core.

Layer 1 is a drop-in replacement for ``implicit``'s ALS (and EASE in the same style,
``recsys.ease.EASE``)::

    from recsys.als import AlternatingLeastSquares
    from recsys.evaluation import train_test_split, precision_at_k

Layer 2 is the hybrid recommender (``recsys.Recommender``, see ``recsys.recommender``).
"""

from . import als, cpu, ease, evaluation, exceptions, hub, recommender
from ._recsys import ARTIFACT_FORMAT_VERSION, __version__
from .als import AlternatingLeastSquares
from .ease import EASE
from .recommender import Recommendation, Recommendations, Recommender
from .exceptions import *  # noqa: F401,F403 - the exception classes are part of the API

__all__ = [
    "__version__",
    "ARTIFACT_FORMAT_VERSION",
    "AlternatingLeastSquares",
    "EASE",
    "Recommender",
    "Recommendation",
    "Recommendations",
    "recommender",
    "als",
    "cpu",
    "ease",
    "evaluation",
    "hub",
    "exceptions",
    *exceptions.__all__,
]
