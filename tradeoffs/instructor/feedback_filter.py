"""nbgrader feedback preprocessor that never shows the source of hidden tests.

nbgrader restores hidden tests before autograding, so its feedback HTML would show them verbatim.
For every autograder test cell this preprocessor shows the *released* (visible) source instead,
adds a note where hidden tests ran, and reduces error tracebacks to the error's type and
message (a traceback quotes the failing source line).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from ..lessons import release_notebook
from .markers import split_hidden

HIDDEN_NOTE = "# (hidden tests also ran here; their source is not shown)"


def released_test_sources(lesson: str) -> dict[str, str]:
    """grade_id -> visible source of every test cell in the released notebook."""
    path = release_notebook(lesson)
    if not Path(path).exists():
        return {}
    nb = nbformat.read(path, as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            out[meta.get("grade_id")] = cell.source
    return out


def strip_hidden_blocks(source: str) -> tuple[str, bool]:
    """Remove the hidden-test blocks; report whether any existed."""
    visible, blocks = split_hidden(source)
    return visible, bool(blocks)


class HideHiddenTests(Preprocessor):
    """Replace test-cell sources with their released version and shorten tracebacks."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        lesson = resources.get("nbgrader", {}).get("assignment") or ""
        visible = released_test_sources(lesson) if lesson else {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not (meta.get("grade") and not meta.get("solution")) or cell.cell_type != "code":
                continue
            stripped, had_markers = strip_hidden_blocks(cell.source)
            shown = visible.get(meta.get("grade_id"))
            if shown is None:
                shown = stripped if had_markers else "# (test source not shown)"
            if shown.strip() != cell.source.strip():
                shown = shown.rstrip() + "\n" + HIDDEN_NOTE
            cell.source = shown
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return nb, resources
