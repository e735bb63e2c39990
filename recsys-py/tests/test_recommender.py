"""recsys.Recommender (layer 2): the hybrid's lists, filters, errors and persistence."""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest

import recsys
from recsys import Recommender
from recsys.exceptions import (
    CorruptModelError,
    InvalidArgumentError,
    ModelNotFoundError,
    RecsysError,
    UnknownIdError,
)

GENRES = ("Sci-Fi", "Drama", "Comedy")


def make_catalog(n_items: int = 30) -> List[Dict[str, Any]]:
    """Items cycle through three genres; years 1980..2009; one tag per genre."""
    return [
        {
            "item_id": f"m{i}",
            "title": f"Movie {i}",
            "year": 1980 + i,
            "genres": [GENRES[i % 3]],
            "tags": [f"tag-{GENRES[i % 3].lower()}"],
        }
        for i in range(n_items)
    ]


def make_events(n_users: int = 45, n_items: int = 30) -> List[Tuple[str, str, Any, int]]:
    """Each user rates items of one genre highly and dislikes one item of another genre."""
    events: List[Tuple[str, str, Any, int]] = []
    for u in range(n_users):
        genre = u % 3
        own = [i for i in range(n_items) if i % 3 == genre]
        for k in range(6):
            item = own[(u + k) % len(own)]
            events.append((f"u{u}", f"m{item}", 4.0 + (k % 2), 100 + u * 10 + k))
        events.append((f"u{u}", f"m{(genre + 1) % 3}", "dislike", 100 + u * 10 + 7))
    return events


@pytest.fixture(scope="module")
def rec() -> Recommender:
    return Recommender.fit(make_events(), make_catalog(), factors=8, regularization=0.1, iterations=5)


HISTORY = [("m0", 5.0, 1), ("m3", "like", 2), ("m1", "dislike", 3)]


def genre_of(item_id: str) -> str:
    return GENRES[int(item_id[1:]) % 3]


@pytest.mark.parametrize(
    "list_kind, extra",
    [
        ("for_you", {}),
        ("because_you_liked", {"item": "m0"}),
        ("trending", {}),
        ("by_genre", {"genre": "Sci-Fi"}),
        ("similar_to", {"item": "m6"}),
    ],
)
def test_every_list_kind_returns_explained_items(rec: Recommender, list_kind: str, extra: Dict[str, Any]) -> None:
    result = rec.recommend(HISTORY, n=5, list=list_kind, **extra)
    assert 0 < len(result) <= 5
    assert result.unknown_ids == []
    scores = [r.score for r in result]
    assert all(math.isfinite(s) for s in scores)
    for r in result:
        assert isinstance(r, recsys.Recommendation)
        assert r.explanation
        assert r.reasons and all("kind" in reason for reason in r.reasons)
        assert r.item_id not in {"m0", "m3", "m1"}  # seen items are excluded by default
    if list_kind == "by_genre":
        assert all(genre_of(i) == "Sci-Fi" for i in result.item_ids)
    if list_kind == "similar_to":
        assert "m6" not in result.item_ids


def test_for_you_follows_the_history(rec: Recommender) -> None:
    # A Sci-Fi history (items 0, 3, 6, ...) puts Sci-Fi items first (popularity fills the rest
    # of this tiny catalogue), and the collaborative reasons cite history items only.
    result = rec.recommend([("m0", 5.0, 1), ("m3", 5.0, 2), ("m6", 5.0, 3)], n=5)
    assert genre_of(result.item_ids[0]) == "Sci-Fi"
    reason_items = [
        cited["item_id"]
        for r in result
        for reason in r.reasons
        if reason["kind"] == "because_you_liked"
        for cited in reason["items"]
    ]
    assert reason_items and set(reason_items) <= {"m0", "m3", "m6"}


def test_filters_hold(rec: Recommender) -> None:
    by_genre = rec.recommend(HISTORY, n=10, genres=["comedy"])
    assert by_genre.item_ids and all(genre_of(i) == "Comedy" for i in by_genre.item_ids)
    by_year = rec.recommend(HISTORY, n=10, years=(1990, 1995))
    assert by_year.item_ids and all(1990 <= 1980 + int(i[1:]) <= 1995 for i in by_year.item_ids)
    by_tag = rec.recommend(HISTORY, n=10, list="trending", tags=["TAG-DRAMA"])
    assert by_tag.item_ids and all(genre_of(i) == "Drama" for i in by_tag.item_ids)
    allowed = ["m2", "m5", "m9", "m12"]
    only = rec.recommend(HISTORY, n=10, candidates=allowed, exclude=["m5"])
    assert only.item_ids and set(only.item_ids) <= set(allowed) - {"m5"}
    with_seen = rec.recommend(HISTORY, n=30, exclude_seen=False, exclude_disliked=True)
    assert "m1" not in with_seen.item_ids  # disliked stays out
    with_all = rec.recommend(HISTORY, n=30, exclude_seen=False, exclude_disliked=False)
    assert "m1" in with_all.item_ids


