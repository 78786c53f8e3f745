"""Build each lesson's nbgrader source notebook from its text source, then its release in ``notebooks/``."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..lessons import all_lessons, release_dir, resolve_lesson
from .nbgrader_cli import check, run_nbgrader, settings_arguments
from .sources import build_source_notebook


def generate(lesson: str, out_dir: Path) -> Path:
    """Run ``nbgrader generate_assignment`` for one lesson into ``out_dir`` (also records it in the gradebook)."""
    result = run_nbgrader(["generate_assignment", lesson, "--force", *settings_arguments(),
                           f"--CourseDirectory.release_directory={out_dir}"])
    check(result, f"nbgrader generate_assignment {lesson}")
    return out_dir / lesson


def release(lessons: list[str] | None = None) -> list[Path]:
    """Release the given lessons (default: all) into ``notebooks/``; returns the release folders.

    Each lesson's ``solutions/NN-slug/NN-slug.ipynb`` is first rebuilt from ``NN-slug.py``, so the text
    source, the nbgrader source notebook and the release always come from one edit.
    """
    names = [resolve_lesson(n) for n in lessons] if lessons else all_lessons()
    written = []
    for lesson in names:
        build_source_notebook(lesson)
        with tempfile.TemporaryDirectory() as tmp:
            built = generate(lesson, Path(tmp))
            target = release_dir() / lesson
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(built, target)
            written.append(target)
    return written
