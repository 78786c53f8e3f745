"""Cap the bytes of output a graded notebook keeps, per cell and per notebook.

nbgrader's own ``LimitOutput`` counts stream lines only: one line can hold gigabytes, and images,
HTML and results are not counted at all. :func:`limit_outputs` counts the bytes every output takes
in the notebook file and cuts a cell's outputs past :data:`CELL_BYTES` (and every output once the
notebook has kept :data:`NOTEBOOK_BYTES`), leaving a note that says how much the cell produced.
The first error outputs are always kept (shortened), so a failing test still reads as failed wherever the cut
happens. The largest outputs of the reference solutions are about 120 kB in one cell (a figure) and
290 kB in one notebook, so honest work stays well under both caps.

Used three ways: as a feedback preprocessor (``LimitOutputBytes`` in ``GenerateFeedback``), on the
autograded notebook after grading (:func:`cap_file`), and, optionally, as an ``Autograde``
preprocessor placed after ``SaveAutoGrades``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer

CELL_BYTES = 512 * 1024
NOTEBOOK_BYTES = 4 * 2**20
MARKER = "tradeoffs_output_cut"  # key in the note's metadata: {"bytes": what the cell produced}
_UNREADABLE_BYTES = 2**30        # a file this large is not parsed again after grading
_ERROR_TEXT = 2000               # characters kept of an error's message and of each traceback line
_TRACEBACK_LINES = 12
_ERRORS_KEPT = 3                 # errors kept past the cap (a failed test needs one; a kernel can be made to send more)


def human(n: float) -> str:
    """``1536`` -> ``'1.5 kB'`` (powers of 1024, as ``ls -h``)."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def output_bytes(output: Any) -> int:
    """Bytes one output takes in the notebook file (its JSON, UTF-8)."""
    return len(json.dumps(output, ensure_ascii=False).encode("utf-8"))


def _is_note(output: Any) -> bool:
    return isinstance(output, dict) and MARKER in (output.get("metadata") or {})


def _cut_text(text: Any, room: int) -> str:
    text = "".join(text) if isinstance(text, list) else str(text)
    return text.encode("utf-8")[:max(room, 0)].decode("utf-8", errors="ignore")


def _shrink(output: Any, room: int) -> Any | None:
    """A smaller copy of ``output`` that fits ``room`` bytes, or None to drop it (errors are always kept)."""
    kind = output.get("output_type")
    if kind == "error":
        tb = [_cut_text(line, _ERROR_TEXT) for line in output.get("traceback", [])[-_TRACEBACK_LINES:]]
        return nbformat.from_dict({"output_type": "error", "ename": _cut_text(output.get("ename", ""), 200),
                                   "evalue": _cut_text(output.get("evalue", ""), _ERROR_TEXT), "traceback": tb})
    room -= 200  # the output's own JSON around the text
    if room <= 0:
        return None
    if kind == "stream":
        return nbformat.from_dict({"output_type": "stream", "name": output.get("name", "stdout"),
                                   "text": _cut_text(output.get("text", ""), room)})
    if kind in ("execute_result", "display_data"):
        plain = (output.get("data") or {}).get("text/plain")
        if plain is None:
            return None
        small = {"output_type": kind, "data": {"text/plain": _cut_text(plain, room)}, "metadata": {}}
        if kind == "execute_result":
            small["execution_count"] = output.get("execution_count")
        return nbformat.from_dict(small)
    return None


def _note(produced: int, cell_bytes: int, notebook_bytes: int) -> Any:
    text = (f"[output cut by the grader: this cell produced {human(produced)} of output; a graded notebook "
            f"keeps at most {human(cell_bytes)} per cell and {human(notebook_bytes)} in all]")
    return nbformat.from_dict({"output_type": "display_data", "data": {"text/plain": text},
                               "metadata": {MARKER: {"bytes": produced}}})


def limit_outputs(nb: Any, cell_bytes: int = CELL_BYTES, notebook_bytes: int = NOTEBOOK_BYTES) -> list[tuple[int, int]]:
    """Cut outputs in place; returns ``(cell index, bytes the cell produced)`` for every cell cut now.

    A cell already cut (it carries the note) is cut again only if it is still over the limits.
    """
    left = notebook_bytes
    cut: list[tuple[int, int]] = []
    for index, cell in enumerate(nb.cells):
        outputs = cell.get("outputs") if cell.get("cell_type") == "code" else None
        if not outputs:
            continue
        notes = [o for o in outputs if _is_note(o)]
        real = [o for o in outputs if not _is_note(o)]
        sizes = [output_bytes(o) for o in real]
        total = sum(sizes)
        budget = max(0, min(cell_bytes, left))
        if total <= budget:
            left -= total
            continue
        produced = max([total] + [int(n["metadata"][MARKER].get("bytes", 0)) for n in notes])
        kept, used, errors = [], 0, 0
        for output, size in zip(real, sizes):
            if used + size <= budget:
                kept.append(output)
                used += size
                continue
            if output.get("output_type") == "error":
                errors += 1
                if errors > _ERRORS_KEPT:
                    continue
            small = _shrink(output, budget - used)
            if small is not None:
                kept.append(small)
                used += output_bytes(small)
        kept.append(_note(produced, cell_bytes, notebook_bytes))
        cell.outputs = kept
        left -= used
        cut.append((index, produced))
    return cut


def cuts_in(nb: Any) -> list[tuple[int, int]]:
    """``(cell index, bytes produced)`` for every cell that carries a cut note."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if _is_note(output):
                found.append((index, int(output["metadata"][MARKER].get("bytes", 0))))
    return found


def cap_file(path: Path, cell_bytes: int = CELL_BYTES, notebook_bytes: int = NOTEBOOK_BYTES) -> str | None:
    """Cut the outputs of the notebook at ``path`` in place; returns a problem sentence when it cannot."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size <= min(cell_bytes, notebook_bytes):
        return None
    size = path.stat().st_size
    if size > _UNREADABLE_BYTES:
        return f"the graded notebook is {human(size)}, too large to cut its outputs; it was left as is"
    nb = nbformat.read(path, as_version=4)
    if limit_outputs(nb, cell_bytes, notebook_bytes):
        nbformat.write(nb, path)
    return None


class LimitOutputBytes(Preprocessor):
    """nbconvert/nbgrader preprocessor form of :func:`limit_outputs`."""

    enabled = Bool(True).tag(config=True)  # nbgrader registers preprocessors by class, disabled by default

    cell_bytes = Integer(CELL_BYTES, help="most bytes of output one cell keeps").tag(config=True)
    notebook_bytes = Integer(NOTEBOOK_BYTES, help="most bytes of output one notebook keeps").tag(config=True)

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        cut = limit_outputs(nb, self.cell_bytes, self.notebook_bytes)
        if cut:
            resources.setdefault("tradeoffs", {})["outputs_cut"] = cut
        return nb, resources
