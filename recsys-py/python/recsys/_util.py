"""Argument conversion shared by the Python modules (no algorithms: shapes, dtypes, seeds)."""

from __future__ import annotations

import datetime
import math
import numbers
import sys
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import numpy as np
import scipy.sparse

from .exceptions import ArgumentTypeError, IdOutOfRangeError, InvalidArgumentError, ParameterWarning

_INDEX_DTYPES = (np.int32, np.int64)
#: Rows without entries a non-CSR matrix may have (the core's bound on unbacked sizes, 2^20).
_MAX_EMPTY_ROWS = 1 << 20
#: The largest id the bindings take (int64); larger ids cannot index anything anyway.
_MAX_ID = 2**63 - 1


def to_csr(matrix: Any, name: str) -> scipy.sparse.csr_matrix:
    """``matrix`` as a CSR matrix with float32/float64 values (CSR/CSC/COO/... accepted)."""
    if not scipy.sparse.issparse(matrix):
        raise InvalidArgumentError(
            f"{name} must be a scipy.sparse matrix (CSR, CSC or COO), got {type(matrix).__name__}"
        )
    if matrix.ndim != 2:
        raise InvalidArgumentError(f"{name} must be 2-dimensional")
    check_rows_backed(matrix, name)
    csr = matrix.tocsr()
    data = csr.data
    if data.dtype not in (np.float32, np.float64):
        if not (np.issubdtype(data.dtype, np.number) or data.dtype == np.bool_) or np.issubdtype(
            data.dtype, np.complexfloating
        ):
            raise InvalidArgumentError(f"{name} must hold real numbers, got dtype {data.dtype}")
        data = data.astype(np.float32)
    indptr, indices = csr.indptr, csr.indices
    if indptr.dtype not in _INDEX_DTYPES or indices.dtype not in _INDEX_DTYPES:
        indptr, indices = indptr.astype(np.int64), indices.astype(np.int64)
    if data is csr.data and indptr is csr.indptr:
        return csr
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=csr.shape)


_implicit_categories: Dict[type, Type[Warning]] = {}


def parameter_warning() -> Type[Warning]:
    """The category of recsys's parameter warnings: :class:`ParameterWarning`, or, once
    ``implicit`` has been imported, a subclass of it and of ``implicit.utils.ParameterWarning``
    (implicit is never imported here)."""
    theirs = getattr(sys.modules.get("implicit.utils"), "ParameterWarning", None)
    if not (isinstance(theirs, type) and issubclass(theirs, Warning)):
        return ParameterWarning
    category = _implicit_categories.get(theirs)
    if category is None:
        category = type(
            "ParameterWarning", (ParameterWarning, theirs), {"__module__": ParameterWarning.__module__}
        )
        _implicit_categories[theirs] = category
    return category


def check_csr(matrix: Any, name: str, stacklevel: int = 3) -> scipy.sparse.csr_matrix:
    """:func:`to_csr`, warning first (``ParameterWarning``, as implicit's ``check_csr``) when
    ``matrix`` is a sparse matrix of another format, which costs a conversion."""
    if scipy.sparse.issparse(matrix) and matrix.format != "csr":
        warnings.warn(
            f"Method expects CSR input, and was passed {type(matrix).__name__} instead; "
            "converting it to CSR",
            parameter_warning(),
            stacklevel=stacklevel,
        )
    return to_csr(matrix, name)


def check_rows_backed(matrix: Any, name: str) -> None:
    """Refuses a non-CSR sparse ``matrix`` with far more rows than entries: converting it to
    CSR allocates an offset per row, so a tiny COO/CSC matrix with an absurd shape (a typo, a
    hash used as an id) would cost gigabytes before any other check could run."""
    if matrix.format != "csr" and matrix.shape[0] > matrix.nnz + _MAX_EMPTY_ROWS:
        raise InvalidArgumentError(
            f"{name} has {matrix.shape[0]} rows but only {matrix.nnz} entries: at most "
            f"{_MAX_EMPTY_ROWS} rows without entries are accepted (ids must be dense indices)"
        )


