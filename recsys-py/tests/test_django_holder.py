"""recsys.django.holder.ModelHolder (no Django needed): never raises for a bad file, checks at
most every interval, swaps when the content changes, keeps a good model over a bad file."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import List

import pytest

from recsys import Recommender
from recsys.django.holder import ModelHolder, fingerprint_of

FIXTURES = Path(__file__).resolve().parents[2] / "recsys-core" / "tests" / "fixtures" / "artifacts"
EVENTS = [(f"u{u}", f"m{i}", 5.0, i) for u in range(8) for i in range(u % 2, 8, 2)]


def model(seed: int) -> Recommender:
    return Recommender.fit(EVENTS, factors=4, iterations=3, seed=seed, show_progress=False)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_missing_then_written_then_replaced(tmp_path: Path) -> None:
    path, clock = tmp_path / "m.recsys", Clock()
    holder = ModelHolder(path, check_interval=5, clock=clock)
    assert holder.get() is None and holder.status().problem.startswith("no model file")
    first = model(1)
    first.save(path)
    assert holder.get() is None, "not looked at again within the interval"
    clock.now = 5
    loaded = holder.get()
    assert loaded is not None and holder.fingerprint == fingerprint_of(path.read_bytes())
    assert holder.status().loaded and holder.status().n_items == 8
    # Touching the file (same bytes) keeps the same object; new bytes swap it.
    os.utime(path, ns=(1, 1))
    clock.now = 10
    assert holder.get() is loaded
    model(2).save(path)
    clock.now = 15
    swapped = holder.get()
    assert swapped is not loaded and swapped is not None


@pytest.mark.parametrize("name", ["recommender-v2.recsys", "als-v3.recsys", "truncated", "empty"])
def test_bad_files_are_logged_never_raised(tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "m.recsys"
    if name == "truncated":
        path.write_bytes((FIXTURES / "recommender-v3.recsys").read_bytes()[:100])
    elif name == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes((FIXTURES / name).read_bytes())
    holder = ModelHolder(path, check_interval=0)
    with caplog.at_level(logging.ERROR, "recsys.django"):
        assert holder.get() is None
        assert holder.get() is None
    errors: List[logging.LogRecord] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, "logged once per change of the file, not per request"
    assert "cannot be used" in holder.status().problem


def test_a_bad_replacement_keeps_the_good_model(tmp_path: Path) -> None:
    path = tmp_path / "m.recsys"
    model(1).save(path)
    holder = ModelHolder(path, check_interval=0)
    good = holder.get()
    path.write_bytes(b"RSYS\x00broken")
    assert holder.get() is good
    assert "keeping the model loaded before" in (holder.status().problem or "")
    model(3).save(path)
    assert holder.get() is not good and holder.status().problem is None


def test_install_serves_a_model_without_reading_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.recsys"
    fresh = model(4)
    fresh.save(path)
    holder = ModelHolder(path, check_interval=60)
    holder.install(fresh)
    assert holder.get() is fresh
    assert holder.fingerprint == fingerprint_of(path.read_bytes())
    with pytest.raises(ValueError):
        ModelHolder(path, check_interval=-1)
