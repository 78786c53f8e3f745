"""Lesson text sources: the jupytext py:percent file an author edits, and the notebook built from it.

``solutions/NN-slug/NN-slug.py`` is the one file authors edit and reviewers read. nbgrader metadata
sits inline in the cell markers, TinyTorch style::

    # %% nbgrader={"grade": true, "grade_id": "test_job_cost", "locked": true, "points": 3.0, ...}

``build_source_notebook`` turns it into the nbgrader source notebook ``solutions/NN-slug/NN-slug.ipynb``
(``tradeoffs release`` then runs nbgrader on that). Cell ids are derived, not stored: a graded cell's
id is its ``grade_id``, any other cell's is ``cell-NNN`` from its position.
"""
from __future__ import annotations

import copy
from pathlib import Path

import jupytext
import nbformat

from ..lessons import resolve_lesson, source_notebook, text_source

# Only these cell metadata keys are lesson content; anything else in a cell marker is a typo.
CELL_METADATA = ("nbgrader", "tags")
# Layout hints jupytext records when reading unusual spacing; they carry no meaning for the notebook.
_LAYOUT_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker")
TEXT_FORMAT = {
    "extension": ".py",
    "format_name": "percent",
    "notebook_metadata_filter": "-all",
    "cell_metadata_filter": ",".join(CELL_METADATA) + ",-all",
}
# Every lesson notebook carries the same notebook-level metadata, so the text source needs no header.
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


class SourceError(ValueError):
    """A text source that cannot become a lesson notebook; the message says what to fix."""


def cell_id(cell: nbformat.NotebookNode, index: int) -> str:
    """A stable id: the ``grade_id`` of a graded cell, else ``cell-NNN`` from the cell's position."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return grade_id or f"cell-{index:03d}"


def notebook_from_text(text: str, where: str = "text source") -> nbformat.NotebookNode:
    """The nbgrader source notebook for a py:percent text (``where`` names it in error messages)."""
    nb = jupytext.reads(text, fmt=dict(TEXT_FORMAT))
    cells = []
    for index, cell in enumerate(nb.cells):
        meta = {k: v for k, v in cell.metadata.items() if k not in _LAYOUT_KEYS}
        unknown = sorted(set(meta) - set(CELL_METADATA))
        if unknown:
            first = cell.source.splitlines()[0] if cell.source else ""
            raise SourceError(f"{where}: cell {index} ({first[:60]!r}) has cell-marker metadata {unknown}; "
                              f"only {list(CELL_METADATA)} are allowed. Write JSON in the marker, e.g. "
                              '# %% nbgrader={"grade": true, ...} tags=["parameters"]')
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, metadata=meta)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source, metadata=meta)
        else:
            new = nbformat.v4.new_raw_cell(cell.source, metadata=meta)
        new.id = cell_id(new, index)
        cells.append(new)
    ids = [c.id for c in cells]  # checked before nbformat would quietly rename a repeated id
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SourceError(f"{where}: grade_ids used twice: {duplicates}; every graded cell needs its own grade_id")
    out = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(NOTEBOOK_METADATA))
    out.nbformat, out.nbformat_minor = 4, 5
    try:
        nbformat.validate(out)
    except nbformat.ValidationError as err:
        raise SourceError(f"{where}: the built notebook is not valid nbformat: {err.message}") from err
    return out


def text_from_notebook(nb: nbformat.NotebookNode) -> str:
    """The py:percent text of a notebook (its nbgrader metadata and tags inline in the cell markers)."""
    return jupytext.writes(nb, fmt=dict(TEXT_FORMAT))


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """The notebook's JSON exactly as it is committed (nbformat's layout plus a final newline)."""
    return nbformat.writes(nb) + "\n"


def built_notebook_text(lesson: str) -> str:
    """The JSON that the lesson's text source builds (raises ``SourceError`` if the source is missing)."""
    path = text_source(lesson)
    if not path.exists():
        raise SourceError(f"{path} is missing: every lesson is authored as a py:percent text source there "
                          f"(convert an existing notebook with "
                          f"`python -c 'from tradeoffs.instructor.sources import write_text_source as w; "
                          f"w(\"{lesson}\")'`)")
    return notebook_text(notebook_from_text(path.read_text(encoding="utf-8"), where=str(path)))


def build_source_notebook(lesson: str) -> Path:
    """Write ``solutions/NN-slug/NN-slug.ipynb`` from the text source (untouched when already equal)."""
    lesson = resolve_lesson(lesson)
    text = built_notebook_text(lesson)
    target = source_notebook(lesson)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def source_drift(lesson: str) -> str | None:
    """Why the committed source notebook differs from what the text source builds, or None if equal."""
    target = source_notebook(lesson)
    if not target.exists():
        return f"{target} is missing: run `make release`"
    if target.read_text(encoding="utf-8") != built_notebook_text(lesson):
        return (f"{target} differs from what {text_source(lesson).name} builds: edit the text source, "
                f"run `make release` and commit both (never edit the .ipynb by hand)")
    return None


def write_text_source(lesson: str) -> Path:
    """Create the text source from an existing source notebook (a one-off conversion); returns its path."""
    lesson = resolve_lesson(lesson)
    nb = nbformat.read(source_notebook(lesson), as_version=4)
    path = text_source(lesson)
    path.write_text(text_from_notebook(nb), encoding="utf-8")
    return path
