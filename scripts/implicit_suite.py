#!/usr/bin/env python3
"""Runs implicit 0.7.3's own ALS test-suite against ``recsys.als.AlternatingLeastSquares``.

    .venv/bin/python scripts/implicit_suite.py IMPLICIT_SOURCE [--implicit] [pytest args...]

IMPLICIT_SOURCE is a source tree of implicit 0.7.3 (its sdist unpacked, or a checkout of tag
v0.7.3): the directory holding ``tests/als_test.py``. implicit itself must be installed too
(``pip install implicit==0.7.3``): the suite imports its helpers (``implicit.gpu``,
``ParameterWarning``, the ItemItem base classes).

The tests are copied to a temporary directory and the ALS class they test is switched to
recsys's, the one change a user makes (``from implicit.als import ...`` becomes ``from
recsys.als import ...``, ``implicit.cpu.als.calculate_loss`` becomes
``recsys.cpu.als.calculate_loss``); then pytest runs ``als_test.py`` there and its summary line
is the result. ``--implicit`` runs the unchanged copy against implicit (the reference count).
GPU tests skip without CUDA, as in implicit's own CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: The drop-in switch: (implicit's spelling, recsys's).
SWITCHES = (
    ("from implicit.als import AlternatingLeastSquares", "from recsys.als import AlternatingLeastSquares"),
    ("implicit.cpu.als.calculate_loss", "recsys.cpu.als.calculate_loss"),
)


def switched(source: str) -> str:
    """``als_test.py`` with recsys's class and loss function in implicit's places."""
    for theirs, ours in SWITCHES:
        if theirs not in source:
            raise SystemExit(f"als_test.py no longer contains {theirs!r}: is this implicit 0.7.3?")
        source = source.replace(theirs, ours)
    return "import recsys.cpu.als\n" + source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="implicit 0.7.3 source tree (holds tests/als_test.py)")
    parser.add_argument("--implicit", action="store_true", help="run the unchanged suite against implicit")
    args, pytest_args = parser.parse_known_args()
    tests = args.source / "tests"
    if not (tests / "als_test.py").is_file():
        print(f"{tests / 'als_test.py'} not found: pass implicit's unpacked sdist or checkout", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "tests"
        shutil.copytree(tests, copy)
        if not args.implicit:
            target = copy / "als_test.py"
            target.write_text(switched(target.read_text()))
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "als_test.py", *pytest_args]
        print(f"{'implicit' if args.implicit else 'recsys'}: {' '.join(command[1:])}", flush=True)
        return subprocess.call(command, cwd=copy, env=env)


if __name__ == "__main__":
    sys.exit(main())