def test_unknown_ids_are_reported_not_raised(rec: Recommender) -> None:
    result = rec.recommend([("m0", 5.0, 1), ("nope", "like", 2)], n=3, exclude=["ghost"])
    assert len(result) == 3
    assert result.unknown_ids == ["ghost", "nope"]
    # A NaN or absurd rating is a bad request (the core's UserHistory::validate), named.
    for rating in (float("nan"), 1e20):
        with pytest.raises(InvalidArgumentError, match="m3"):
            rec.recommend([("m0", 5.0, 1), ("m3", rating, 3)], n=3)
    # At most Query::MAX_N items per request.
    assert len(rec.recommend([], n=1000)) == rec.n_items
    with pytest.raises(InvalidArgumentError, match="1000"):
        rec.recommend([], n=1001)
    anonymous = rec.recommend([], n=4)
    assert len(anonymous) == 4 and anonymous.unknown_ids == []


def test_integer_ids_are_converted_with_str() -> None:
    events = [(u, i, 5.0, 0) for u in range(6) for i in range(u % 2, 8, 2)]
    model = Recommender.fit(events, factors=4, regularization=0.1, iterations=3)
    assert model.n_items == 8
    result = model.recommend([(0, 5.0, 0)], n=3)
    assert all(isinstance(i, str) for i in result.item_ids) and "0" not in result.item_ids


def test_catalog_only_items_are_known(rec: Recommender) -> None:
    catalog = make_catalog() + [{"item_id": "new", "title": "Brand New", "genres": "Sci-Fi|Drama"}]
    model = Recommender.fit(make_events(), catalog, factors=8, regularization=0.1, iterations=3)
    assert model.n_items == rec.n_items + 1
    result = model.recommend(HISTORY, n=40, candidates=["new"])
    assert result.item_ids == ["new"] and result.unknown_ids == []


def test_bad_input_raises_the_right_exception() -> None:
    events = make_events()
    with pytest.raises(InvalidArgumentError, match="row 3"):
        Recommender.fit(events[:3] + [("u0", "m0", float("nan"), 0)] + events[3:])
    with pytest.raises(InvalidArgumentError):
        Recommender.fit([("u0", "m0", "meh", 0)])
    with pytest.raises(InvalidArgumentError):
        Recommender.fit([("u0", "m0", 5.0)])  # three fields
    with pytest.raises(InvalidArgumentError):
        Recommender.fit(events, [{"title": "no id"}])
    with pytest.raises(TypeError):
        Recommender.fit([("u0", "m0", [5.0], 0)])  # feedback neither number nor name
    with pytest.raises(TypeError):
        Recommender.fit([("u0", "m0", 5.0, "yesterday")])  # timestamp not an int
    with pytest.raises(InvalidArgumentError):
        Recommender.fit([("", "m0", 5.0, 0)])
    with pytest.raises(InvalidArgumentError):
        Recommender(object())  # type: ignore[arg-type]


def test_bad_requests_raise(rec: Recommender) -> None:
    with pytest.raises(InvalidArgumentError, match="unknown list"):
        rec.recommend(HISTORY, list="top_picks")
    with pytest.raises(InvalidArgumentError, match="item"):
        rec.recommend(HISTORY, list="similar_to")
    with pytest.raises(InvalidArgumentError, match="genre"):
        rec.recommend(HISTORY, list="by_genre")
    with pytest.raises(InvalidArgumentError):
        rec.recommend([("m0", 5.0)], n=3)  # type: ignore[list-item]
    with pytest.raises(InvalidArgumentError):
        rec.recommend([("m0", "meh", 0)], n=3)
    with pytest.raises(RecsysError):
        rec.recommend(HISTORY, diversity=2.0)
    with pytest.raises(TypeError):
        rec.recommend(HISTORY, n="five")  # type: ignore[arg-type]


