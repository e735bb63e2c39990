"""Bad-input sweep with hypothesis: no input reachable from Python crashes the interpreter or
surfaces a Rust panic. Every call either succeeds with well-formed output or raises one of the
documented exceptions (``recsys.exceptions.*``, ``ValueError``, ``TypeError``, ``KeyError``,
``IndexError``) with a message; known-good input never raises.

The runs are derandomized (same examples on every run) and bounded so the file takes a few
seconds.
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conftest import make_matrix
from recsys import Recommender, RecsysError
from recsys.als import AlternatingLeastSquares
from recsys.recommender import LISTS

#: What a bad input may raise (the hybrid Recommender's calls: RecsysError only). Anything else (``pyo3_runtime.PanicException``, a BaseException;
#: ``SystemError``; ``OverflowError``; ``AttributeError``...) fails the sweep.
ALLOWED = (RecsysError, ValueError, TypeError, KeyError, IndexError)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def attempt(
    call: Callable[..., Any], *args: Any, _allowed: Any = ALLOWED, **kwargs: Any
) -> Tuple[Any, Optional[BaseException]]:
    """``(result, None)`` on success, ``(None, error)`` for an allowed error with a message; any
    other exception, a Rust panic above all, fails the test with the input that caused it."""
    try:
        return call(*args, **kwargs), None
    except _allowed as error:
        assert str(error).strip(), f"{type(error).__name__} without a message for {args!r} {kwargs!r}"
        return None, error
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - a PanicException derives from BaseException
        pytest.fail(
            f"{type(error).__module__}.{type(error).__name__}: {error}\n  call: {call!r}\n  "
            f"args: {args!r}\n  kwargs: {kwargs!r}"
        )


# ---------------------------------------------------------------------------------- values
NAN, INF = float("nan"), float("inf")
#: Matrix cells: mostly zero (sparse), plus ordinary and hostile values.
CELLS = st.sampled_from([0.0, 0.0, 0.0, 1.0, 3.0, -2.0, 0.5, NAN, INF, -INF, 1e30, 1e-40, 1e38, -1e-45])
DTYPES = [np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_, np.float16, np.complex64, object]
FORMATS = ["csr", "csc", "coo", "csr_array", "dok", "dense", "list", "none", "1d"]
GOOD_CELLS = {0.0, 1.0, 3.0, -2.0, 0.5}


def build_matrix(values: np.ndarray, dtype: Any, kind: str) -> Any:
    """``values`` as ``dtype`` in the container ``kind``; what scipy itself refuses to build
    (object or float16 sparse matrices) is handed over dense."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        array = values.astype(dtype)
        if kind == "dense":
            return array
        if kind == "list":
            return array.tolist()
        if kind == "none":
            return None
        if kind == "1d":
            return sp.coo_array(array.ravel()) if dtype not in (object, np.float16) else array.ravel()
        try:
            if kind == "csr":
                return sp.csr_matrix(array)
            if kind == "csc":
                return sp.csc_matrix(array)
            if kind == "coo":
                return sp.coo_matrix(array)
            if kind == "csr_array":
                return sp.csr_array(array)
            return sp.dok_matrix(array)
        except (ValueError, TypeError):
            return array


@st.composite
def matrices(draw: Any, max_rows: int = 6, max_cols: int = 6) -> Tuple[Any, bool]:
    """A hostile matrix and whether it is a good training matrix (sparse, real, finite, modest
    values, at least one interaction)."""
    rows = draw(st.integers(0, max_rows))
    cols = draw(st.integers(0, max_cols))
    values = draw(hnp.arrays(np.float64, (rows, cols), elements=CELLS))
    dtype = draw(st.sampled_from(DTYPES))
    kind = draw(st.sampled_from(FORMATS))
    good = (
        kind in ("csr", "csc", "coo", "csr_array", "dok")
        and dtype in (np.float32, np.float64)
        and bool(set(values.ravel().tolist()) <= GOOD_CELLS)
        and bool((values != 0).any())
    )
    return build_matrix(values, dtype, kind), good


def ints_and_junk(*extra: Any) -> st.SearchStrategy[Any]:
    """Integers of every size plus values of the wrong type."""
    return st.one_of(
        st.integers(-3, 12),
        st.sampled_from([10**9, 10**12, 2**63, 2**70, -(2**70), *extra]),
        st.sampled_from([2.0, 2.5, NAN, "3", None, True, np.int64(2), np.uint64(2**63 + 1)]),
    )


def reals_and_junk() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0, 1, -1, 10**400, "x", None, True, np.float32(0.1), np.float16(2)]),
    )


# ---------------------------------------------------------------------------------- ALS
TRAIN = make_matrix(n_users=20, n_items=15, per_user=4, seed=3)
_fitted: List[AlternatingLeastSquares] = []


def fitted() -> AlternatingLeastSquares:
    if not _fitted:
        model = AlternatingLeastSquares(factors=4, iterations=3, regularization=0.1, random_state=1)
        model.fit(TRAIN, show_progress=False)
        _fitted.append(model)
    return _fitted[0]


