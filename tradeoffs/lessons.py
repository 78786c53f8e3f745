"""Find lessons: folders ``solutions/NN-slug/`` holding the text source ``NN-slug.py`` and the nbgrader
source notebook ``NN-slug.ipynb`` built from it, released to ``notebooks/NN-slug/``."""
from __future__ import annotations

import re
from pathlib import Path

from .paths import repo_root

LESSON_DIR = re.compile(r"^\d\d-[a-z0-9-]+$")


def solutions_dir() -> Path:
    return repo_root() / "solutions"


def release_dir() -> Path:
    return repo_root() / "notebooks"


def all_lessons() -> list[str]:
    """Every lesson name (``NN-slug``) that has a text source or a source notebook, in order."""
    root = solutions_dir()
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and LESSON_DIR.match(p.name)
                  and ((p / f"{p.name}.py").exists() or (p / f"{p.name}.ipynb").exists()))


def resolve_lesson(name: str) -> str:
    """Accept ``"00"``, ``"0"`` or ``"00-tradeoff-triangle"``; raise a helpful ``ValueError`` otherwise."""
    lessons = all_lessons()
    text = str(name).strip().rstrip("/").split("/")[-1]
    if text in lessons:
        return text
    if text.isdigit():
        matches = [lesson for lesson in lessons if lesson.startswith(f"{int(text):02d}-")]
        if len(matches) == 1:
            return matches[0]
    raise ValueError(f"No lesson called {name!r}. Lessons: {', '.join(lessons) or '(none yet)'}.")


def text_source(lesson: str) -> Path:
    """The jupytext py:percent file authors edit (``solutions/NN-slug/NN-slug.py``)."""
    return solutions_dir() / lesson / f"{lesson}.py"


def source_notebook(lesson: str) -> Path:
    """The nbgrader source notebook, generated from the text source by ``tradeoffs release``."""
    return solutions_dir() / lesson / f"{lesson}.ipynb"


def release_notebook(lesson: str) -> Path:
    return release_dir() / lesson / f"{lesson}.ipynb"