def empty_rows(rows: int, columns: int) -> scipy.sparse.csr_matrix:
    """An all-empty ``rows × columns`` CSR matrix."""
    return scipy.sparse.csr_matrix((rows, columns), dtype=np.float32)


def id_array(ids: Any, name: str) -> np.ndarray:
    """A 1-d int64 array of ids (lists, ranges, numpy arrays)."""
    array = np.asarray(ids)
    if array.ndim != 1:
        raise InvalidArgumentError(f"{name} must be a 1-d sequence of ids, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise InvalidArgumentError(f"{name} must hold integer ids, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.unsignedinteger) and (array > _MAX_ID).any():
        raise IdOutOfRangeError(f"{name} holds an id too large to be a row index ({int(array.max())})")
    array = array.astype(np.int64, copy=False)
    if (array < 0).any():
        raise IdOutOfRangeError(f"{name} holds a negative id ({int(array.min())})")
    return array


def optional_ids(ids: Any, name: str) -> Optional[np.ndarray]:
    return None if ids is None else id_array(ids, name)


def is_scalar_id(value: Any) -> bool:
    return isinstance(value, numbers.Integral) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    )


def scalar_id(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.ndarray)):
        raise InvalidArgumentError(f"{name} must be an integer id, got {value!r}")
    value = int(value)
    if value < 0:
        raise IdOutOfRangeError(f"{name} {value} is out of range (negative)")
    if value > _MAX_ID:
        raise IdOutOfRangeError(f"{name} {value} is out of range (too large to be a row index)")
    return value


def count(value: Any, name: str) -> int:
    """A non-negative integer argument such as ``N``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InvalidArgumentError(f"{name} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise InvalidArgumentError(f"{name} must be a non-negative integer, got {value}")
    # Counts beyond what fits a machine word mean "all" everywhere they are used.
    return min(int(value), sys.maxsize)


def seed_from(random_state: Any) -> int:
    """A 64-bit seed from ``random_state`` as implicit accepts it: None (fresh entropy), an int,
    a ``numpy.random.RandomState`` or a ``numpy.random.Generator``."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    if isinstance(random_state, (bool, np.bool_)):
        raise InvalidArgumentError(f"random_state must be an int or a numpy RNG, got {random_state!r}")
    if isinstance(random_state, numbers.Integral):
        if random_state < 0:
            raise InvalidArgumentError(f"random_state must be non-negative, got {random_state}")
        return int(random_state) & (2**64 - 1)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    raise InvalidArgumentError(
        f"random_state must be None, an int, a RandomState or a Generator, got {type(random_state).__name__}"
    )


def progress_bar(total: int, enabled: bool, desc: Optional[str] = None) -> Any:
    """A tqdm bar if ``enabled`` and tqdm is installed, else None."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc)


#: ``callback(iteration, seconds, loss)`` after each training iteration (implicit's
#: ``fit_callback``): iteration counts from 0, loss is None.
FitCallback = Callable[[int, float, Optional[float]], Any]


def iteration_relay(
    total: int,
    show_progress: bool,
    callback: Optional[FitCallback],
    losses: Optional[List[float]] = None,
) -> Tuple[Optional[Callable[[int, int, float, Optional[float]], None]], Any]:
    """What to hand the core as its per-iteration ``progress(iteration, iterations, seconds,
    loss)`` (None when nobody listens) and the tqdm bar to close after fitting (or None).
    Reported losses are appended to ``losses`` when given (which also makes someone listen)."""
    bar = progress_bar(total, show_progress)
    if bar is None and callback is None and losses is None:
        return None, None

    def on_iteration(iteration: int, iterations: int, seconds: float, loss: Optional[float]) -> None:
        if loss is not None and losses is not None:
            losses.append(loss)
        if bar is not None:
            if loss is not None:
                bar.set_postfix(loss=f"{loss:.5f}", refresh=False)
            bar.update(1)
        if callback is not None:
            callback(iteration - 1, seconds, loss)

    return on_iteration, bar


def number(value: Any, name: str) -> float:
    """A real-number argument (bools and non-numbers are refused; the core checks ranges)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        raise InvalidArgumentError(f"{name} is too large: {value}") from None


