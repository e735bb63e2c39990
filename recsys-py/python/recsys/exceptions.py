"""Exceptions raised by recsys.

Every error derives from :class:`RecsysError`, and also from the built-in exception a Python
programmer would expect, so ``except KeyError`` / ``except ValueError`` / ``except IndexError``
keep working in code written for ``implicit``.
"""

from __future__ import annotations

__all__ = [
    "RecsysError",
    "UnknownIdError",
    "IdOutOfRangeError",
    "InvalidArgumentError",
    "ArgumentTypeError",
    "ParseError",
    "StorageError",
    "ModelNotFoundError",
    "CorruptModelError",
    "UnsupportedVersionError",
    "ModelFitError",
    "NotFittedError",
    "ParameterWarning",
]


class RecsysError(Exception):
    """Base class of every recsys error."""


class UnknownIdError(RecsysError, KeyError):
    """A user or item id the model or dataset does not know."""

    def __str__(self) -> str:  # KeyError would quote the message.
        return str(self.args[0]) if self.args else ""


class IdOutOfRangeError(RecsysError, IndexError):
    """A dense user or item index outside the model (negative ids included)."""


class InvalidArgumentError(RecsysError, ValueError):
    """An argument or hyper-parameter out of range, a shape mismatch, NaN or an empty input."""


class ArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument of the wrong type (``n=2.0``, ``years=1995``, a bool feedback, a file name
    where events are expected): both a ``TypeError``, as Python raises for a wrong type, and an
    :class:`InvalidArgumentError`, so ``except RecsysError`` or ``except ValueError`` catches
    every bad argument."""


class ParseError(RecsysError, ValueError):
    """A malformed row in an input file."""


class StorageError(RecsysError, OSError):
    """Reading or writing a model file failed."""


class ModelNotFoundError(StorageError, FileNotFoundError):
    """The model file does not exist."""


class CorruptModelError(RecsysError, ValueError):
    """The bytes are not a recsys model artifact, or it is truncated or corrupted."""


class UnsupportedVersionError(CorruptModelError):
    """The artifact was written by an incompatible format version."""


class ModelFitError(RecsysError, RuntimeError):
    """Fitting failed numerically (e.g. factors stopped being finite)."""


class NotFittedError(RecsysError, RuntimeError):
    """The model has not been fitted (or loaded) yet."""


class ParameterWarning(Warning):
    """An argument was accepted but converted at a cost (e.g. a COO matrix where CSR is
    expected), as ``implicit.utils.ParameterWarning``. When ``implicit`` is imported, the
    warnings recsys issues are also instances of implicit's class, so filters and
    ``pytest.warns`` written for implicit keep working."""
