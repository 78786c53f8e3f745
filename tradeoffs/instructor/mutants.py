"""Build test classes from a lesson: a perfect submission, the blank release, and the mutants.

Mutants live in ``grading/mutants/<lesson>.toml`` (format in ``grading/mutants/README.md``).
``tradeoffs mutants LESSON`` grades them with the real pipeline and shows which were caught.
"""
from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..lessons import release_notebook, source_notebook
from .nbgrader_cli import config_dir


@dataclass
class Mutant:
    name: str
    why: str
    kind: str  # "wrong" or "alternative"
    loses: list[str]
    cells: dict[str, str] = field(default_factory=dict)


def mutants_file(lesson: str) -> Path:
    return config_dir() / "mutants" / f"{lesson}.toml"


def load_mutants(lesson: str) -> list[Mutant]:
    """Every mutant declared for ``lesson`` (an empty list when it has no file)."""
    path = mutants_file(lesson)
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text())
    out = []
    for raw in data.get("mutant", []):
        kind = raw.get("kind", "wrong")
        if kind not in ("wrong", "alternative"):
            raise ValueError(f"{path}: mutant {raw.get('name')!r} has kind {kind!r}; use 'wrong' or 'alternative'.")
        out.append(Mutant(name=raw["name"], why=raw.get("why", ""), kind=kind, loses=list(raw.get("loses", [])),
                          cells={k: v.strip("\n") for k, v in raw.get("cells", {}).items()}))
    names = [m.name for m in out]
    if len(names) != len(set(names)):
        raise ValueError(f"{path}: mutant names must be unique.")
    return out


def _cells_by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if "nbgrader" in c.metadata and "grade_id" in c.metadata["nbgrader"]}


def blank_submission(lesson: str) -> nbformat.NotebookNode:
    """The released notebook, untouched."""
    return nbformat.read(release_notebook(lesson), as_version=4)


def perfect_submission(lesson: str) -> nbformat.NotebookNode:
    """The released notebook with every solution cell filled in from ``solutions/`` (markers removed)."""
    nb = blank_submission(lesson)
    source = _cells_by_id(nbformat.read(source_notebook(lesson), as_version=4))
    for gid, cell in _cells_by_id(nb).items():
        meta = cell.metadata["nbgrader"]
        if meta.get("solution") and gid in source:
            lines = [ln for ln in source[gid].source.splitlines()
                     if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            cell.source = "\n".join(lines)
    return nb


def apply_mutant(nb: nbformat.NotebookNode, mutant: Mutant) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the mutant's replacement sources in its solution cells."""
    out = copy.deepcopy(nb)
    cells = _cells_by_id(out)
    for gid, src in mutant.cells.items():
        if gid not in cells:
            raise ValueError(f"mutant {mutant.name!r} replaces cell {gid!r}, which the notebook does not have.")
        cells[gid].source = src
    return out


def build_class(lesson: str, folder: Path, repeats: int = 1) -> dict[str, Mutant | None]:
    """Write ``folder/<student>/<lesson>/<lesson>.ipynb`` for perfect (x repeats), blank and each mutant.

    Returns student id -> mutant (None for the perfect and blank students).
    """
    folder = Path(folder)
    students: dict[str, Mutant | None] = {}

    def write(student: str, nb: nbformat.NotebookNode) -> None:
        target = folder / student / lesson / f"{lesson}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)

    perfect = perfect_submission(lesson)
    for i in range(repeats):
        write(f"perfect-{i + 1}", perfect)
        students[f"perfect-{i + 1}"] = None
    write("blank", blank_submission(lesson))
    students["blank"] = None
    for mutant in load_mutants(lesson):
        student = f"mutant-{mutant.name}"
        write(student, apply_mutant(perfect, mutant))
        students[student] = mutant
    return students