def is_real(value: Any) -> bool:
    """Whether ``value`` is a real number (bools, which Python counts as ints, excluded)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_missing(value: Any) -> bool:
    """Whether ``value`` is a missing value as pandas and numpy spell it: None, NaN, ``pd.NA``,
    ``pd.NaT`` or a NaT ``numpy.datetime64`` (pandas is never imported here)."""
    if value is None:
        return True
    if isinstance(value, float) or isinstance(value, np.floating):
        return bool(value != value)
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return type(value).__name__ in ("NAType", "NaTType")


def _datetime_seconds(value: Any, where: str) -> Optional[int]:
    """Seconds since the epoch of a ``datetime`` (a naive one is taken as UTC, as pandas
    does), a ``pandas.Timestamp`` or a ``numpy.datetime64``; None for anything else."""
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[s]").astype(np.int64))
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return math.floor(value.timestamp())
    if isinstance(value, datetime.date):
        raise ArgumentTypeError(f"{where}: timestamp must be a datetime or integer seconds, got the date {value!r}")
    return None


def timestamp(value: Any, where: str) -> int:
    """An event timestamp: integer seconds (an integral float, as pandas makes of a column with
    gaps, is accepted) within int64, or a ``datetime`` / ``pandas.Timestamp`` /
    ``numpy.datetime64`` (naive ones are UTC). A value of the wrong type raises
    :class:`~recsys.exceptions.ArgumentTypeError`."""
    if _is_missing(value) and not isinstance(value, float):
        raise InvalidArgumentError(f"{where}: timestamp is missing ({value!r}); use 0 for unknown times")
    seconds = _datetime_seconds(value, where)
    if seconds is not None:
        return seconds
    if not is_real(value):
        raise ArgumentTypeError(f"{where}: timestamp must be integer seconds or a datetime, got {value!r}")
    if value != value:
        raise InvalidArgumentError(f"{where}: timestamp is missing (NaN); use 0 for unknown times")
    if not (-_MAX_ID - 1 <= value <= _MAX_ID):
        raise InvalidArgumentError(f"{where}: timestamp {value!r} does not fit in 64 bits")
    if value != math.floor(value):
        raise InvalidArgumentError(f"{where}: timestamp must be integer seconds, got {value!r}")
    return int(value)


def feedback(value: Any, where: str) -> Any:
    """A feedback value: a kind name (str, checked by the core) or a rating as a float. A value
    of the wrong type raises :class:`~recsys.exceptions.ArgumentTypeError`."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(
            f"{where}: feedback must be a rating (a number) or one of like, dislike, watched, "
            f"watchlisted, not_interested; got {value!r}"
        )
    try:
        return float(value)
    except OverflowError:
        raise InvalidArgumentError(f"{where}: rating {value} is too large") from None


#: The id types accepted besides ``str``: integers and integral floats (which become the
#: integer's text), as a DataFrame column holds them.
_ID_HELP = "ids must be strings or integers (an integral float such as 50.0 counts as 50)"


def external_id(value: Any, where: str) -> str:
    """An app id as the core keys it: a ``str`` as it is, an integer as its decimal text, an
    integral float (``50.0``, what pandas makes of an integer column with a gap) as the
    integer's text, anything else (a UUID...) by ``str()``. Missing values (None, NaN,
    ``pd.NA``) raise
    :class:`~recsys.exceptions.InvalidArgumentError` (they must never become the id
    ``'nan'``); fractional floats, bools and bytes raise
    :class:`~recsys.exceptions.ArgumentTypeError`, each naming ``where``."""
    if value.__class__ is str:
        return value
    if isinstance(value, str):
        return str(value)
    if _is_missing(value):
        raise InvalidArgumentError(f"{where} is missing ({value!r}); drop or fill the row first")
    if isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{where} must be an id, got the bool {value!r} ({_ID_HELP})")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number_value = float(value)
        if math.isfinite(number_value) and number_value == math.floor(number_value):
            return str(int(number_value))
        raise ArgumentTypeError(f"{where} must be an id, got the number {value!r} ({_ID_HELP})")
    if isinstance(value, (bytes, bytearray)):
        raise ArgumentTypeError(f"{where} must be an id, got bytes {value!r} (decode them first)")
    return str(value)  # a UUID, a Django primary key...