def check_list(ids: np.ndarray, scores: np.ndarray, n: int, bound: int, given: Any = None) -> None:
    """A 1-d or 2-d top-N answer: at most N columns, ids in range or -1 padding with -inf;
    each id once, or at most as often as the ``given`` candidate list repeats it (implicit
    ranks a repeated ``items=[...]`` entry as often as given)."""
    assert ids.shape == scores.shape
    assert ids.shape[-1] <= min(n, bound)
    padding = ids == -1
    assert ((ids >= 0) & (ids < bound) | padding).all(), ids
    assert np.isfinite(scores[~padding]).all(), scores
    assert (scores[padding] == -np.inf).all(), scores
    if ids.ndim == 1:
        assert not padding.any()
        if isinstance(given, list) and len(set(map(str, given))) < len(given):
            assert all(ids.tolist().count(i) <= given.count(i) for i in set(ids.tolist()))
        else:
            assert len(set(ids.tolist())) == len(ids)


@FUZZ
@given(
    matrix=matrices(),
    factors=ints_and_junk(4096, 4097),
    regularization=reals_and_junk(),
    alpha=reals_and_junk(),
    iterations=st.sampled_from([0, 1, 2, -1, 2.5, None]),
    num_threads=st.sampled_from([0, 1, 2, 10**6, -1, 1.0]),
    use_cg=st.booleans(),
    random_state=st.sampled_from([None, 0, 7, -1, 2**70, "seed", np.random.default_rng(0), np.random.RandomState(1)]),
)
def test_als_fit_hostile(
    matrix: Tuple[Any, bool],
    factors: Any,
    regularization: Any,
    alpha: Any,
    iterations: Any,
    num_threads: Any,
    use_cg: bool,
    random_state: Any,
) -> None:
    user_items, good_matrix = matrix
    model = AlternatingLeastSquares(
        factors=factors,
        regularization=regularization,
        alpha=alpha,
        iterations=iterations,
        num_threads=num_threads,
        use_cg=use_cg,
        random_state=random_state,
    )
    _, error = attempt(model.fit, user_items, show_progress=False)
    good = (
        good_matrix
        and type(factors) is int
        and 1 <= factors <= 64
        and type(regularization) is float
        and 0.01 <= regularization <= 100
        and type(alpha) is float
        and 0.01 <= alpha <= 100
        and iterations in (1, 2)
        and type(num_threads) is int
        and num_threads >= 0
        and (random_state is None or not isinstance(random_state, (int, str)) or random_state in (0, 7, 2**70))
    )
    if good:
        assert error is None, f"good input raised {error!r}"
    if error is None:
        shape = user_items.shape
        assert model.user_factors is not None and model.item_factors is not None
        assert model.user_factors.shape == (shape[0], model.factors)
        assert model.item_factors.shape == (shape[1], model.factors)
        assert np.isfinite(model.user_factors).all() and np.isfinite(model.item_factors).all()


HOSTILE_IDS = st.one_of(
    ints_and_junk(19, 20, 14, 15),
    st.sampled_from(
        [np.array([0, 1]), np.array([[0, 1]]), np.array([], dtype=np.int64), [0, 0], [-1], [20], ["a"], np.array([1.5])]
    ),
)
ID_LISTS = st.sampled_from(
    [None, [], [0, 0, 1], [-1], [14], [15], [10**20], np.array([3], dtype=np.uint64), "abc", 5, [[1]], np.array([2**40])]
)


@FUZZ
@given(
    userid=HOSTILE_IDS,
    rows=st.sampled_from(["row", "rows", "full", "none", "dense", "wide", "narrow", "empty"]),
    N=ints_and_junk(15, 16),
    filter_items=ID_LISTS,
    items=ID_LISTS,
    filter_liked=st.booleans(),
    recalculate=st.booleans(),
)
def test_als_recommend_hostile(
    userid: Any, rows: str, N: Any, filter_items: Any, items: Any, filter_liked: bool, recalculate: bool
) -> None:
    model = fitted()
    scalar = isinstance(userid, (int, np.integer)) and not isinstance(userid, (bool, np.bool_))
    count = 1 if scalar else len(userid) if isinstance(userid, (list, np.ndarray)) and np.ndim(userid) == 1 else 2
    user_items: Any = {
        "row": TRAIN[:1],
        "rows": TRAIN[: max(count, 0)],
        "full": TRAIN,
        "none": None,
        "dense": TRAIN[:count].toarray(),
        "wide": sp.csr_matrix((count, 40), dtype=np.float32),
        "narrow": sp.csr_matrix((count, 3), dtype=np.float32),
        "empty": sp.csr_matrix((0, 15), dtype=np.float32),
    }[rows]
    result, _ = attempt(
        model.recommend,
        userid,
        user_items,
        N=N,
        filter_already_liked_items=filter_liked,
        filter_items=filter_items,
        recalculate_user=recalculate,
        items=items,
    )
    if result is not None:
        ids, scores = result
        check_list(ids, scores, int(N), 15, items)
        if filter_items is not None and isinstance(filter_items, list) and filter_items:
            assert not set(np.ravel(ids).tolist()) & {int(i) for i in np.ravel(filter_items)}


