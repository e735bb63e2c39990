"""Errors and ids that never surprise: every bad argument is a RecsysError, one rule for
unknown names, pandas pitfalls (float ids, NaN ids, datetimes, DataFrame histories), the
results' reprs, progress over every stage of fit, and requests that release the GIL."""

from __future__ import annotations

import datetime
import math
from html import escape
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest

from recsys import Recommender
from recsys.exceptions import (
    ArgumentTypeError,
    InvalidArgumentError,
    RecsysError,
    UnknownIdError,
)

pd = pytest.importorskip("pandas")

GENRES = ("Sci-Fi", "Drama", "Comedy")


def catalog(n_items: int = 24) -> List[Dict[str, Any]]:
    return [
        {
            "item_id": f"m{i}",
            "title": f"Movie <{i}>",
            "year": 1990 + i,
            "genres": [GENRES[i % 3]],
            "tags": [f"tag-{i % 3}"],
            "people": [(f"p{i % 4}", f"Person {i % 4}", "actor")],
        }
        for i in range(n_items)
    ]


def events(n_users: int = 30, n_items: int = 24) -> List[Tuple[str, str, Any, int]]:
    rows: List[Tuple[str, str, Any, int]] = []
    for u in range(n_users):
        for k in range(5):
            item = (u * 3 + k * 3 + u % 3) % n_items
            rows.append((f"u{u}", f"m{item}", float(1 + (u + k) % 5), 1000 + 10 * u + k))
    return rows


def fit(rows: Any = None, items: Any = None, **kwargs: Any) -> Recommender:
    settings: Dict[str, Any] = dict(factors=4, regularization=0.1, iterations=2, show_progress=False)
    settings.update(kwargs)
    return Recommender.fit(events() if rows is None else rows, catalog() if items is None else items, **settings)


@pytest.fixture(scope="module")
def rec() -> Recommender:
    return fit()


HISTORY = [("m0", 5.0, 1), ("m3", "like", 2)]


# ---------------------------------------------------------------- every bad argument


BAD_REQUESTS: List[Tuple[str, Dict[str, Any]]] = [
    ("n", {"n": 2.0}),
    ("n", {"n": "5"}),
    ("n", {"n": True}),
    ("years", {"years": 1995}),
    ("years", {"years": (1990.5, 2000)}),
    ("genres", {"genres": 5}),
    ("tags", {"tags": 5}),
    ("people", {"people": 3.5}),
    ("exclude", {"exclude": 5}),
    ("candidates", {"candidates": {"m1": 1}}),
    ("list", {"list": 5}),
    ("genre", {"list": "by_genre", "genre": 5}),
    ("history", {"history": 5}),
    ("feedback", {"history": [("m0", True, 1)]}),
    ("timestamp", {"history": [("m0", 5.0, "yesterday")]}),
    ("item_id", {"history": [("m0", 5.0, 1), (2.5, 5.0, 2)]}),
]


@pytest.mark.parametrize("name, arguments", BAD_REQUESTS, ids=[f"{n}-{a}" for n, a in BAD_REQUESTS])
def test_every_bad_request_argument_is_a_recsys_error(rec: Recommender, name: str, arguments: Dict[str, Any]) -> None:
    history = arguments.pop("history", HISTORY)
    with pytest.raises(RecsysError, match=name) as raised:
        rec.recommend(history, **arguments)
    # The built-in base a Python programmer expects is kept.
    assert isinstance(raised.value, (TypeError, ValueError))


BAD_FITS: List[Tuple[str, Callable[[], Any]]] = [
    ("events", lambda: Recommender.fit("x.csv", show_progress=False)),
    ("events", lambda: Recommender.fit(42, show_progress=False)),
    ("feedback", lambda: Recommender.fit([("u", "m", True, 0)], show_progress=False)),
    ("feedback", lambda: Recommender.fit([("u", "m", None, 0)], show_progress=False)),
    ("timestamp", lambda: Recommender.fit([("u", "m", 5.0, "monday")], show_progress=False)),
    ("genres", lambda: Recommender.fit(events(), [{"item_id": "m0", "genres": 5}], show_progress=False)),
    ("callback", lambda: Recommender.fit(events(), callback=3, show_progress=False)),
    ("progress", lambda: Recommender.fit(events(), progress="yes", show_progress=False)),
    ("factors", lambda: Recommender.fit(events(), factors=2.0, show_progress=False)),
]


