"""recsys.Recommender (layer 2): the hybrid's lists, filters, errors and persistence."""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import recsys
from recsys import Recommender
from recsys.exceptions import CorruptModelError, InvalidArgumentError, ModelNotFoundError, RecsysError

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
        item for r in result for reason in r.reasons if reason["kind"] == "because_you_liked" for item, _ in reason["items"]
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
    result = rec.recommend([("m0", 5.0, 1), ("nope", "like", 2), ("m3", float("nan"), 3)], n=3, exclude=["ghost"])
    assert len(result) == 3
    assert "nope" in result.unknown_ids and "ghost" in result.unknown_ids
    assert "m3" in result.unknown_ids  # a NaN rating in a request is ignored and reported
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