def test_persistence_round_trips_give_identical_results(rec: Recommender, tmp_path: Any) -> None:
    queries: List[Dict[str, Any]] = [
        {"list": "for_you"},
        {"list": "because_you_liked", "item": "m0"},
        {"list": "trending"},
        {"list": "by_genre", "genre": "Drama"},
        {"list": "similar_to", "item": "m7"},
    ]
    path = tmp_path / "rec.bin"
    rec.save(path)
    copies = [Recommender.load(path), Recommender.load(str(path)), Recommender.from_bytes(rec.to_bytes()), pickle.loads(pickle.dumps(rec))]
    for copy in copies:
        assert copy.n_items == rec.n_items
        for query in queries:
            assert copy.recommend(HISTORY, n=6, **query) == rec.recommend(HISTORY, n=6, **query)
    data = rec.to_bytes()
    with pytest.raises(CorruptModelError):
        Recommender.from_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptModelError):
        Recommender.from_bytes(b"not an artifact")


def test_fit_is_deterministic() -> None:
    a = Recommender.fit(make_events(), make_catalog(), factors=8, regularization=0.1, iterations=3, seed=7)
    b = Recommender.fit(make_events(), make_catalog(), factors=8, regularization=0.1, iterations=3, seed=7, num_threads=1)
    assert a.recommend(HISTORY, n=8) == b.recommend(HISTORY, n=8)


def test_dataframes_are_accepted() -> None:
    pd = pytest.importorskip("pandas")
    events = pd.DataFrame(make_events(), columns=["user_id", "item_id", "feedback", "timestamp"])
    catalog = pd.DataFrame(make_catalog())
    from_frames = Recommender.fit(events, catalog, factors=8, regularization=0.1, iterations=3)
    from_lists = Recommender.fit(make_events(), make_catalog(), factors=8, regularization=0.1, iterations=3)
    assert from_frames.recommend(HISTORY, n=5) == from_lists.recommend(HISTORY, n=5)
    ratings = pd.DataFrame({"user_id": [1, 1, 2], "item_id": [10, 11, 10], "rating": [5.0, float("nan"), 4.0]})
    with pytest.raises(InvalidArgumentError):
        Recommender.fit(ratings)
    with pytest.raises(InvalidArgumentError, match="columns"):
        Recommender.fit(pd.DataFrame({"user": [1], "item_id": [2], "rating": [3.0]}))


ML100K = Path(__file__).resolve().parents[2] / "data" / "ml-100k"


def test_missing_recbole_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        Recommender.fit_recbole(tmp_path / "absent", "ml-100k")


@pytest.mark.skipif(not (ML100K / "ml-100k.inter").exists(), reason="data/ml-100k missing: run scripts/fetch-movielens.sh")
def test_movielens_100k_lists() -> None:
    rec = Recommender.fit_recbole(ML100K, "ml-100k", factors=32, iterations=8)
    assert rec.n_items >= 1682
    # Star Wars (50), Return of the Jedi (181), The Empire Strikes Back (172) liked.
    history = [("50", 5.0, 1), ("181", 5.0, 2), ("172", "like", 3)]
    for_you = rec.recommend(history, n=10)
    assert len(for_you) == 10 and for_you.unknown_ids == []
    assert all(r.explanation for r in for_you)
    because = rec.recommend(history, n=5, list="because_you_liked", item="50")
    assert len(because) == 5 and "Star Wars" in because[0].explanation
    similar = rec.recommend([], n=5, list="similar_to", item="50")
    assert len(similar) == 5 and "50" not in similar.item_ids
    sci_fi = rec.recommend(history, n=5, list="by_genre", genre="Sci-Fi")
    assert len(sci_fi) == 5


# ---------------------------------------------------------------- explicit rating prediction


def taste_events(ratings: bool = True) -> List[Tuple[str, str, Any, int]]:
    """Users u0..u19 love even items and hate odd ones; u20..u39 the other way round."""
    events: List[Tuple[str, str, Any, int]] = []
    for u in range(40):
        for i in range(12):
            if (u + i) % 3 == 0:
                continue
            loves = (u < 20) == (i % 2 == 0)
            feedback: Any = (5.0 if loves else 1.0) if ratings else ("like" if loves else "dislike")
            events.append((f"u{u}", f"m{i}", feedback, u * 100 + i))
    return events


@pytest.fixture(scope="module")
def rater() -> Recommender:
    return Recommender.fit(taste_events(), factors=4, regularization=0.1, iterations=5, show_progress=False)