@FUZZ
@given(
    ids=HOSTILE_IDS,
    N=ints_and_junk(15, 20),
    filtered=ID_LISTS,
    allowed=ID_LISTS,
    side=st.sampled_from(["items", "users", "items_recalculated"]),
)
def test_als_similar_hostile(ids: Any, N: Any, filtered: Any, allowed: Any, side: str) -> None:
    model = fitted()
    if side == "users":
        result, _ = attempt(model.similar_users, ids, N=N, filter_users=filtered, users=allowed)
        bound = 20
    else:
        recalculate = side == "items_recalculated"
        item_users = TRAIN.T.tocsr()[:2] if recalculate else None
        result, _ = attempt(
            model.similar_items, ids, N=N, recalculate_item=recalculate, item_users=item_users,
            filter_items=filtered, items=allowed,
        )
        bound = 15
    if result is not None:
        check_list(result[0], result[1], int(N), bound)


@FUZZ
@given(
    userid=ints_and_junk(19, 20),
    itemid=ints_and_junk(14, 15),
    N=ints_and_junk(),
    weights=st.sampled_from(["none", "eye", "small", "nan", "flat", "text", "echo"]),
    rows=st.sampled_from(["full", "row", "none", "two"]),
)
def test_als_explain_hostile(userid: Any, itemid: Any, N: Any, weights: str, rows: str) -> None:
    model = fitted()
    k = model.factors
    user_weights: Any = {
        "none": None,
        "eye": np.eye(k),
        "small": np.ones((2, 2)),
        "nan": np.full((k, k), np.nan),
        "flat": np.ones(k),
        "text": "weights",
        "echo": None,
    }[weights]
    if weights == "echo":
        _, _, user_weights = model.explain(0, TRAIN, 0)
    user_items = {"full": TRAIN, "row": TRAIN[3], "none": None, "two": TRAIN[:2]}[rows]
    result, _ = attempt(model.explain, userid, user_items, itemid, user_weights=user_weights, N=N)
    if result is not None:
        score, contributions, weights_out = result
        assert math.isfinite(score)
        assert len(contributions) <= int(N)
        assert all(0 <= item < 15 and math.isfinite(c) for item, c in contributions)
        assert weights_out.shape == (k, k)


@FUZZ
@given(
    ids=st.sampled_from([[0], [19], [20], [25], [10**9], [2**40], [-1], [0, 0], [], [1.5], "0", np.array([3], np.uint64)]),
    shape=st.sampled_from([(1, 15), (2, 15), (0, 15), (1, 3), (1, 40), (1, 0)]),
    value=CELLS,
    side=st.sampled_from(["users", "items", "recalculate_user", "recalculate_item"]),
)
def test_als_partial_fit_hostile(ids: Any, shape: Tuple[int, int], value: float, side: str) -> None:
    model = AlternatingLeastSquares.from_bytes(fitted().to_bytes())
    rows, cols = shape
    if side.endswith("item"):
        cols = 20 if cols == 15 else cols
    values = np.zeros((rows, cols))
    if rows and cols:
        values[:, 0] = value
    matrix = sp.csr_matrix(values.astype(np.float32))
    call = {
        "users": model.partial_fit_users,
        "items": model.partial_fit_items,
        "recalculate_user": model.recalculate_user,
        "recalculate_item": model.recalculate_item,
    }[side]
    result, error = attempt(call, ids, matrix)
    if side.startswith("recalculate") and result is not None:
        assert np.isfinite(result).all()
    if side in ("users", "items") and error is None:
        factors = model.user_factors if side == "users" else model.item_factors
        assert factors is not None and np.isfinite(factors).all()
        assert factors.shape[0] <= 2 * (20 if side == "users" else 15) + len(ids)


def mangled(original: bytes, how: str, position: int, blob: bytes) -> bytes:
    position %= max(len(original), 1)
    if how == "truncated":
        return original[:position]
    if how == "flipped":
        return original[:position] + bytes([original[position] ^ 0x10]) + original[position + 1 :]
    if how == "appended":
        return original + blob
    return blob


