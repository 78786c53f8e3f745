"""Build test classes from a lesson: a perfect submission, the blank release, and the mutants.

Mutants live in ``grading/mutants/<lesson>.toml`` (format in ``grading/mutants/README.md``). A mutant is
a list of small find/replace edits against the current solution cells, so that it breaks (loudly, with
:class:`MutantDoesNotApply`) instead of silently going stale when a solution changes; a correct
``alternative`` may instead give whole replacement cells.
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


# Families of plausible mistakes (docs/authoring.md, "Test-design checklist"). Every wrong mutant names one;
# every graded test cell lists in its mutants file (``[applies]``) the families that apply to its exercise,
# and the contract requires a mutant of each (``family_gaps``).
FAMILIES: dict[str, str] = {
    "boundary": "a boundary the text states handled wrongly: zero, equality, empty input, ties, strict vs non-strict",
    "units": "a unit or mode that agrees with the right one on easy inputs: % vs points, relative vs absolute, "
             "mode A vs mode B",
    "coinciding": "an input swapped for another one whose value may coincide with the right one on the lesson's data",
    "defaults": "a parameter ignored or left at its default (seed, world size, budget, minimum billing)",
    "upstream": "a mistake in a function another exercise builds on: only its own test may lose points "
                "(the dependent test is listed in `keeps`)",
    "exception": "bad input raises the wrong exception, a bare one, or none",
    "logic": "any other plausible wrong formula or step",
    "checkpoint": "a wrong option of a multiple-choice checkpoint",
    "package_helper": "answers the exercise with a course package helper instead of the method it teaches",
}


class MutantDoesNotApply(ValueError):
    """A mutant's edit no longer matches the solution cell it edits (the solution changed)."""


@dataclass
class Edit:
    cell: str  # grade_id of a solution cell
    find: str  # must occur exactly once in that cell of the perfect submission
    replace: str


@dataclass
class Mutant:
    name: str
    why: str
    kind: str  # "wrong" or "alternative"
    loses: list[str]
    edits: list[Edit] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # whole replacement cells: alternatives only
    lesson: str = ""  # the lesson whose mutants file declares it (for messages)
    family: str = ""  # one of FAMILIES (wrong mutants)
    keeps: list[str] = field(default_factory=list)  # test cells that must keep full points (wrong mutants)


def mutants_file(lesson: str) -> Path:
    return config_dir() / "mutants" / f"{lesson}.toml"


def _where(lesson: str) -> str:
    return f"grading/mutants/{lesson}.toml" if lesson else "the mutants file"


def _parse_mutant(raw: dict, lesson: str) -> Mutant:
    where = _where(lesson)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}: every mutant needs a name.")
    kind = raw.get("kind", "wrong")
    if kind not in ("wrong", "alternative"):
        raise ValueError(f"{where}: mutant {name!r} has kind {kind!r}; use 'wrong' or 'alternative'.")
    cells = raw.get("cells", {})
    if cells and kind != "alternative":
        raise ValueError(f"{where}: mutant {name!r} is 'wrong' but replaces whole cells {sorted(cells)}; "
                         "write it as [[mutant.edit]] entries (cell, find, replace) against the solution, "
                         "so that it cannot silently go stale (only alternatives may use [mutant.cells]).")
    edits = []
    for i, e in enumerate(raw.get("edit", []), 1):
        if set(e) != {"cell", "find", "replace"} or not all(isinstance(v, str) for v in e.values()):
            raise ValueError(f"{where}: mutant {name!r}, edit {i}: needs exactly the strings cell, find and replace "
                             f"(got {sorted(e)}).")
        if not e["find"]:
            raise ValueError(f"{where}: mutant {name!r}, edit {i} on cell {e['cell']!r}: find is empty.")
        if e["find"] == e["replace"]:
            raise ValueError(f"{where}: mutant {name!r}, edit {i} on cell {e['cell']!r}: find and replace are "
                             "the same text, so the edit changes nothing.")
        edits.append(Edit(cell=e["cell"], find=e["find"], replace=e["replace"]))
    if not edits and not cells:
        raise ValueError(f"{where}: mutant {name!r} changes nothing; give it [[mutant.edit]] entries.")
    family = raw.get("family", "")
    if family and family not in FAMILIES:
        raise ValueError(f"{where}: wrong mutant {name!r} needs family = one of {', '.join(FAMILIES)} "
                         f"(got {family!r}; see grading/mutants/README.md).")
    if kind == "alternative" and (family or raw.get("keeps")):
        raise ValueError(f"{where}: alternative {name!r} keeps every point by definition; drop family and keeps.")
    keeps = list(raw.get("keeps", []))
    loses = list(raw.get("loses", []))
    if set(keeps) & set(loses):
        raise ValueError(f"{where}: mutant {name!r} lists {sorted(set(keeps) & set(loses))} in both loses and keeps.")
    return Mutant(name=name, why=raw.get("why", ""), kind=kind, loses=loses, edits=edits,
                  cells={k: v.strip("\n") for k, v in cells.items()}, lesson=lesson, family=family, keeps=keeps)


def load_mutants(lesson: str) -> list[Mutant]:
    """Every mutant declared for ``lesson`` (an empty list when it has no file)."""
    path = mutants_file(lesson)
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text())
    out = [_parse_mutant(raw, lesson) for raw in data.get("mutant", [])]
    names = [m.name for m in out]
    if len(names) != len(set(names)):
        raise ValueError(f"{path}: mutant names must be unique.")
    return out