def test_predict_rating_folds_in_the_request_ratings(rater: Recommender) -> None:
    assert rater.has_ratings and rater.rating_range == (1.0, 5.0)
    even_fan = [("m0", 5.0, 1), ("m1", 1.0, 2), ("m2", 5.0, 3)]
    loved, hated = rater.predict_rating(even_fan, "m4"), rater.predict_rating(even_fan, "m5")
    assert isinstance(loved, float) and 1.0 <= hated < 2.5 < 3.5 < loved <= 5.0
    many = rater.predict_ratings(even_fan, ["m4", "m5", "m4"])
    assert many.dtype == np.float32 and many.shape == (3,)
    assert many[0] == pytest.approx(loved) and many[1] == pytest.approx(hated) and many[2] == many[0]
    # A rating made after training changes the prediction at once; the latest per item wins.
    changed_mind = even_fan + [("m0", 1.0, 9), ("m2", 1.0, 9), ("m1", 5.0, 9), ("m3", "like", 9)]
    assert rater.predict_rating(changed_mind, "m5") > 3.5
    # No ratings (likes carry no stars, unknown ids are ignored): the item baseline.
    baseline = rater.predict_rating([], "m4")
    assert rater.predict_rating([("m1", "like", 1), ("nope", 5.0, 2)], "m4") == baseline
    assert len(rater.predict_ratings(even_fan, [])) == 0


def test_predict_rating_bad_input(rater: Recommender) -> None:
    with pytest.raises(UnknownIdError) as unknown:
        rater.predict_rating([], "no-such-item")
    assert isinstance(unknown.value, KeyError) and "no-such-item" in str(unknown.value)
    with pytest.raises(InvalidArgumentError, match="rating"):
        rater.predict_rating([("m0", float("nan"), 1)], "m1")
    with pytest.raises(InvalidArgumentError):
        rater.predict_rating([("m0", "meh", 1)], "m1")
    with pytest.raises(InvalidArgumentError):
        rater.predict_rating([("m0", 5.0)], "m1")  # two fields
    with pytest.raises(InvalidArgumentError):
        rater.predict_ratings([], "m1")  # a string is not a list of ids
    with pytest.raises(InvalidArgumentError):
        rater.predict_ratings([], 5)


def test_without_a_rating_model_predict_rating_says_why() -> None:
    implicit_only = Recommender.fit(taste_events(ratings=False), factors=4, iterations=3, show_progress=False)
    switched_off = Recommender.fit(taste_events(), factors=4, iterations=3, ratings=False, show_progress=False)
    for model in (implicit_only, switched_off):
        assert not model.has_ratings and model.rating_range is None
        with pytest.raises(InvalidArgumentError, match="no rating model"):
            model.predict_rating([("m0", 5.0, 1)], "m1")
        # Still a recommender.
        assert len(model.recommend([("m0", "like", 1)], n=3)) == 3


def test_rating_model_settings() -> None:
    default = Recommender.fit(taste_events(), factors=4, iterations=3, show_progress=False)
    same = Recommender.fit(taste_events(), factors=4, iterations=3, ratings={}, show_progress=False)
    quick = Recommender.fit(
        taste_events(), factors=4, iterations=3, ratings={"factors": 2, "epochs": 5, "seed": 3}, show_progress=False
    )
    history = [("m0", 5.0, 1), ("m1", 1.0, 2)]
    items = ["m2", "m3", "m4", "m5"]
    assert same.predict_ratings(history, items).tolist() == default.predict_ratings(history, items).tolist()
    assert quick.has_ratings
    assert quick.predict_ratings(history, items).tolist() != default.predict_ratings(history, items).tolist()


def test_predictions_survive_persistence(rater: Recommender, tmp_path: Path) -> None:
    history = [("m0", 5.0, 1), ("m1", 2.0, 2)]
    expected = rater.predict_ratings(history, ["m2", "m3", "m4"])
    for restored in (
        Recommender.from_bytes(rater.to_bytes()),
        pickle.loads(pickle.dumps(rater)),
    ):
        assert restored.has_ratings
        assert restored.predict_ratings(history, ["m2", "m3", "m4"]).tolist() == expected.tolist()
    assert recsys.ARTIFACT_FORMAT_VERSION == 4


# ---------------------------------------------------------------- fit settings


def small_fit(**settings: Any) -> Recommender:
    arguments: Dict[str, Any] = {"factors": 8, "regularization": 0.1, "iterations": 3, "show_progress": False}
    arguments.update(settings)
    return Recommender.fit(make_events(), make_catalog(), **arguments)


