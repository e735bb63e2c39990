"""Runs the Python code blocks of recsys-py/README.md (the quick start must keep working)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_a_quick_start() -> None:
    assert python_blocks(), "README.md lost its python quick start"


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_block_runs(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the quick start writes a model file
    data = README.parents[1] / "data" / "ml-100k"
    if "movielens_100k" in python_blocks()[index]:
        if not (data / "ml-100k.inter").is_file():
            pytest.skip("run scripts/fetch-movielens.sh first")
        monkeypatch.setenv("RECSYS_DATA_DIR", str(data))  # never download from the test
    exec(compile(python_blocks()[index], f"README.md block {index}", "exec"), {})
