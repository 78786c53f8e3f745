"""Build each lesson's nbgrader source notebook from its text source, then its release in ``notebooks/``."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..lessons import all_lessons, release_dir, resolve_lesson
from ..settings import active
from .nbgrader_cli import NbgraderError, check, config_dir, nbgrader_env, run_nbgrader, settings_arguments
from .sources import build_source_notebook


def generate(lesson: str, out_dir: Path) -> Path:
    """Run ``nbgrader generate_assignment`` for one lesson into ``out_dir`` (also records it in the gradebook)."""
    result = run_nbgrader(["generate_assignment", lesson, "--force", *settings_arguments(),
                           f"--CourseDirectory.release_directory={out_dir}"])
    check(result, f"nbgrader generate_assignment {lesson}")
    return out_dir / lesson


def generate_many(lessons: list[str], out_dir: Path) -> dict[str, Path]:
    """``generate_assignment`` for several lessons in one nbgrader process, into ``out_dir/<lesson>``.

    Importing nbgrader takes longer than generating a lesson, so a batch costs little more than one call.
    The output equals :func:`generate`'s (``tests/test_lesson_contract.py`` compares it with the release).
    """
    names = [resolve_lesson(n) for n in lessons]
    s = active()
    cmd = [sys.executable, "-m", __name__, "--release-dir", str(out_dir), "--grading-dir", str(s.grading_dir),
           "--db-url", s.gradebook_url, *names]
    result = subprocess.run(cmd, cwd=config_dir(), env=nbgrader_env(), text=True, capture_output=True, check=False)
    check(result, f"nbgrader generate_assignment {' '.join(names)}")
    return {name: Path(out_dir) / name for name in names}


def _generate_in_process(names: list[str], release_directory: Path, grading_dir: Path, db_url: str) -> None:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from .course_config import course_config

    settings = active().grading_in(grading_dir)
    config = course_config(settings)
    config.CourseDirectory.db_url = db_url
    config.CourseDirectory.release_directory = str(release_directory)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for name in names:
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            raise NbgraderError(f"nbgrader generate_assignment {name} failed:\n"
                                f"{result.get('error') or ''}\n{result.get('log') or ''}")


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
        for lesson, built in generate_many(names, Path(tmp)).items():
            target = release_dir() / lesson
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(built, target)
            written.append(target)
    return written


if __name__ == "__main__":  # generate_many's nbgrader process
    parser = argparse.ArgumentParser(description="nbgrader generate_assignment for several lessons at once")
    parser.add_argument("--release-dir", type=Path, required=True)
    parser.add_argument("--grading-dir", type=Path, required=True)
    parser.add_argument("--db-url", required=True)
    parser.add_argument("lessons", nargs="+")
    args = parser.parse_args()
    try:
        _generate_in_process(args.lessons, args.release_dir, args.grading_dir, args.db_url)
    except NbgraderError as exc:
        sys.exit(str(exc))