@pytest.mark.parametrize("name, call", BAD_FITS, ids=[f"{i}-{n}" for i, (n, _) in enumerate(BAD_FITS)])
def test_every_bad_fit_argument_is_a_recsys_error(name: str, call: Callable[[], Any]) -> None:
    with pytest.raises(RecsysError, match=name):
        call()


def test_wrong_types_are_type_errors_too(rec: Recommender) -> None:
    assert issubclass(ArgumentTypeError, TypeError) and issubclass(ArgumentTypeError, InvalidArgumentError)
    with pytest.raises(ArgumentTypeError):
        rec.recommend(HISTORY, n=2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Recommender.fit("x.csv")
    with pytest.raises(ArgumentTypeError):
        rec.predict_ratings(HISTORY, 5)  # type: ignore[arg-type]


# ---------------------------------------------------------------- one rule for unknown names


def test_the_model_lists_what_it_knows(rec: Recommender) -> None:
    assert sorted(rec.item_ids, key=lambda i: int(i[1:])) == [f"m{i}" for i in range(24)]
    assert rec.genres == sorted(GENRES)
    assert rec.tags == ["tag-0", "tag-1", "tag-2"]
    assert sorted(rec.people) == ["p0", "p1", "p2", "p3"]
    assert "m3" in rec and "nope" not in rec and None not in rec


def test_unknown_names_are_reported_by_kind_never_raised(rec: Recommender) -> None:
    result = rec.recommend(
        HISTORY + [("ghost", "like", 3)],
        n=30,
        genres=["sci-fi", "Western"],
        tags=["tag-0", "no-tag"],
        people=["p0", "nobody"],
        exclude=["gone"],
        candidates=[f"m{i}" for i in range(24)] + ["missing"],
        favorite_genres=["Noir"],
        favorite_people=["stranger"],
    )
    assert result.unknown_ids == ["ghost", "gone", "missing"]
    assert result.unknown_genres == ["Noir", "Western"]
    assert result.unknown_tags == ["no-tag"]
    assert result.unknown_people == ["nobody", "stranger"]
    # The known names still filter.
    assert len(result) > 0 and all(int(i[1:]) % 3 == 0 for i in result.item_ids)
    # Case does not make a genre unknown.
    assert rec.recommend(HISTORY, genres=["DRAMA"]).unknown_genres == []


def test_a_filter_of_only_unknown_names_matches_nothing(rec: Recommender) -> None:
    for kind, names in (("genres", ["Western"]), ("tags", ["no-tag"]), ("people", ["nobody"])):
        result = rec.recommend(HISTORY + [("ghost", "like", 3)], n=5, candidates=["m1", "lost"], **{kind: names})
        assert len(result) == 0, kind
        assert result.unknown_ids == ["ghost", "lost"], kind
        assert getattr(result, f"unknown_{kind}") == names, kind


def test_an_item_id_spelled_like_an_unknown_genre_is_still_an_unknown_id(rec: Recommender) -> None:
    result = rec.recommend([("Noir", "like", 1)], n=3, favorite_genres=["Noir"])
    assert result.unknown_ids == ["Noir"] and result.unknown_genres == ["Noir"]
    only_genre = rec.recommend([], n=3, favorite_genres=["Noir"])
    assert only_genre.unknown_ids == [] and only_genre.unknown_genres == ["Noir"]


def test_the_subject_of_a_request_still_raises(rec: Recommender) -> None:
    with pytest.raises(UnknownIdError):
        rec.recommend(HISTORY, list="similar_to", item="nope")
    with pytest.raises(InvalidArgumentError, match="Western"):
        rec.recommend(HISTORY, list="by_genre", genre="Western")
    with pytest.raises(UnknownIdError):
        rec.predict_rating(HISTORY, "nope")


def test_predict_ratings_gives_nan_for_unknown_items(rec: Recommender) -> None:
    known = rec.predict_ratings(HISTORY, ["m1", "m2"])
    mixed = rec.predict_ratings(HISTORY, ["nope", "m1", 7, "m2"])
    assert mixed.dtype == np.float32 and mixed.shape == (4,)
    assert math.isnan(mixed[0]) and math.isnan(mixed[2])
    assert mixed[1] == known[0] and mixed[3] == known[1]
    assert np.isnan(rec.predict_ratings([], ["a", "b"])).all()


# ---------------------------------------------------------------- pandas pitfalls


def frame(rows: List[Tuple[Any, Any, Any, Any]]) -> Any:
    return pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])


