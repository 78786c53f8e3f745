"""Make a submitted notebook's nbgrader metadata gradable, and say in plain words what was changed.

What nbgrader 0.9.6 does without this step (each case graded for real while writing this module):

* cell metadata ``nbgrader`` that is not a dictionary (a string, a list...): its preprocessors call
  ``.get`` on it, the notebook fails with ``AttributeError`` and nothing is graded;
* a dictionary without a grade_id, or with a grade_id the release does not have: ``OverwriteCells``
  deletes the unknown id, then ``CheckCellMetadata`` rejects the notebook ("the nbgrader metadata may
  be corrupted"); nothing is graded;
* one grade_id on several cells: ``DeduplicateIds`` keeps it on the *last* such cell and sets the
  others' metadata to ``{}``, which ``CheckCellMetadata`` then rejects as "an old version of the
  nbgrader metadata format" (and asks to run ``nbgrader update``); nothing is graded;
* graded cells deleted, or whose metadata was stripped: nbgrader does not put them back
  (``OverwriteCells.add_missing_cells`` is off); a missing test scores zero, and a missing answer
  cell is simply absent (an unmarked cell with the same code still runs, as ordinary code).

What :func:`normalise_notebook` does instead, on the staged copy only (the student's file is kept):
malformed or unknown metadata is removed; of duplicates the last keeps its metadata, as nbgrader
intends, and the others lose theirs; every kept cell gets the release's metadata for its grade_id
(a student cannot turn a test into an answer or change its points); a missing locked cell (a test)
whose unchanged source is found on exactly one unmarked cell gets its metadata back and is graded
normally; anything still missing is reported with what it costs.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import nbformat

MATERIAL = ("grade", "solution", "locked", "points", "task")
# A notebook larger than this on disk has its saved outputs cleared when staged (see clear_saved_outputs).
SAVED_OUTPUT_BYTES = 8 * 2**20


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {str: "a string", list: "a list", bool: "true/false", int: "a number", float: "a number"}.get(
        type(value), f"a {type(value).__name__}")


def _release_cells(release: Any) -> dict[str, Any]:
    out = {}
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader")
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str) and meta["grade_id"]:
            out[meta["grade_id"]] = cell
    return out


def _cost(gid: str, cell: Any) -> str:
    meta = cell.metadata["nbgrader"]
    points = meta.get("points") or 0
    if meta.get("grade") and meta.get("solution"):
        return f"{gid} (a written answer worth {points:g} points: nothing to grade by hand)"
    if meta.get("grade"):
        return f"{gid} (a test worth {points:g} points: not run, scores zero)"
    if meta.get("solution"):
        return f"{gid} (an answer cell: its tests still ran, against whatever the notebook defines)"
    return f"{gid} (a read-only cell)"


def _cells(numbers: list[int]) -> str:
    shown = [f"{n + 1}" for n in numbers]
    return "cells " + (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0])


def normalise_notebook(nb: Any, release: Any) -> list[str]:
    """Fix ``nb``'s nbgrader metadata in place against the ``release`` notebook; returns what was done."""
    problems: list[str] = []
    ref = _release_cells(release)
    had_any = any("nbgrader" in cell.metadata for cell in nb.cells)
    found: dict[str, list[int]] = {}
    removed: dict[int, str] = {}  # cell index -> what was wrong with its metadata
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.metadata:
            continue
        meta = cell.metadata["nbgrader"]
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if isinstance(gid, str) and gid in ref:
            found.setdefault(gid, []).append(index)
            continue
        del cell.metadata["nbgrader"]
        if not isinstance(meta, dict):
            removed[index] = f"malformed nbgrader metadata ({_kind_of(meta)}, not a dictionary)"
        elif isinstance(gid, str) and gid:
            removed[index] = f"grade_id {gid!r}, which the release does not have"
        elif any(meta.get(k) for k in MATERIAL):
            removed[index] = "nbgrader metadata without a valid grade_id"
    for gid, indices in found.items():
        if len(indices) > 1:
            for index in indices[:-1]:
                del nb.cells[index].metadata["nbgrader"]
            problems.append(f"grade_id {gid} appears {len(indices)} times ({_cells(indices)}): the last one "
                            f"(cell {indices[-1] + 1}) was graded, as nbgrader does; the others ran as ordinary cells")
        cell, wanted = nb.cells[indices[-1]], ref[gid].metadata["nbgrader"]
        edited = [k for k in MATERIAL if cell.metadata["nbgrader"].get(k) != wanted.get(k)]
        if edited:
            problems.append(f"cell {indices[-1] + 1} ({gid}) had its nbgrader metadata edited "
                            f"({', '.join(edited)}): the release's was used")
        cell.metadata["nbgrader"] = copy.deepcopy(wanted)
    missing = [gid for gid in ref if gid not in found]
    restored: dict[str, int] = {}
    for gid in missing:
        release_cell = ref[gid]
        source = release_cell.source.strip()
        if not (release_cell.metadata["nbgrader"].get("locked") and source):
            continue
        matches = [i for i, c in enumerate(nb.cells) if "nbgrader" not in c.metadata and c.source.strip() == source]
        if len(matches) == 1:
            nb.cells[matches[0]].metadata["nbgrader"] = copy.deepcopy(release_cell.metadata["nbgrader"])
            restored[gid] = matches[0]
    back = {index: gid for gid, index in restored.items()}
    for index, what in removed.items():
        if index in back:
            problems.append(f"cell {index + 1} had {what}; its source is the release's {back[index]}, so the "
                            "release's metadata was put back and it was graded normally")
        else:
            problems.append(f"cell {index + 1} had {what}: the metadata was removed and the cell ran as an "
                            "ordinary cell")
    stripped = [gid for gid, index in restored.items() if index not in removed]
    if stripped:
        problems.append(f"nbgrader metadata of graded cells stripped: {', '.join(stripped)} (their source is "
                        "unchanged, so the release's metadata was put back and they were graded normally)")
    lost = [gid for gid in missing if gid not in restored]
    if lost:
        costs = ", ".join(_cost(gid, ref[gid]) for gid in lost)
        if had_any:
            problems.append(f"graded cells deleted: {costs}; nbgrader does not restore deleted cells "
                            "(or cells whose nbgrader metadata was removed)")
        else:
            problems.append(f"nbgrader metadata of graded cells stripped (the notebook has none left, e.g. it "
                            f"was saved by an editor that drops cell metadata): {costs}")
    return problems


def clear_saved_outputs(nb: nbformat.NotebookNode, size: int) -> list[str]:
    """Drop the outputs a large notebook was saved with: grading runs every cell afresh anyway."""
    if size <= SAVED_OUTPUT_BYTES:
        return []
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return [f"the notebook was saved with {size / 2**20:.0f} MB of outputs; they were cleared before grading "
            "(grading runs every cell again, so no answer is lost)"]


def normalise_file(path: Path, release: Path) -> list[str]:
    """Normalise the notebook at ``path`` in place (rewritten only when something changed)."""
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    problems = clear_saved_outputs(nb, path.stat().st_size)
    problems += normalise_notebook(nb, nbformat.read(release, as_version=4))
    if nbformat.writes(nb) != before:
        nbformat.write(nb, path)
    return problems