def test_policy_and_blend_settings_change_the_model() -> None:
    default = small_fit()
    assert small_fit(policy={}, blend={}).to_bytes() == default.to_bytes()
    assert small_fit(policy={"negative_below": None, "like": 3.0}).to_bytes() != default.to_bytes()
    # Collaborative signal only: other scores than the default blend for the same request.
    collaborative = small_fit(blend={"popularity": 0.0, "content": 0.0, "item_knn": 0.0, "popularity_penalty": 0.0})
    request = [("m0", 5.0, 1), ("m3", 4.0, 2)]
    scores = [r.score for r in collaborative.recommend(request, n=5)]
    assert scores != [r.score for r in default.recommend(request, n=5)]
    assert small_fit(blend={"pool": 50, "diversity": 0.5}).to_bytes() != default.to_bytes()
    for name in ("exposure_penalty", "cold_item_shrinkage"):
        assert small_fit(blend={name: 0.5}).to_bytes() != default.to_bytes(), name
    # Presets: "default" is the default; "long_tail" differs, and a dict can start from it.
    assert small_fit(blend="default").to_bytes() == default.to_bytes()
    long_tail = small_fit(blend="long_tail").to_bytes()
    assert long_tail != default.to_bytes()
    assert small_fit(blend={"preset": "long_tail"}).to_bytes() == long_tail
    assert small_fit(blend={"preset": "long_tail", "diversity": 0.3}).to_bytes() != long_tail


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"policy": {"likes": 2.0}}, "unknown field"),
        ({"policy": {"like": float("nan")}}, "finite"),
        ({"policy": {"dislike": 2.0}}, "dislike"),
        ({"policy": {"like": None}}, "like"),
        ({"policy": {"like": "much"}}, "number"),
        ({"policy": {"negative_below": float("inf")}}, "finite"),
        ({"policy": [("like", 2.0)]}, "dict"),
        ({"policy": {1: 2.0}}, "str"),
        ({"blend": {"popularity": float("nan")}}, "popularity"),
        ({"blend": {"popularity": -1.0}}, "≥ 0"),
        ({"blend": {"pool": 2.5}}, "pool"),
        ({"blend": {"pool": -3}}, "pool"),
        ({"blend": {"diversity": 2.0}}, "diversity"),
        ({"blend": {"colour": 1.0}}, "unknown field"),
        ({"blend": {"exposure_penalty": float("inf")}}, "exposure_penalty"),
        ({"blend": "wide"}, "preset"),
        ({"blend": {"preset": 3}}, "preset"),
        ({"blend": 3}, "dict"),
        ({"blend": {"content": True}}, "number"),
        ({"factors": 0}, "factors"),
        ({"factors": -1}, "factors"),
        ({"regularization": float("nan")}, "regularization"),
        ({"regularization": "high"}, "number"),
        ({"iterations": 2.5}, "iterations"),
        ({"num_threads": -1}, "num_threads"),
        ({"ratings": "no"}, "ratings"),
        ({"ratings": None}, "ratings"),
        ({"ratings": {"epochs": 0}}, "epochs"),
        ({"ratings": {"epochs": 2.5}}, "epochs"),
        ({"ratings": {"factors": -4}}, "factors"),
        ({"ratings": {"learning_rate": float("nan")}}, "learning_rate"),
        ({"ratings": {"learning_rate_decay": 1.5}}, "learning_rate_decay"),
        ({"ratings": {"regularization": -1.0}}, "regularization"),
        ({"ratings": {"speed": 1.0}}, "unknown field"),
        ({"ratings": {"epochs": "many"}}, "epochs"),
        ({"callback": 5}, "callable"),
    ],
)
def test_bad_fit_settings_raise_invalid_argument(settings: Dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        small_fit(**settings)


# ---------------------------------------------------------------- people and onboarding


def test_people_filter_and_favorite_people() -> None:
    catalog = make_catalog()
    for record in catalog:
        i = int(record["item_id"][1:])
        record["people"] = [("p-scott", "Ridley Scott", "director")] if i % 5 == 0 else [("p-other", None, "actor")]
    model = Recommender.fit(make_events(), catalog, factors=8, regularization=0.1, iterations=3, show_progress=False)
    scott = model.recommend(HISTORY, n=10, people=["p-scott"])
    assert len(scott) > 0 and all(int(i[1:]) % 5 == 0 for i in scott.item_ids)
    nobody = model.recommend(HISTORY, n=5, people=["nobody"])
    assert nobody.unknown_people == ["nobody"] and nobody.unknown_ids == [] and len(nobody) == 0
    # Favourites become a pseudo-history of their most popular items, scored by the blend:
    # their items move up on the whole, and a favourite is cited only on items it matches.
    everything = len(catalog)

    def mean_rank(recs: Any, wanted: Callable[[str], bool]) -> float:
        ranks = [rank for rank, item in enumerate(recs.item_ids) if wanted(item)]
        assert ranks
        return sum(ranks) / len(ranks)

    def is_scott(item: str) -> bool:
        return int(item[1:]) % 5 == 0

    def is_drama(item: str) -> bool:
        return genre_of(item) == "Drama"

    plain = model.recommend([], n=everything)
    onboarding = model.recommend([], n=everything, favorite_people=["p-scott"])
    cited = [r.item_id for r in onboarding if "Ridley Scott" in r.explanation]
    assert cited and all(is_scott(item) for item in cited), cited
    # (A favourite person's own films are not guaranteed to move up: on this data, without
    # co-watching among them, the pseudo-history lifts what its films' viewers watch.)
    weighted = model.recommend([], n=everything, favorite_genres={"drama": 3, "comedy": 1})
    listed = model.recommend([], n=everything, favorite_genres=["drama"])
    for recs in (weighted, listed):
        assert mean_rank(recs, is_drama) < mean_rank(plain, is_drama)
    with pytest.raises(InvalidArgumentError, match="favorite_genres"):
        model.recommend([], n=3, favorite_genres={"drama": "a lot"})
    with pytest.raises(InvalidArgumentError, match="favorite_genres"):
        model.recommend([], n=3, favorite_genres={"drama": -1})
    for argument in ("people", "favorite_people", "favorite_genres"):
        with pytest.raises(InvalidArgumentError, match=argument):
            model.recommend([], n=3, **{argument: "p-scott"})
    bad_credits = [{"item_id": "m0", "people": [("p1", "Someone", "gaffer")]}]
    with pytest.raises(InvalidArgumentError, match="role"):
        Recommender.fit(make_events(), bad_credits, show_progress=False)
    with pytest.raises(InvalidArgumentError, match="person_id"):
        Recommender.fit(make_events(), [{"item_id": "m0", "people": "Ridley Scott"}], show_progress=False)


# ---------------------------------------------------------------- progress and the GIL


def test_fit_reports_progress_to_the_callback() -> None:
    calls: List[Tuple[int, float, Any]] = []
    small_fit(callback=lambda iteration, seconds, loss: calls.append((iteration, seconds, loss)))
    assert [c[0] for c in calls] == [0, 1, 2]
    assert all(seconds >= 0.0 and loss is None for _, seconds, loss in calls)
    # The tqdm bar (tqdm is installed in the test venv) closes cleanly.
    Recommender.fit(make_events(), factors=4, iterations=2, show_progress=True)


def test_a_failing_callback_is_raised_after_fit() -> None:
    seen: List[int] = []

    def callback(iteration: int, seconds: float, loss: Any) -> None:
        seen.append(iteration)
        raise RuntimeError("callback broke")

    with pytest.raises(RuntimeError, match="callback broke"):
        small_fit(callback=callback)
    assert seen == [0, 1, 2]  # training went on; the first exception is the one raised


def test_fit_releases_the_gil() -> None:
    import threading
    import time

    # ML-100K-sized: 943 users × 100 ratings over 1682 items.
    rng = np.random.default_rng(0)
    events = [
        (f"u{u}", f"m{item}", float(rng.integers(1, 6)), int(t))
        for u in range(943)
        for t, item in enumerate(rng.choice(1682, size=100, replace=False))
    ]
    ticks = 0
    stop = threading.Event()

    def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    worker = threading.Thread(target=tick)
    worker.start()
    started = time.perf_counter()
    try:
        Recommender.fit(events, factors=32, iterations=5, num_threads=1, show_progress=False)
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        worker.join()
    # Holding the GIL would leave the ticker a handful of switches in the whole fit.
    assert elapsed > 0.2
    assert ticks > 0.25 * elapsed / 0.0011, (ticks, elapsed)


# ---------------------------------------------------------------- evaluation


def test_evaluate_recommender() -> None:
    from recsys.evaluation import evaluate_recommender

    events = make_events()
    # Each user's latest liked item is held out.
    held_out = {}
    for event in events:
        if isinstance(event[2], float):
            held_out[event[0]] = event
    train = [e for e in events if e not in held_out.values()]
    test = list(held_out.values())
    model = Recommender.fit(train, make_catalog(), factors=8, regularization=0.1, iterations=5, show_progress=False)
    metrics = evaluate_recommender(model, train, test, k=5)
    assert set(metrics) == {"precision", "recall", "ndcg", "map", "hit_rate", "coverage", "k", "n_users"}
    assert metrics["n_users"] == 45
    assert metrics["k"] == 5
    assert all(0.0 <= metrics[key] <= 1.0 for key in metrics if key not in ("k", "n_users"))
    # The held-out item is of the user's own genre: most users find it in their top 5.
    assert metrics["hit_rate"] > 0.5 and metrics["recall"] == metrics["hit_rate"]
    # Every held-out rating is 5 stars: a threshold above that leaves nothing to evaluate.
    assert evaluate_recommender(model, train, test, k=5, relevant_threshold=5.0) == metrics
    with pytest.raises(InvalidArgumentError, match="relevant"):
        evaluate_recommender(model, train, test, k=5, relevant_threshold=5.5)
    import pandas as pd

    frame = pd.DataFrame(test, columns=["user_id", "item_id", "rating", "timestamp"])
    assert evaluate_recommender(model, train, frame, k=5) == metrics


@pytest.mark.parametrize(
    "arguments, error",
    [
        ({"k": 0}, InvalidArgumentError),
        ({"k": -1}, InvalidArgumentError),
        ({"relevant_threshold": float("nan")}, InvalidArgumentError),
        ({"relevant_threshold": "four"}, InvalidArgumentError),
        ({"test_events": [("u0", "m0", "dislike", 1)]}, InvalidArgumentError),  # nothing relevant
        ({"test_events": [("u0", "m0", float("nan"), 1)]}, InvalidArgumentError),
        ({"train_events": [("u0", "m0", 5.0)]}, InvalidArgumentError),
        ({"recommender": "not a recommender"}, InvalidArgumentError),
    ],
)
def test_evaluate_recommender_bad_input(rec: Recommender, arguments: Dict[str, Any], error: type) -> None:
    from recsys.evaluation import evaluate_recommender

    call: Dict[str, Any] = {"recommender": rec, "train_events": [], "test_events": [("u0", "m0", 5.0, 1)]}
    call.update(arguments)
    with pytest.raises(error):
        evaluate_recommender(**call)


def test_item_embeddings_in_every_form() -> None:
    ids = [f"m{i}" for i in range(30)]
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(30, 4)).astype(np.float32)
    default = small_fit()
    as_tuple = small_fit(embeddings=(ids, vectors), embedding_weight=0.8)
    assert as_tuple.to_bytes() != default.to_bytes()
    as_dict = small_fit(embeddings={i: v.tolist() for i, v in zip(ids, vectors)}, embedding_weight=0.8)
    assert as_dict.to_bytes() == as_tuple.to_bytes()
    pd = pytest.importorskip("pandas")
    as_frame = small_fit(embeddings=pd.DataFrame(vectors, index=ids), embedding_weight=0.8)
    assert as_frame.to_bytes() == as_tuple.to_bytes()
    # Some items only: the others get no embedding (still a valid model).
    partial = small_fit(embeddings=(ids[:5], vectors[:5]))
    assert len(partial.recommend([("m0", 5.0, 1)], n=5)) == 5


