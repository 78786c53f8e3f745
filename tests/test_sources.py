"""Lesson text sources: the py:percent file, the nbgrader source notebook and the release never drift.

The release check (no text source, no solution text in ``notebooks/``) sits beside the other release
checks in ``test_lesson_contract.py``; ``pre-commit run --all-files`` (ruff, nbstripout) runs here.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tradeoffs.instructor.sources import (
    SourceError,
    built_notebook_text,
    notebook_from_text,
    source_drift,
    text_from_notebook,
)
from tradeoffs.lessons import all_lessons, source_notebook, text_source
from tradeoffs.paths import repo_root

LESSONS = all_lessons()
GRADED = '# %% nbgrader={"grade": true, "grade_id": "test_x", "locked": true, "points": 1, "schema_version": 3, ' \
         '"solution": false, "task": false}\nassert x == 1\n'


def test_every_lesson_has_a_text_source():
    assert LESSONS
    missing = [str(text_source(lesson)) for lesson in LESSONS if not text_source(lesson).exists()]
    assert missing == [], f"lessons without a py:percent text source: {missing}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_source_notebook_is_built_from_the_text_source(lesson):
    assert source_drift(lesson) is None, source_drift(lesson)


@pytest.mark.parametrize("lesson", LESSONS)
def test_text_source_round_trips(lesson):
    """Writing the built notebook back to text gives the committed text: nothing is lost either way."""
    text = text_source(lesson).read_text(encoding="utf-8")
    assert text_from_notebook(notebook_from_text(text)) == text


def test_drift_is_detected(tmp_path, monkeypatch):
    """The drift check can fail: an edit to the text source that was not rebuilt is reported."""
    import tradeoffs.instructor.sources as sources

    lesson = LESSONS[0]
    copy = tmp_path / lesson
    copy.mkdir()
    shutil.copy(text_source(lesson), copy / f"{lesson}.py")
    shutil.copy(source_notebook(lesson), copy / f"{lesson}.ipynb")
    monkeypatch.setattr(sources, "text_source", lambda name: copy / f"{name}.py")
    monkeypatch.setattr(sources, "source_notebook", lambda name: copy / f"{name}.ipynb")
    assert source_drift(lesson) is None
    with open(copy / f"{lesson}.py", "a", encoding="utf-8") as f:
        f.write("\n# %%\nprint('an edit nobody rebuilt')\n")
    assert "make release" in source_drift(lesson)
    (copy / f"{lesson}.ipynb").write_text(built_notebook_text(lesson), encoding="utf-8")
    assert source_drift(lesson) is None


def test_graded_cell_id_is_its_grade_id():
    nb = notebook_from_text("# %% [markdown]\n# Title\n\n# %%\nx = 1\n\n" + GRADED)
    assert [c.id for c in nb.cells] == ["cell-000", "cell-001", "test_x"]
    assert nb.cells[2].metadata["nbgrader"]["points"] == 1


def test_unknown_cell_metadata_names_the_fix():
    with pytest.raises(SourceError, match=r"only \['nbgrader', 'tags'\] are allowed"):
        notebook_from_text('# %% nbgrader_typo={"grade": true}\nx = 1\n')


def test_duplicate_grade_id_is_refused():
    with pytest.raises(SourceError, match="grade_ids used twice: \\['test_x'\\]"):
        notebook_from_text(GRADED + "\n" + GRADED)


def test_missing_text_source_says_how_to_convert(tmp_path, monkeypatch):
    import tradeoffs.instructor.sources as sources

    monkeypatch.setattr(sources, "text_source", lambda name: tmp_path / f"{name}.py")
    with pytest.raises(SourceError, match="write_text_source"):
        built_notebook_text(LESSONS[0])


def test_source_notebooks_are_plain_nbformat():
    for lesson in LESSONS:
        nbformat.validate(nbformat.read(source_notebook(lesson), as_version=4))


@pytest.mark.skipif(not (repo_root() / ".git").exists(), reason="pre-commit needs a git checkout")
def test_pre_commit_hooks_pass(tmp_path):
    """ruff on the package and the text sources, nbstripout on every notebook; downloads nothing."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(bin_dir / "pre-commit"), "run", "--all-files", "--show-diff-on-failure"],
                            cwd=repo_root(), env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