@FUZZ
@given(
    how=st.sampled_from(["truncated", "flipped", "appended", "random"]),
    position=st.integers(0, 10**6),
    blob=st.binary(max_size=64),
    target=st.sampled_from(["bytes", "file", "fileobj", "directory", "missing", "pickle"]),
)
def test_als_load_hostile(how: str, position: int, blob: bytes, target: str) -> None:
    import io
    import pickle

    data = mangled(fitted().to_bytes(), how, position, blob)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.bin")
        with open(path, "wb") as handle:
            handle.write(data)
        if target == "bytes":
            result, _ = attempt(AlternatingLeastSquares.from_bytes, data)
        elif target == "file":
            result, _ = attempt(AlternatingLeastSquares.load, path)
        elif target == "fileobj":
            result, _ = attempt(AlternatingLeastSquares.load, io.BytesIO(data))
        elif target == "directory":
            result, _ = attempt(AlternatingLeastSquares.load, directory)
        elif target == "missing":
            result, _ = attempt(AlternatingLeastSquares.load, os.path.join(directory, "nope", "x"))
        else:
            state = fitted().__getstate__()
            state["_model"] = data
            result, _ = attempt(pickle.loads, pickle.dumps(state))
            if result is not None:  # the state dict: restore a model from it, as unpickling does
                fresh = AlternatingLeastSquares.__new__(AlternatingLeastSquares)
                _, error = attempt(fresh.__setstate__, result)
                result = fresh if error is None else None
    if result is not None:
        assert result.user_factors is not None and np.isfinite(result.user_factors).all()
        ids, scores = result.recommend(0, TRAIN[:1], N=3) if result.user_factors.shape[0] else (np.zeros(0), np.zeros(0))
        assert np.isfinite(scores).all()


# ---------------------------------------------------------------------------------- Recommender
GOOD_EVENTS: List[Tuple[str, str, Any, int]] = [(f"u{u}", f"i{(u * 3 + j) % 12}", float(1 + (u + j) % 5), u * 10 + j) for u in range(10) for j in range(4)]
GOOD_EVENTS += [("u0", "i1", "like", 5), ("u1", "i2", "dislike", 6), ("u2", "i3", "watched", 7)]
GOOD_CATALOG = [
    {
        "item_id": f"i{i}",
        "title": f"Title {i}",
        "year": 1990 + i,
        "genres": ["Drama", "Comedy"][: 1 + i % 2],
        "people": [(f"p{i % 3}", "Name", "actor")],
    }
    for i in range(12)
]
KNOWN_ITEMS = {f"i{i}" for i in range(12)}
FAST = dict(factors=2, iterations=1, show_progress=False, ratings={"epochs": 1})

HOSTILE_TEXT_IDS = st.one_of(
    st.text(max_size=4),
    st.sampled_from(["", "a" * 10_000, "\x00", "ü🎬", "\udcff", "i1", "u1"]),
    st.integers(-5, 2**70),
    st.none(),
    st.floats(),
)
FEEDBACK = st.one_of(
    st.floats(),
    st.sampled_from(
        ["like", "dislike", "watched", "watchlisted", "not_interested", "love", "", "rating:3", "rating:nan",
         True, None, 10**400, b"like", 10**9, -3, 0, np.float32(4), [1]]
    ),
)
TIMESTAMPS = st.one_of(
    st.integers(-(2**70), 2**70), st.floats(), st.sampled_from([None, True, "1", 1.0, np.int64(5)])
)


def good_event(event: Tuple[Any, Any, Any, Any]) -> bool:
    user, item, feedback, timestamp = event
    ids_ok = all(isinstance(i, str) and i and "\udcff" not in i for i in (user, item))
    feedback_ok = feedback in ("like", "dislike", "watched", "watchlisted", "not_interested") or (
        type(feedback) is float and 1.0 <= feedback <= 5.0
    )
    return ids_ok and feedback_ok and type(timestamp) is int and abs(timestamp) < 2**62


_recommender: List[Recommender] = []


def recommender() -> Recommender:
    if not _recommender:
        _recommender.append(Recommender.fit(GOOD_EVENTS, GOOD_CATALOG, **FAST))  # type: ignore[arg-type]
    return _recommender[0]


@FUZZ
@given(
    extra=st.lists(st.tuples(HOSTILE_TEXT_IDS, HOSTILE_TEXT_IDS, FEEDBACK, TIMESTAMPS), max_size=4),
    keep_good=st.booleans(),
    malformed=st.sampled_from([None, 5, "events", [("a", "b", 1.0)], [None]]),
)
def test_recommender_fit_events_hostile(extra: List[Any], keep_good: bool, malformed: Any) -> None:
    events: Any = (GOOD_EVENTS if keep_good else []) + extra
    if malformed is not None and not extra:
        events = malformed if not isinstance(malformed, list) else events + malformed
    model, error = attempt(Recommender.fit, events, GOOD_CATALOG, _allowed=RecsysError, **FAST)
    if keep_good and isinstance(events, list) and all(isinstance(e, tuple) and len(e) == 4 and good_event(e) for e in events):
        assert error is None, f"good events raised {error!r}"
    if model is not None:
        assert model.n_items >= 12
        answer = model.recommend(n=5)
        assert len(answer) <= 5 and all(math.isfinite(r.score) for r in answer)