@pytest.mark.parametrize(
    "embeddings, weight, error",
    [
        ((["m0", "nope"], np.ones((2, 3), np.float32)), 0.5, UnknownIdError),
        ((["m0", "m1"], np.ones((3, 3), np.float32)), 0.5, InvalidArgumentError),
        ((["m0"], np.array([[np.nan, 1.0]], np.float32)), 0.5, InvalidArgumentError),
        ((["m0"], np.ones((1, 3), np.float32)), 1.5, InvalidArgumentError),
        ({"m0": [1.0, 2.0], "m1": [1.0]}, 0.5, InvalidArgumentError),
        ("not embeddings", 0.5, InvalidArgumentError),
        ((["m0"], np.ones((1, 3), np.float32)), "heavy", InvalidArgumentError),
    ],
)
def test_bad_item_embeddings_raise(embeddings: Any, weight: Any, error: type) -> None:
    with pytest.raises(error):
        small_fit(embeddings=embeddings, embedding_weight=weight)


def test_results_convert_reasons_and_sentences_when_read(rec: Recommender) -> None:
    """Items keep the core's answer until read; then they equal, print and pickle as plain
    Recommendation dataclasses with the same values."""
    import copy
    import dataclasses

    result = rec.recommend(HISTORY, n=4)
    first = result[0]
    assert isinstance(first, recsys.Recommendation)
    assert "reasons" not in vars(first) and "explanation" not in vars(first)
    reasons, sentence = first.reasons, first.explanation
    assert reasons is first.reasons  # converted once
    assert reasons and all(isinstance(r, dict) and "kind" in r for r in reasons)
    assert isinstance(sentence, str) and sentence
    plain = recsys.Recommendation(first.item_id, first.score, reasons, sentence)
    assert first == plain and plain == first
    assert first != recsys.Recommendation(first.item_id, first.score + 1.0, reasons, sentence)
    assert repr(first) == repr(plain)
    assert dataclasses.asdict(first) == dataclasses.asdict(plain)
    for clone in (pickle.loads(pickle.dumps(first)), copy.copy(first), copy.deepcopy(first)):
        assert type(clone) is recsys.Recommendation and clone == plain
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.score = 0.0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        first.no_such_field  # type: ignore[attr-defined]
    # Pickled whole results are plain values too, equal to a fresh answer.
    assert pickle.loads(pickle.dumps(result)) == rec.recommend(HISTORY, n=4)