def auto_test_cells(lesson: str) -> list[str]:
    """grade_ids of the lesson's autograded test cells (graded, not a solution), in notebook order."""
    nb = nbformat.read(source_notebook(lesson), as_version=4)
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")]


def load_applies(lesson: str) -> dict[str, list[str]]:
    """The ``[applies]`` table: test cell grade_id -> the mistake families that apply to its exercise."""
    path = mutants_file(lesson)
    if not path.exists():
        return {}
    applies = tomllib.loads(path.read_text()).get("applies", {})
    for cell, families in applies.items():
        unknown = [f for f in families if f not in FAMILIES]
        if not isinstance(families, list) or unknown:
            raise ValueError(f"{_where(lesson)}: [applies] {cell} must be a list of families from "
                             f"{', '.join(FAMILIES)} (unknown: {unknown}).")
    return {cell: list(families) for cell, families in applies.items()}


def family_gaps(applies: dict[str, list[str]], mutants: list[Mutant]) -> list[str]:
    """(test cell, family) pairs that ``applies`` requires and no wrong mutant provides, as messages.

    An ``upstream`` mutant covers the cells it *keeps* (the dependent test must not punish it twice);
    every other family covers the cells it *loses*.
    """
    have = set()
    for m in mutants:
        if m.kind == "wrong":
            have |= {(cell, m.family) for cell in (m.keeps if m.family == "upstream" else m.loses)}
    return [f"{cell}: no wrong mutant of family {family!r} ({FAMILIES[family]})"
            for cell, families in applies.items() for family in families if (cell, family) not in have]


def family_problems(lesson: str, mutants: list[Mutant], test_cells: list[str]) -> list[str]:
    """Everything the family rules find wrong: cells without an ``[applies]`` entry, missing families, untagged mutants."""
    applies = load_applies(lesson)
    undeclared = [c for c in test_cells if c not in applies]
    problems = [f"[applies] in {_where(lesson)} does not say which mistake families apply to {undeclared}"] \
        if undeclared else []
    problems += family_gaps(applies, mutants)
    if untagged(mutants):
        problems.append(f"wrong mutants without a family (grading/mutants/README.md): {untagged(mutants)}")
    return problems


def family_counts(mutants: list[Mutant]) -> dict[str, int]:
    """How many wrong mutants each family has (families with none are left out; "" counts untagged ones)."""
    counts: dict[str, int] = {}
    for m in mutants:
        if m.kind == "wrong":
            counts[m.family] = counts.get(m.family, 0) + 1
    return {f: counts[f] for f in [*FAMILIES, ""] if f in counts}


def untagged(mutants: list[Mutant]) -> list[str]:
    """Names of wrong mutants without a family."""
    return [m.name for m in mutants if m.kind == "wrong" and not m.family]


def changed_cells(mutant: Mutant) -> set[str]:
    """The grade_ids of the cells ``mutant`` changes (whole cells and edited cells)."""
    return set(mutant.cells) | {e.cell for e in mutant.edits}


def _occurrences(text: str, find: str) -> int:
    """How many times ``find`` occurs in ``text``, overlapping occurrences included."""
    count, start = 0, text.find(find)
    while start != -1:
        count += 1
        start = text.find(find, start + 1)
    return count


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
    """A copy of ``nb`` (the perfect submission) with the mutant's whole cells, then its edits, applied.

    Each edit's ``find`` must occur exactly once in its cell as it stands (after earlier edits); otherwise
    :class:`MutantDoesNotApply` says which file, mutant and cell to update.
    """
    where = _where(mutant.lesson)
    out = copy.deepcopy(nb)
    cells = _cells_by_id(out)
    missing = sorted(changed_cells(mutant) - set(cells))
    if missing:
        raise MutantDoesNotApply(f"{where}: mutant {mutant.name!r} changes cells {missing}, which the notebook does "
                                 f"not have; update the mutant in {where}.")
    for gid, src in mutant.cells.items():
        cells[gid].source = src
    for i, edit in enumerate(mutant.edits, 1):
        text = cells[edit.cell].source
        n = _occurrences(text, edit.find)
        if n != 1:
            hint = ("copy find afresh from the solution cell" if n == 0 else
                    "add neighbouring lines to find until it is unique")
            raise MutantDoesNotApply(
                f"{where}: mutant {mutant.name!r}, edit {i} on cell {edit.cell!r}: find occurs {n} times in the "
                f"current solution cell, but must occur exactly once: {edit.find!r}; the solution changed: "
                f"update the edit in {where} ({hint}).")
        cells[edit.cell].source = text.replace(edit.find, edit.replace, 1)
    return out


def build_class(lesson: str, folder: Path, repeats: int = 1, mutants: bool = True) -> dict[str, Mutant | None]:
    """Write ``folder/<student>/<lesson>/<lesson>.ipynb`` for perfect (x repeats), blank and (``mutants``) each mutant.

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
    for mutant in load_mutants(lesson) if mutants else []:
        student = f"mutant-{mutant.name}"
        write(student, apply_mutant(perfect, mutant))
        students[student] = mutant
    return students
