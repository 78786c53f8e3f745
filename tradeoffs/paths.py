"""Where things live, resolved from the package itself so any working directory works.

Autograded notebooks run in ``grading/autograded/<student>/<lesson>/``; relative paths
break there, so lessons find data and results through these functions.
"""
from __future__ import annotations

import os
from pathlib import Path

from .settings import REPO_ROOT, active  # noqa: F401  (REPO_ROOT: re-exported)


def under_nbgrader() -> bool:
    """True while nbgrader executes the notebook (it sets ``NBGRADER_EXECUTION``): grading, not learning."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def repo_root() -> Path:
    """The course checkout (override with ``TRADEOFFS_ROOT``)."""
    return active().root


def data_dir() -> Path:
    """Folder of the datasets and price table that ship with the course."""
    return active().data_dir


def results_dir() -> Path:
    """Folder for ledgers, benchmark output and run folders (git-ignored)."""
    path = active().results_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Folder for derived data that is expensive to recompute (git-ignored)."""
    path = data_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path