def test_history_rows_of_any_shape_give_the_same_list(rec: Recommender) -> None:
    """Plain tuples go to the core as they are; other shapes (lists, numpy scalars, integral
    float timestamps, generators, non-str ids) are converted first, with the same answer."""
    expected = rec.recommend(HISTORY, n=5).item_ids
    variants = [
        tuple(HISTORY),
        [list(row) for row in HISTORY],
        [(item, np.float32(v) if isinstance(v, float) else v, np.int64(t)) for item, v, t in HISTORY],
        [(item, v, float(t)) for item, v, t in HISTORY],
        (row for row in HISTORY),
        [(np.str_(item), v, t) for item, v, t in HISTORY],
    ]
    for history in variants:
        assert rec.recommend(history, n=5).item_ids == expected
    with pytest.raises(TypeError, match="history row 1"):
        rec.recommend([("m0", 5.0, 1), ("m3", True, 2)])
    with pytest.raises(InvalidArgumentError, match="history row 0"):
        rec.recommend([("m0", 5.0, 1.5)])
    with pytest.raises(InvalidArgumentError, match="bogus"):
        rec.recommend([("m0", "bogus", 1)])
    with pytest.raises(InvalidArgumentError, match="rating"):
        rec.recommend([("m0", float("nan"), 1)])
    with pytest.raises(InvalidArgumentError, match="too large"):
        rec.recommend([("m0", 10**400, 1)])


