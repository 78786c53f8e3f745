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


# Seconds each long test took on the 2-core machine (make test, two workers), longest first.
LONG_TESTS = {
    "test_hostile_class_gains_nothing_and_leaves_nothing": 220,
    "test_grading_contract[06-distributed]": 220,
    "test_one_command_grades_a_class_with_every_kind_of_bad_submission": 150,
    "test_grading_contract[05-profiling]": 85,
    "test_hostile_inputs_graded_for_real": 65,
    "test_grading_contract[03-tuning]": 60,
    "test_replay_scores_equal_the_full_pipelines[05-profiling]": 245,  # make test-extra from here on
    "test_replay_scores_equal_the_full_pipelines[00-tradeoff-triangle]": 150,
    "test_grading_contract_full[06-distributed]": 600,
}


def pytest_collection_modifyitems(config, items):
    """Long tests first on both pytest-xdist workers (make test: ``-n 2 --dist worksteal``).

    worksteal hands the first half of the list to one worker and the second half to the other, and
    an idle worker steals from the end of the other's queue; so the long tests go, longest first, to
    the head of whichever half has less long work so far, and no worker is left with one at the end.
    """
    def cost(item) -> float:
        if item.name in LONG_TESTS:
            return LONG_TESTS[item.name]
        return 30 if item.get_closest_marker("slow") or item.get_closest_marker("browser") else 0

    long = sorted((i for i in items if cost(i) > 0), key=cost, reverse=True)
    short = [i for i in items if cost(i) == 0]
    heads: tuple[list, list] = ([], [])
    loads = [0.0, 0.0]
    for item in long:
        k = 0 if loads[0] <= loads[1] else 1
        heads[k].append(item)
        loads[k] += cost(item)
    first, second = heads
    half = len(items) // 2
    fill = max(0, half - len(first))
    items[:] = first + short[:fill] + second + short[fill:]
