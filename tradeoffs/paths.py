"""Where things live, resolved from the package itself so any working directory works.

Autograded notebooks run in ``grading/autograded/<student>/<lesson>/``; relative paths
break there, so lessons find data and results through these functions.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def under_nbgrader() -> bool:
    """True while nbgrader executes the notebook (it sets ``NBGRADER_EXECUTION``): grading, not learning."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def repo_root() -> Path:
    """The course checkout (override with ``TRADEOFFS_ROOT``)."""
    return Path(os.environ.get("TRADEOFFS_ROOT", REPO_ROOT)).resolve()


def data_dir() -> Path:
    """Folder of the datasets and price table that ship with the course."""
    return Path(os.environ.get("TRADEOFFS_DATA", repo_root() / "data")).resolve()


def results_dir() -> Path:
    """Folder for ledgers, benchmark output and run folders (git-ignored)."""
    path = Path(os.environ.get("TRADEOFFS_RESULTS", repo_root() / "results")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Folder for derived data that is expensive to recompute (git-ignored)."""
    path = data_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path
