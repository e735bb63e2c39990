"""``implicit.cpu.als``'s names, from :mod:`recsys.als`: code that imports
``AlternatingLeastSquares`` or ``calculate_loss`` from implicit's CPU module switches by
changing ``implicit`` to ``recsys``."""

from ..als import AlternatingLeastSquares, calculate_loss, least_squares

__all__ = ["AlternatingLeastSquares", "calculate_loss", "least_squares"]