def test_integer_ids_from_a_float_column_map_to_the_integer_id() -> None:
    rows = [(u, i, 5.0, 0) for u in range(6) for i in range(u % 2, 8, 2)]
    with_ints = Recommender.fit(frame(rows), factors=4, iterations=2, show_progress=False)
    floats = frame(rows).astype({"user_id": float, "item_id": float})
    with_floats = Recommender.fit(floats, factors=4, iterations=2, show_progress=False)
    assert sorted(with_floats.item_ids) == sorted(with_ints.item_ids) == [str(i) for i in range(8)]
    assert with_floats.to_bytes() == with_ints.to_bytes()
    # A request may use the int, the float or the text.
    for seed in (2, 2.0, "2", np.int64(2), np.float32(2.0)):
        assert with_ints.recommend([(seed, 5.0, 1)], n=3).unknown_ids == []


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan])
def test_missing_ids_are_refused_naming_the_row(missing: Any) -> None:
    rows: List[Tuple[Any, Any, Any, int]] = [(u, i, 5.0, 0) for u in range(6) for i in range(u % 2, 8, 2)]
    rows[4] = (missing, 3, 5.0, 0)
    data = frame(rows)
    assert data["user_id"].dtype.kind in "fO"  # the NaN made it a float (or object) column
    with pytest.raises(InvalidArgumentError, match="row 4: user_id is missing"):
        Recommender.fit(data, show_progress=False)
    with pytest.raises(InvalidArgumentError, match="row 4: user_id is missing"):
        Recommender.fit(rows, show_progress=False)
    nullable = pd.DataFrame({"user_id": pd.array([1, None, 2], dtype="Int64"), "item_id": [1, 2, 3], "rating": 5.0})
    with pytest.raises(InvalidArgumentError, match="row 1: user_id is missing"):
        Recommender.fit(nullable, show_progress=False)


def test_fractional_float_ids_are_refused() -> None:
    with pytest.raises(ArgumentTypeError, match="row 0: item_id"):
        Recommender.fit([("u0", 1.5, 5.0, 0)], show_progress=False)


def test_datetime_timestamps_are_seconds() -> None:
    rows = events()
    seconds = frame(rows)
    as_datetimes = seconds.assign(timestamp=pd.to_datetime(seconds["timestamp"], unit="s"))
    assert as_datetimes["timestamp"].dtype.kind == "M"
    reference = fit(seconds).to_bytes()
    assert fit(as_datetimes).to_bytes() == reference
    aware = as_datetimes.assign(timestamp=as_datetimes["timestamp"].dt.tz_localize("UTC").dt.tz_convert("Europe/Paris"))
    assert fit(aware).to_bytes() == reference
    objects = [(u, i, r, datetime.datetime.fromtimestamp(t, datetime.timezone.utc)) for u, i, r, t in rows]
    assert fit(objects).to_bytes() == reference
    numpy_times = [(u, i, r, np.datetime64(t, "s")) for u, i, r, t in rows]
    assert fit(numpy_times).to_bytes() == reference
    gap = as_datetimes.copy()
    gap.loc[3, "timestamp"] = pd.NaT
    with pytest.raises(InvalidArgumentError, match="row 3: timestamp is missing"):
        fit(gap)


def test_a_dataframe_history_is_accepted(rec: Recommender) -> None:
    history = [("m0", 5.0, 1), ("m3", 4.0, 2), ("ghost", 3.0, 3)]
    table = pd.DataFrame(history, columns=["item_id", "rating", "timestamp"])
    expected = rec.recommend(history, n=5)
    got = rec.recommend(table, n=5)
    assert got == expected and got.unknown_ids == ["ghost"]
    untimed = rec.recommend(table.drop(columns="timestamp").rename(columns={"rating": "feedback"}), n=5)
    assert len(untimed) == 5
    assert (rec.predict_ratings(table, ["m1", "m2"]) == rec.predict_ratings(history, ["m1", "m2"])).all()
    with pytest.raises(InvalidArgumentError, match="item_id"):
        rec.recommend(pd.DataFrame({"movie": ["m0"], "rating": [5.0]}))


# ---------------------------------------------------------------- reprs


