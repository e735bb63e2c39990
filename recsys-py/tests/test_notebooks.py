"""Runs examples/notebooks/*.ipynb end to end (nbclient), so the quick start cannot rot.

Uses the repository's data/ml-100k (scripts/fetch-movielens.sh) through RECSYS_DATA_DIR, so the
notebook never downloads anything here; skipped when nbclient or the data are missing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("matplotlib")
pytest.importorskip("ipykernel")

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "examples" / "notebooks").glob("*.ipynb"))
DATA = REPO / "data" / "ml-100k"


@pytest.mark.skipif(not (DATA / "ml-100k.inter").is_file(), reason="run scripts/fetch-movielens.sh first")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECSYS_DATA_DIR", str(DATA))
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    seconds = time.perf_counter() - started
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors
    images = [o for cell in notebook.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "the metrics plot is drawn"
    html = [o["data"]["text/html"] for cell in notebook.cells for o in cell.get("outputs", []) if "text/html" in o.get("data", {})]
    assert any("recsys.Recommender" in h for h in html), "the recommender shows as a table"
    print(f"{path.name}: {seconds:.1f} s")


def test_recommender_repr() -> None:
    from recsys import Recommender

    events = [(f"u{u}", f"m{i}", 5.0, i) for u in range(6) for i in range(u % 2, 6, 2)]
    rec = Recommender.fit(events, factors=4, iterations=2, show_progress=False)
    assert repr(rec) == "<recsys.Recommender: 6 items, ratings 5–5>"
    assert "<table>" in rec._repr_html_() and "for_you" in rec._repr_html_()
    no_stars = Recommender.fit(events, factors=4, iterations=2, show_progress=False, ratings=False)
    assert repr(no_stars) == "<recsys.Recommender: 6 items>"
    assert os.linesep not in repr(no_stars)