CATALOG_FIELDS = st.fixed_dictionaries(
    {"item_id": HOSTILE_TEXT_IDS},
    optional={
        "title": st.one_of(st.text(max_size=3), st.sampled_from([None, 5, b"t"])),
        "year": st.one_of(
            st.integers(-(2**40), 2**40), st.sampled_from([None, NAN, INF, 1999.0, 1999.5, "1999", "abc", True])
        ),
        "genres": st.sampled_from([None, "A|B", ["A"], [], 5, [1, 2], b"x", NAN, "||"]),
        "tags": st.sampled_from([None, "t", ["t", "u"], 5.0]),
        "people": st.sampled_from(
            [None, [], [("p", "n", "actor")], [("p", None, "Director")], [("p", "n", "chef")], [("", "n", "actor")],
             "p", [("p",)], [(None, None, "writer")], {"a": 1}, 5]
        ),
    },
)


@FUZZ
@given(rows=st.lists(st.one_of(CATALOG_FIELDS, st.sampled_from([None, {}, "row", ("i1",)])), max_size=3))
def test_recommender_fit_catalog_hostile(rows: List[Any]) -> None:
    model, _ = attempt(Recommender.fit, GOOD_EVENTS, GOOD_CATALOG + rows, _allowed=RecsysError, **FAST)
    if model is not None:
        answer = model.recommend(n=50, list="trending")
        assert len(answer) <= model.n_items


@FUZZ
@given(
    factors=ints_and_junk(4096, 4097),
    regularization=reals_and_junk(),
    iterations=st.sampled_from([0, 1, -1, 1.5, None]),
    seed=ints_and_junk(),
    num_threads=st.sampled_from([0, 1, 10**6, -1]),
    policy=st.sampled_from([None, {}, {"like": NAN}, {"like": 2.0}, {"negative_below": None}, {"zzz": 1}, {1: 2}, "p"]),
    blend=st.sampled_from([None, "long_tail", "zzz", {"pool": 1e18}, {"pool": -1}, {"content": INF}, {"preset": 5}]),
    ratings=st.sampled_from([True, False, {"factors": 1e9}, {"epochs": -1}, {"epochs": 1.5}, {"learning_rate": NAN}, "x"]),
    embeddings=st.sampled_from([None, {"i1": [1.0, 2.0]}, {"zz": [1.0]}, {"i1": [NAN]}, (["i1"], np.zeros((1, 0))),
                                (["i1", "i2"], np.ones((1, 2))), 5, {"i1": "ab"}]),
    embedding_weight=st.sampled_from([0.5, NAN, -1.0, 2.0, "w"]),
)
def test_recommender_fit_settings_hostile(
    factors: Any, regularization: Any, iterations: Any, seed: Any, num_threads: Any, policy: Any, blend: Any,
    ratings: Any, embeddings: Any, embedding_weight: Any,
) -> None:
    if isinstance(ratings, dict) and "epochs" not in ratings:
        ratings = {**ratings, "epochs": 1}
    elif ratings is True:
        ratings = {"epochs": 1}
    if isinstance(factors, int) and factors > 64 and not isinstance(factors, bool):
        factors = factors if factors > 4096 else 64  # keep valid sizes fast
    model, _ = attempt(
        Recommender.fit, GOOD_EVENTS, GOOD_CATALOG, factors=factors, regularization=regularization,
        iterations=iterations, seed=seed, num_threads=num_threads, policy=policy, blend=blend, ratings=ratings,
        embeddings=embeddings, embedding_weight=embedding_weight, show_progress=False, _allowed=RecsysError,
    )
    if model is not None:
        answer = model.recommend([("i1", 5.0, 1)], n=4)
        assert len(answer) <= 4 and all(math.isfinite(r.score) for r in answer)


HISTORY = st.lists(st.tuples(HOSTILE_TEXT_IDS, FEEDBACK, TIMESTAMPS), max_size=3)
NAME_LISTS = st.sampled_from([(), ["Drama"], ["Zzz"], "Drama", None, 5, [None], ["p1"], ["zz"]])
ITEM_LISTS = st.sampled_from([None, [], ["i1"], ["zz", "i2", "i2"], "i1", 5, [1.5], list(KNOWN_ITEMS)])


