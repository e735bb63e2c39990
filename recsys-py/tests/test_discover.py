"""recsys.Recommender.discover: natural-language queries, parsed and ranked by the core."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from recsys import Recommender
from recsys.exceptions import InvalidArgumentError

MOVIES = [
    # item_id, title, year, genres, people
    ("alien", "Alien", 1979, ["Sci-Fi", "Horror"], [("p-scott", "Ridley Scott", "director")]),
    ("aliens", "Aliens", 1986, ["Sci-Fi", "Action"], [("p-weaver", "Sigourney Weaver", "actor")]),
    ("contact", "Contact", 1997, ["Sci-Fi", "Drama"], [("p-foster", "Jodie Foster", "actor")]),
    ("mib", "Men in Black", 1997, ["Sci-Fi", "Comedy"], [("p-smith", "Will Smith", "actor")]),
    ("fargo", "Fargo", 1996, ["Crime", "Drama"], [("p-coen", "Joel Coen", "director")]),
    ("big-lebowski", "The Big Lebowski", 1998, ["Crime", "Comedy"], [("p-coen", "Joel Coen", "director")]),
    ("heat", "Heat", 1995, ["Crime", "Action"], []),
    ("big", "Big", 1988, ["Comedy"], [("p-hanks", "Tom Hanks", "actor")]),
    ("philadelphia", "Philadelphia", 1993, ["Drama"], [("p-hanks", "Tom Hanks", "actor")]),
    ("toy-story", "Toy Story", 1995, ["Animation", "Comedy"], [("p-hanks", "Tom Hanks", "actor")]),
]


def catalog() -> List[Dict[str, Any]]:
    return [
        {"item_id": i, "title": t, "year": y, "genres": g, "people": p}
        for i, t, y, g, p in MOVIES
    ]


def events() -> List[Tuple[str, str, Any, int]]:
    ids = [m[0] for m in MOVIES]
    rows = []
    for u in range(30):
        for k in range(4):
            rows.append((f"u{u}", ids[(u + k * (1 + u % 3)) % len(ids)], 4.0 + (k % 2), u * 10 + k))
    return rows


@pytest.fixture(scope="module")
def rec() -> Recommender:
    return Recommender.fit(events(), catalog(), factors=4, regularization=0.1, iterations=5, show_progress=False)


def test_constraints_are_read_and_applied(rec: Recommender) -> None:
    found = rec.discover("something with Tom Hanks but not a drama")
    assert found.query is not None
    assert [p["name"] for p in found.query["people"]] == ["Tom Hanks"]
    assert found.query["excluded_genres"] == ["Drama"]
    assert sorted(found.item_ids) == ["big", "toy-story"]
    assert all("'tom hanks'" in r.explanation for r in found)

    found = rec.discover("sci-fi from the 90s", n=5)
    assert found.item_ids == ["contact", "mib"] or found.item_ids == ["mib", "contact"]
    assert found[0].explanation == "Matches 'sci-fi', 1990s"
    assert found.query["years"] == [{"from": 1990, "to": 1999, "label": "1990s"}]


def test_like_a_title_and_history(rec: Recommender) -> None:
    found = rec.discover("crime like Fargo")
    assert found.query["like"][0]["item_id"] == "fargo"
    assert "fargo" not in found.item_ids
    assert set(found.item_ids) <= {"big-lebowski", "heat"}
    # Seen items are left out, unknown history ids reported.
    seen = rec.discover("crime", history=[("heat", 5.0, 1), ("nope", "like", 2)])
    assert "heat" not in seen.item_ids
    assert seen.unknown_ids == ["nope"]


def test_results_look_like_recommend_results(rec: Recommender) -> None:
    found = rec.discover("comedy", n=2)
    assert len(found) == 2
    first = found[0]
    assert first.reasons and first.reasons[0]["kind"] == "matches_query"
    assert isinstance(first.item_id, str) and isinstance(first.score, float)
    assert first.explanation.startswith("Matches")


def test_bad_arguments_raise(rec: Recommender) -> None:
    with pytest.raises(InvalidArgumentError):
        rec.discover("comedy", n=5000)
    with pytest.raises(InvalidArgumentError):
        rec.discover("x" * 5000)
    with pytest.raises(InvalidArgumentError):
        rec.discover(42)  # type: ignore[arg-type]
    assert len(rec.discover("", n=3)) == 3  # nothing asked: the most popular