def test_results_show_as_a_table(rec: Recommender) -> None:
    result = rec.recommend(HISTORY, n=7, genres=["Western", "Drama"])
    text = repr(result)
    assert text.startswith("<recsys.Recommendations: 7 items") and "... 2 more" in text
    assert "unknown_genres: Western" in text
    first = result[0]
    assert f"1. {first.item_id} (Movie <{first.item_id[1:]}>)" in text and first.explanation in text
    html = result._repr_html_()
    assert html.count("<tr>") == 8  # the header and one row per item
    assert "Movie &lt;" in html and "<Movie" not in html  # titles escaped
    assert f"{first.score:.4g}" in html and "unknown_genres: Western" in html
    for r in result:
        assert escape(r.explanation) in html
    empty = rec.recommend(HISTORY, n=0)
    assert repr(empty) == "<recsys.Recommendations: 0 items>" and "<tbody></tbody>" in empty._repr_html_()


# ---------------------------------------------------------------- progress over every stage


def test_progress_covers_every_stage_of_fit() -> None:
    seen: List[Tuple[str, int, int]] = []
    fit(progress=lambda stage, done, total: seen.append((stage, done, total)))
    stages = [s for s, _, _ in seen]
    assert stages == ["interactions", "als", "item_knn", "ease", "content", "trending", "ratings", "exposure", "finish"]
    assert [(d, t) for _, d, t in seen] == [(i + 1, 9) for i in range(9)]
    likes = [(u, i, "like", t) for u, i, _, t in events()]
    seen.clear()
    fit(likes, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert "ratings" not in [s for s, _, _ in seen] and seen[-1] == ("finish", 8, 8)


def test_the_progress_bar_counts_iterations_and_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    bars: List[Any] = []
    import tqdm.auto

    class Recorder(tqdm.auto.tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)
            self.steps = 0
            bars.append(self)

        def update(self, n: float = 1) -> Any:
            self.steps += int(n)
            return super().update(n)

    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    fit(show_progress=True, iterations=3)
    assert len(bars) == 1 and bars[0].total == 3 + 9 and bars[0].steps == 3 + 9


def test_a_failing_progress_callable_is_raised_after_fit() -> None:
    seen: List[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        seen.append(stage)
        raise RuntimeError("progress broke")

    with pytest.raises(RuntimeError, match="progress broke"):
        fit(progress=progress)
    assert seen[-1] == "finish"  # training went on


# ---------------------------------------------------------------- the GIL


@pytest.fixture(scope="module")
def large() -> Recommender:
    rng = np.random.default_rng(1)
    rows = [
        (f"u{u}", f"m{item}", float(rng.integers(1, 6)), int(t))
        for u in range(400)
        for t, item in enumerate(rng.choice(1500, size=40, replace=False))
    ]
    return Recommender.fit(rows, factors=32, iterations=2, show_progress=False)


def other_thread_ran_during(call: Callable[[], Any], calls: int = 60) -> int:
    """How often another Python thread ran while the main thread made ``calls`` calls, with
    the interpreter's time slicing switched off: only a call that releases the GIL lets the
    other thread in (at most once otherwise: a wait for the GIL begun before the switch)."""
    inside = threading.Event()
    stop = threading.Event()
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            if inside.is_set():
                ticks += 1
            time.sleep(0)  # releases the GIL; takes it back only when the main thread lets go

    interval = sys.getswitchinterval()
    worker = threading.Thread(target=tick)
    worker.start()
    sys.setswitchinterval(1000.0)
    try:
        time.sleep(0.01)  # the other thread's next wait for the GIL uses the new interval
        inside.set()
        for _ in range(calls):
            call()
        inside.clear()
    finally:
        sys.setswitchinterval(interval)
        stop.set()
        worker.join()
    return ticks


def test_requests_release_the_gil(large: Recommender) -> None:
    history = [(f"m{i}", 5.0, i) for i in range(0, 1500, 5)]
    items = [f"m{i}" for i in range(1500)] * 4
    assert other_thread_ran_during(lambda: large.recommend(history, n=100, diversity=0.5)) > 1
    assert other_thread_ran_during(lambda: large.predict_ratings(history, items)) > 1
    # The check can fail: calls that keep the GIL let the other thread in once at most.
    assert other_thread_ran_during(lambda: sum(range(300_000)), calls=20) <= 1