@FUZZ
@given(
    history=HISTORY,
    n=ints_and_junk(),
    kind=st.sampled_from([*LISTS, "xyz", None, 5, "FOR_YOU"]),
    item=st.sampled_from([None, "i1", "zz", 1, ""]),
    genre=st.sampled_from([None, "Drama", "Zzz", 5, ""]),
    genres=NAME_LISTS,
    years=st.sampled_from([None, (1990, 2000), (2000, 1990), (0, 10**20), 5, (1,), (1.5, 2), ("a", "b"), [1995, 1995]]),
    tags=NAME_LISTS,
    people=NAME_LISTS,
    exclude=ITEM_LISTS,
    candidates=ITEM_LISTS,
    diversity=st.sampled_from([None, NAN, -0.1, 0.0, 0.5, 1.0, 2.0, "x", 10**400, INF]),
    flags=st.sampled_from([(True, True), (False, False), ("yes", None)]),
    favorites=st.sampled_from([((), ()), (["Drama"], ["p1"]), ("Drama", ()), (None, None), ([5], [None])]),
)
def test_recommender_recommend_hostile(
    history: List[Any], n: Any, kind: Any, item: Any, genre: Any, genres: Any, years: Any, tags: Any, people: Any,
    exclude: Any, candidates: Any, diversity: Any, flags: Tuple[Any, Any], favorites: Tuple[Any, Any],
) -> None:
    model = recommender()
    result, _ = attempt(
        model.recommend, history, n, kind, item=item, genre=genre, genres=genres, years=years, tags=tags,
        people=people, exclude_seen=flags[0], exclude_disliked=flags[1], exclude=exclude, candidates=candidates,
        diversity=diversity, favorite_genres=favorites[0], favorite_people=favorites[1], _allowed=RecsysError,
    )
    if result is not None:
        assert len(result) <= min(int(n), model.n_items)
        assert set(result.item_ids) <= KNOWN_ITEMS
        assert len(set(result.item_ids)) == len(result)
        assert all(math.isfinite(r.score) and isinstance(r.explanation, str) for r in result)
        assert result.unknown_ids == sorted(set(result.unknown_ids))
        # Every kind of unknown name is reported sorted, once, and is really unknown.
        genres, tags = {g.lower() for g in model.genres}, {t.lower() for t in model.tags}
        for names, known, fold in (
            (result.unknown_ids, KNOWN_ITEMS, False),
            (result.unknown_genres, genres, True),
            (result.unknown_tags, tags, True),
            (result.unknown_people, set(model.people), False),
        ):
            assert names == sorted(set(names))
            assert not {n.lower() if fold else n for n in names} & known
        if isinstance(exclude, list):
            assert not set(result.item_ids) & set(exclude)


@FUZZ
@given(
    history=HISTORY,
    items=st.one_of(
        st.lists(st.sampled_from(["i1", "i2", "zz", "", 3, None]), max_size=4),
        st.sampled_from(["i1", 5, None, ["i1"] * 100_000]),
    ),
)
def test_recommender_predict_hostile(history: List[Any], items: Any) -> None:
    model = recommender()
    result, _ = attempt(model.predict_ratings, history, items, _allowed=RecsysError)
    if result is not None:
        low, high = model.rating_range or (-np.inf, np.inf)
        assert result.shape == (len(items),)
        # Known items get a finite rating in range; an unknown one NaN (never a failed batch).
        known = np.array([item in model for item in items], dtype=bool)
        assert np.isnan(result[~known]).all()
        assert np.isfinite(result[known]).all() and ((result[known] >= low) & (result[known] <= high)).all()


