"""Explain, in plain words, what is wrong with a submission before and after autograding."""
from __future__ import annotations

from pathlib import Path

import nbformat

from .output_limits import CELL_BYTES, NOTEBOOK_BYTES, cuts_in, human
from ..settings import active

HUGE_BYTES = 5 * 2**20
LIMIT_NAMES = {
    "CellTimeoutError": "ran past the per-cell time limit ({timeout} s) and was stopped; it scored zero",
    "MemoryError": "ran out of memory (limit {memory} MB per process) and was stopped",
    "DeadKernelError": "crashed the Python kernel",
}


def _meta(cell: nbformat.NotebookNode) -> dict:
    meta = cell.metadata.get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def _graded(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """grade_id -> cell, for every cell with well-formed nbgrader metadata (anything else is skipped)."""
    return {_meta(c)["grade_id"]: c for c in nb.cells if isinstance(_meta(c).get("grade_id"), str)
            and _meta(c)["grade_id"]}


def before_grading(submitted: Path, release: Path) -> list[str]:
    """Problems visible in the staged (normalised) file: edited locked cells, size.

    Missing, duplicate and malformed graded cells are explained by :mod:`normalise`, extra files by
    :mod:`collect`.
    """
    problems: list[str] = []
    nb = nbformat.read(submitted, as_version=4)
    ref = nbformat.read(release, as_version=4)
    mine, theirs = _graded(nb), _graded(ref)
    edited = [gid for gid, cell in theirs.items() if cell.metadata["nbgrader"].get("locked") and gid in mine
              and mine[gid].source.strip() != cell.source.strip()]
    if edited:
        problems.append(f"locked cells edited: {', '.join(edited)} (the original cells were restored and used "
                        "for grading)")
    size = submitted.stat().st_size
    if size > HUGE_BYTES:
        problems.append(f"the notebook is {size / 2**20:.0f} MB, mostly outputs (outputs are cleared before grading)")
    return problems


def after_grading(autograded: Path) -> list[str]:
    """Problems seen while the notebook ran: timeouts, memory, crashes, errors at import, outputs cut."""
    if not autograded.exists():
        return []
    nb = nbformat.read(autograded, as_version=4)
    limits = active().limits
    timeout, memory = limits.cell_timeout_s, limits.memory_mb
    problems: list[str] = []
    first_error_seen = False
    for index, cell in enumerate(nb.cells):
        meta = _meta(cell)
        where = meta.get("grade_id") or f"cell {index + 1}"
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            name = out.get("ename", "")
            if name in LIMIT_NAMES:
                problems.append(f"{where} " + LIMIT_NAMES[name].format(timeout=timeout, memory=memory))
            elif name in ("SyntaxError", "IndentationError") and not meta.get("grade"):
                problems.append(f"{where} has a syntax error: {out.get('evalue', '')[:120]}")
            elif name in ("ModuleNotFoundError", "ImportError") and not first_error_seen:
                problems.append(f"{where} failed to import: {out.get('evalue', '')[:120]}")
            first_error_seen = True
    for index, produced in cuts_in(nb):
        meta = _meta(nb.cells[index])
        where = meta.get("grade_id") or f"cell {index + 1}"
        problems.append(f"{where} printed {human(produced)} of output while grading; the graded notebook and "
                        f"feedback keep at most {human(CELL_BYTES)} per cell and {human(NOTEBOOK_BYTES)} in all")
    seen, unique = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique
