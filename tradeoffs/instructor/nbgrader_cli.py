"""Run nbgrader commands with the course configuration, as subprocesses.

nbgrader calls the ``alembic`` executable from PATH, so the virtual environment's ``bin``
folder is put first on PATH for every call.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..settings import active


def config_dir() -> Path:
    """Folder holding ``nbgrader_config.py``, the mutants and due dates (nbgrader runs from here)."""
    return active().config_dir


def grading_dir() -> Path:
    """Where submissions, autograded copies, feedback, reports and the gradebook live (made if missing).

    ``grading/`` by default; the active settings move it (tests and the bench grade in a temporary folder).
    """
    path = active().grading_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_arguments() -> list[str]:
    """The active settings nbgrader's own command line needs: where the class and its gradebook live."""
    s = active()
    return [f"--CourseDirectory.root={grading_dir()}", f"--CourseDirectory.db_url={s.gradebook_url}"]


def nbgrader_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for nbgrader: venv bin on PATH, repo root known to the notebooks."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("TRADEOFFS_ROOT", str(active().root))
    env.setdefault("PYTHONHASHSEED", "0")
    grading_dir()  # nbgrader changes into the course root, so it must exist
    if extra:
        env.update(extra)
    return env


def run_nbgrader(args: list[str], timeout: float | None = None, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader ARGS`` from ``grading/`` (where its config lives); output is captured."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    return subprocess.run(cmd, cwd=cwd or config_dir(), env=env or nbgrader_env(), text=True,
                          capture_output=True, timeout=timeout, check=False)


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message carries its output."""


def check(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise NbgraderError(f"{what} failed (exit {result.returncode}):\n{tail}")