def test_als_item_factors_trained_elsewhere_replace_the_fit() -> None:
    """ALS item factors from another trainer (e.g. Spark, scripts/spark_als.py) drive the
    collaborative part; the rest is trained here; bad factors are refused by name."""
    events = [("a", "x", 5.0, 1), ("a", "y", 4.0, 2), ("b", "y", 5.0, 3), ("b", "z", 3.0, 4), ("c", "w", 4.0, 5)]
    ids = ["x", "y", "z", "w"]
    # y is x's twin; z and w point elsewhere.
    factors = np.array([[1.0, 0.0], [0.95, 0.05], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32)
    model = Recommender.fit(
        events, show_progress=False, als_item_factors=(ids, factors), regularization=0.1, ratings=False
    )
    assert model.recommend([("x", 5.0, 1)], n=1).item_ids == ["y"]
    as_mapping = Recommender.fit(
        events, show_progress=False, als_item_factors=dict(zip(ids, factors)), regularization=0.1, ratings=False
    )
    assert as_mapping.to_bytes() == model.to_bytes()
    assert Recommender.from_bytes(model.to_bytes()).recommend([("x", 5.0, 1)], n=1).item_ids == ["y"]
    with pytest.raises(UnknownIdError):
        Recommender.fit(events, show_progress=False, als_item_factors=(["nope"], factors[:1]))
    with pytest.raises(InvalidArgumentError, match="als_item_factors"):
        Recommender.fit(events, show_progress=False, als_item_factors=(ids, factors[:2]))
    with pytest.raises(InvalidArgumentError):
        Recommender.fit(events, show_progress=False, als_item_factors=(ids, np.full((4, 2), np.nan, np.float32)))
