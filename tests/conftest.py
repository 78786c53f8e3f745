"""Shared test setup: tiny experiment sizes and nothing written into the course's own results."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Before any test imports the package: ci scale, results and ledger in a throw-away folder,
# the venv's bin on PATH (nbgrader runs `alembic` from PATH).
_TMP = Path(tempfile.mkdtemp(prefix="tradeoffs-tests-"))
os.environ.setdefault("TRADEOFFS_SCALE", "ci")
os.environ["TRADEOFFS_RESULTS"] = str(_TMP / "results")
os.environ["TRADEOFFS_LEDGER"] = str(_TMP / "results" / "ledger.csv")
os.environ["TRADEOFFS_FIGURES"] = str(_TMP / "results" / "figures.json")
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture
def grading_tmp(tmp_path, monkeypatch) -> Path:
    """A private grading folder (gradebook, submitted/, autograded/, feedback/) for one test."""
    folder = tmp_path / "grading"
    monkeypatch.setenv("TRADEOFFS_GRADING_DIR", str(folder))
    return folder


def pytest_collection_modifyitems(config, items):
    """Long tests (notebooks, grading, the browser) first: with ``-n 2`` (make test) the two workers
    then finish together instead of one waiting on a long test picked up last."""
    long = [i for i in items if i.get_closest_marker("slow") or i.get_closest_marker("browser")]
    items[:] = long + [i for i in items if i not in long]