class _ForgedRecommender:
    """Pickles as a Recommender whose artifact bytes are ``data`` (a tampered pickle)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Recommender.from_bytes, (self.data,))


@FUZZ
@given(
    how=st.sampled_from(["truncated", "flipped", "appended", "random"]),
    position=st.integers(0, 10**6),
    blob=st.binary(max_size=64),
    target=st.sampled_from(["bytes", "file", "directory", "missing", "pickle", "save_to_directory"]),
)
def test_recommender_from_bytes_hostile(how: str, position: int, blob: bytes, target: str) -> None:
    import pickle

    original = recommender().to_bytes()
    data = mangled(original, how, position, blob)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "rec.bin")
        with open(path, "wb") as handle:
            handle.write(data)
        if target == "bytes":
            model, _ = attempt(Recommender.from_bytes, data)
        elif target == "file":
            model, _ = attempt(Recommender.load, path)
        elif target == "directory":
            model, _ = attempt(Recommender.load, directory)
        elif target == "missing":
            model, _ = attempt(Recommender.load, os.path.join(directory, "nope", "rec.bin"))
        elif target == "pickle":
            model, _ = attempt(pickle.loads, pickle.dumps(_ForgedRecommender(data)))
        else:
            _, error = attempt(recommender().save, directory)
            assert error is not None, "saving over a directory must fail"
            model = None
    if model is not None:
        answer = model.recommend(n=3)
        assert len(answer) <= 3 and set(answer.item_ids) <= KNOWN_ITEMS


# ---------------------------------------------------------------------------------- evaluation
@FUZZ
@given(
    matrix=matrices(),
    fraction=reals_and_junk(),
    K=ints_and_junk(),
    metric=st.sampled_from(["split", "leave_k_out", "precision", "ndcg", "map", "ranking"]),
    random_state=st.sampled_from([None, 0, -1, "s"]),
)
def test_evaluation_hostile(matrix: Tuple[Any, bool], fraction: Any, K: Any, metric: str, random_state: Any) -> None:
    from recsys import evaluation

    ratings, _ = matrix
    if metric == "split":
        result, _ = attempt(evaluation.train_test_split, ratings, fraction, random_state)
        if result is not None:
            train, test = result
            assert train.shape == test.shape == ratings.shape
            assert train.nnz + test.nnz <= sp.csr_matrix(ratings).nnz
    elif metric == "leave_k_out":
        result, _ = attempt(evaluation.leave_k_out_split, ratings, K, fraction, random_state)
        if result is not None:
            assert result[0].shape == result[1].shape == ratings.shape
    else:
        metrics: Dict[str, Callable[..., Any]] = {
            "precision": evaluation.precision_at_k,
            "ndcg": evaluation.ndcg_at_k,
            "map": evaluation.mean_average_precision_at_k,
            "ranking": evaluation.ranking_metrics_at_k,
        }
        call = metrics[metric]
        result, _ = attempt(call, fitted(), TRAIN, ratings, K=K, show_progress=False)
        if result is not None:
            values = result.values() if isinstance(result, dict) else [result]
            assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values)


@FUZZ
@given(
    test=st.lists(st.tuples(HOSTILE_TEXT_IDS, HOSTILE_TEXT_IDS, FEEDBACK, TIMESTAMPS), max_size=3),
    k=ints_and_junk(),
    threshold=reals_and_junk(),
)
def test_evaluate_recommender_hostile(test: List[Any], k: Any, threshold: Any) -> None:
    from recsys.evaluation import evaluate_recommender

    events = GOOD_EVENTS[:20] + test
    result, _ = attempt(
        evaluate_recommender, recommender(), GOOD_EVENTS, events, k, relevant_threshold=threshold, _allowed=RecsysError
    )
    if result is not None:
        assert all(math.isfinite(v) for v in result.values())


# ---------------------------------------------------------------------------------- good input
SMALL_IDS = st.sampled_from(["a", "b", "c", "d", "e", "f"])
GOOD_FEEDBACK = st.one_of(
    st.sampled_from(["like", "dislike", "watched", "watchlisted", "not_interested"]),
    st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 0.5]),
)


@FUZZ
@given(
    events=st.lists(
        st.tuples(SMALL_IDS, SMALL_IDS, GOOD_FEEDBACK, st.integers(-(2**40), 2**40)), min_size=1, max_size=25
    ),
    catalog=st.lists(
        st.fixed_dictionaries(
            {"item_id": st.sampled_from(["a", "b", "c", "x", "y"])},
            optional={
                "year": st.integers(1900, 2030),
                "genres": st.lists(st.sampled_from(["Drama", "Noir"]), max_size=2),
                "people": st.lists(
                    st.tuples(st.sampled_from(["p", "q"]), st.none(), st.sampled_from(["actor", "director"])),
                    max_size=2,
                ),
            },
        ),
        max_size=5,
    ),
    history=st.lists(st.tuples(SMALL_IDS, GOOD_FEEDBACK, st.integers(0, 100)), max_size=4),
    n=st.sampled_from([0, 1, 3, 1000]),  # Query::MAX_N; more is refused (test_recommender)
    diversity=st.sampled_from([None, 0.0, 0.7, 1.0]),
    factors=st.sampled_from([1, 2, 8]),
)
def test_recommender_good_input_never_raises(
    events: List[Any], catalog: List[Any], history: List[Any], n: int, diversity: Optional[float], factors: int
) -> None:
    """Small valid datasets (a single user or item, only dislikes, catalog-only items, equal
    ratings): fitting and every list kind succeed; only an unknown anchor item or a genre no
    item has may raise."""
    has_positive = any(f not in ("dislike", "not_interested") for _, _, f, _ in events)
    model, error = attempt(
        Recommender.fit, events, catalog, factors=factors, iterations=2, show_progress=False, ratings={"epochs": 2}
    )
    if model is None:
        assert not has_positive, f"valid events raised {error!r}"
        return
    known = {e[1] for e in events} | {row["item_id"] for row in catalog}
    genres = {g for row in catalog for g in row.get("genres", [])}
    for kind in LISTS:
        anchors: List[Optional[str]] = sorted(known) if kind in ("because_you_liked", "similar_to") else [None]
        for anchor in anchors:
            genre = sorted(genres)[0] if kind == "by_genre" and genres else None
            if kind == "by_genre" and genre is None:
                continue
            result, error = attempt(
                model.recommend, history, n, kind, item=anchor, genre=genre, diversity=diversity, people=["p"]
            )
            assert error is None, f"{kind} {anchor} raised {error!r}"
            assert len(result) <= min(n, model.n_items) and set(result.item_ids) <= known
            assert all(math.isfinite(r.score) for r in result)
    if model.has_ratings:
        predictions = model.predict_ratings(history, sorted(known))
        low, high = model.rating_range
        assert np.isfinite(predictions).all() and ((predictions >= low) & (predictions <= high)).all()


@FUZZ
@given(
    users=st.sampled_from(["ok", "nan", "inf", "1d", "empty", "wide", "object", "text", "none", "int", "zero_rows"]),
    items=st.sampled_from(["ok", "nan", "1d", "empty", "wide", "zero_rows", "huge"]),
    loss_rows=st.sampled_from([(20, 15), (20, 3), (0, 0), (1, 15)]),
    loss_value=CELLS,
)
def test_als_factor_assignment_and_loss_hostile(
    users: str, items: str, loss_rows: Tuple[int, int], loss_value: float
) -> None:
    k = 4

    def array(kind: str, rows: int) -> Any:
        return {
            "ok": np.ones((rows, k), dtype=np.float32),
            "nan": np.full((rows, k), np.nan),
            "inf": np.full((rows, k), np.inf),
            "1d": np.ones(k),
            "empty": np.zeros((0, 0)),
            "wide": np.ones((rows, k + 1)),
            "object": np.array([[object()] * k] * rows, dtype=object),
            "text": "factors",
            "none": None,
            "int": np.ones((rows, k), dtype=np.int64),
            "zero_rows": np.zeros((0, k)),
            "huge": np.full((rows, k), 1e30),
        }[kind]

    model = AlternatingLeastSquares(factors=k)
    _, error = attempt(setattr, model, "user_factors", array(users, 20))
    if error is None:
        _, error = attempt(setattr, model, "item_factors", array(items, 15))
    if error is None and model._model is not None:
        values = np.zeros(loss_rows)
        if values.size:
            values[0, 0] = loss_value
        loss, _ = attempt(model.loss, sp.csr_matrix(values))
        if loss is not None:
            assert math.isfinite(loss)
        answer, _ = attempt(model.recommend, 0, TRAIN[:1], N=5)
        if answer is not None:
            check_list(answer[0], answer[1], 5, model.model.n_items)
    if error is None and model._model is not None and model.model.n_items > 0:
        # An accepted model answers: every item has a finite cosine with the first one.
        ids, scores = model.similar_items(0, N=3)
        check_list(ids, scores, 3, model.model.n_items)
        assert len(ids) == min(3, model.model.n_items)


@FUZZ
@given(
    column=st.sampled_from(["user_id", "item_id", "rating", "timestamp"]),
    value=st.one_of(
        st.sampled_from([None, NAN, INF, -1, 10**18, "", "x", True, 2.5, b"b"]),
        st.floats(),
        st.integers(-(2**63), 2**63 - 1),
    ),
    dtype=st.sampled_from([None, "object", "float64", "Int64", "float32"]),
    drop=st.sampled_from([None, "timestamp", "rating", "user_id"]),
)
def test_recommender_fit_dataframe_hostile(column: str, value: Any, dtype: Optional[str], drop: Optional[str]) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(GOOD_EVENTS[:40], columns=["user_id", "item_id", "rating", "timestamp"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if dtype is not None:
                frame[column] = frame[column].astype(dtype)
            frame.loc[0, column] = value
        except (TypeError, ValueError, OverflowError):
            return  # pandas itself refuses the cell: nothing reaches recsys
    if drop is not None:
        frame = frame.drop(columns=[drop])
    model, _ = attempt(Recommender.fit, frame, None, **FAST)
    if model is not None:
        assert len(model.recommend(n=3)) <= 3


@FUZZ
@given(
    rows=st.sampled_from([1, 3, 10**7, 10**9, 2**32 + 1]),
    cols=st.sampled_from([15, 10**9, 2**32 + 1, 10**12]),
    fmt=st.sampled_from(["coo", "dok"]),  # CSC would itself allocate per column
    call=st.sampled_from(["fit", "recommend", "loss", "recalculate", "split", "leave_k_out", "metrics"]),
)
def test_absurd_shapes_are_refused_without_allocating(rows: int, cols: int, fmt: str, call: str) -> None:
    """A one-entry matrix with a huge shape costs nothing in scipy's COO form; converting it
    must not allocate an offset per row or factors per column (that aborted the process)."""
    from recsys import evaluation

    try:
        matrix = sp.coo_matrix(([1.0], ([0], [0])), shape=(rows, cols), dtype=np.float32).asformat(fmt)
    except (ValueError, MemoryError):
        return  # scipy refuses the shape itself (its indices are 32- or 64-bit)
    model = fitted()
    calls: Dict[str, Callable[[], Any]] = {
        "fit": lambda: AlternatingLeastSquares(factors=2, iterations=1).fit(matrix, show_progress=False),
        "recommend": lambda: model.recommend(0, matrix if rows == 1 else matrix.tocsr()[:1]),
        "loss": lambda: model.loss(matrix),
        "recalculate": lambda: model.recalculate_user(np.arange(rows) if rows < 10 else 0, matrix),
        "split": lambda: evaluation.train_test_split(matrix, 0.5, 0),
        "leave_k_out": lambda: evaluation.leave_k_out_split(matrix, 1, 0.0, 0),
        "metrics": lambda: evaluation.precision_at_k(model, matrix, matrix, K=3, show_progress=False),
    }
    if call == "recommend" and rows > 10:
        return  # slicing a huge-row matrix in scipy is the caller's cost
    attempt(calls[call])
