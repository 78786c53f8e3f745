"""The lesson contract (DESIGN.md section 3), enforced for every lesson folder in solutions/.

Static checks run in a second. The grading check autogrades a perfect submission and the blank release
with the real nbgrader pipeline at `ci` scale and replays every mutant (tradeoffs/instructor/replay.py);
`make test-full` also grades every mutant with nbgrader.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import nbformat
import pytest

from tradeoffs.instructor.contract import check_lesson
from tradeoffs.instructor.markers import hidden_blocks, split_hidden
from tradeoffs.instructor.mutants import (FAMILIES, Edit, Mutant, MutantDoesNotApply, apply_mutant,
                                          auto_test_cells, changed_cells, family_counts, family_gaps,
                                          family_problems, load_mutants, perfect_submission)
from tradeoffs.instructor.release import generate, generate_many
from tradeoffs.lessons import all_lessons, release_notebook, source_notebook, text_source

LESSONS = all_lessons()
GRADE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def graded_cells(nb):
    return [c for c in nb.cells if "nbgrader" in c.metadata]


def test_there_are_lessons():
    assert "00-tradeoff-triangle" in LESSONS, "lesson 00 must exist"


@pytest.mark.parametrize("lesson", LESSONS)
def test_source_metadata_is_valid(lesson):
    nb = nbformat.read(source_notebook(lesson), as_version=4)
    nbformat.validate(nb)
    ids = []
    visible = hidden = 0
    for cell in graded_cells(nb):
        meta = cell.metadata["nbgrader"]
        assert meta.get("schema_version") == 3, f"{lesson}: nbgrader schema must be 3 in {meta}"
        gid = meta.get("grade_id", "")
        assert GRADE_ID.match(gid), f"{lesson}: grade_id {gid!r} must be an identifier"
        ids.append(gid)
        if meta.get("grade") and not meta.get("solution"):
            assert meta.get("locked"), f"{lesson}: test cell {gid} must be locked"
            assert meta.get("points", 0) > 0, f"{lesson}: test cell {gid} must carry points"
            assert cell.cell_type == "code"
            shown, blocks = split_hidden(cell.source)
            hidden += bool(blocks)
            visible += "assert" in shown
        if meta.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source, f"{lesson}: solution cell {gid} has no BEGIN SOLUTION marker"
    assert len(ids) == len(set(ids)), f"{lesson}: duplicate grade_ids {sorted(i for i in ids if ids.count(i) > 1)}"
    assert visible >= 1, f"{lesson}: needs at least one visible test"
    assert hidden >= 1, f"{lesson}: needs at least one hidden test"
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert "parameters" in tags, f"{lesson}: needs a papermill `parameters` cell (scale, device)"
    import papermill

    params = papermill.inspect_notebook(str(source_notebook(lesson)))
    assert {"scale", "device"} <= set(params), \
        f"{lesson}: papermill must find `scale` and `device` in the parameters cell (no comments on those lines)"


@pytest.mark.parametrize("lesson", LESSONS)
def test_markdown_is_not_commented_out(lesson):
    """Markdown pasted from a .py file keeps '# ' on every line and renders as a wall of headings."""
    nb = nbformat.read(source_notebook(lesson), as_version=4)
    for cell in nb.cells:
        lines = [ln for ln in cell.source.splitlines() if ln.strip()]
        if cell.cell_type == "markdown" and len(lines) >= 3:
            assert not all(ln.startswith("# ") or ln == "#" for ln in lines), \
                f"{lesson}: markdown cell {cell.get('id')} has '# ' before every line"


@pytest.mark.parametrize("lesson", LESSONS)
def test_source_has_no_outputs(lesson):
    nb = nbformat.read(source_notebook(lesson), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{lesson}: strip outputs from solutions/ (cell {cell.get('id')})"
            assert cell.execution_count is None, f"{lesson}: clear execution counts in solutions/"


@pytest.fixture(scope="session")
def fresh_releases(tmp_path_factory) -> dict[str, Path]:
    """Every lesson through nbgrader's generate_assignment once (one nbgrader process, its own gradebook)."""
    from tradeoffs.settings import Settings, use

    folder = tmp_path_factory.mktemp("fresh-releases")
    with use(Settings.from_env().grading_in(folder / "grading")):
        return generate_many(LESSONS, folder / "release")


@pytest.mark.parametrize("lesson", LESSONS)
def test_release_matches_fresh_generate_assignment(lesson, fresh_releases):
    fresh = fresh_releases[lesson] / f"{lesson}.ipynb"
    committed = release_notebook(lesson)
    assert committed.exists(), f"{committed} is missing: run `make release`"
    assert fresh.read_text() == committed.read_text(), \
        f"notebooks/{lesson} is out of date with solutions/: run `make release` and commit the result"
    # nbgrader copies every other file of the source folder: the text source must not be one of them.
    released = sorted(p.name for p in fresh.parent.rglob("*") if p.is_file())
    assert f"{lesson}.py" not in released, f"the text source {lesson}.py was copied into the release"
    assert released == sorted(p.name for p in committed.parent.rglob("*") if p.is_file())
    bodies = [b.split("### END SOLUTION")[0] for b in text_source(lesson).read_text().split("### BEGIN SOLUTION")[1:]]
    answers = [line.strip() for body in bodies for line in body.splitlines() if len(line.strip()) > 20]
    for path in fresh.parent.rglob("*"):  # the notebook's own cells: test_release_has_no_solutions_...
        if path.is_file() and path != fresh:
            text = path.read_text(errors="replace")
            leaked = [a for a in answers if a in text]
            assert not leaked, f"{path.name} in the release holds solution text: {leaked[:3]}"


def test_batch_generation_equals_one_lesson_at_a_time(grading_tmp, tmp_path, fresh_releases):
    """generate_many (one nbgrader process for every lesson) writes what one generate_assignment call does."""
    lesson = LESSONS[0]
    single = generate(lesson, tmp_path / "single") / f"{lesson}.ipynb"
    assert single.read_text() == (fresh_releases[lesson] / f"{lesson}.ipynb").read_text()


@pytest.mark.parametrize("lesson", LESSONS)
def test_release_has_no_solutions_or_hidden_tests(lesson):
    text = release_notebook(lesson).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"release of {lesson} contains {marker!r}"
    source = nbformat.read(source_notebook(lesson), as_version=4)
    release = nbformat.read(release_notebook(lesson), as_version=4)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in graded_cells(release)}
    for cell in graded_cells(source):
        meta = cell.metadata["nbgrader"]
        if meta.get("solution") and cell.cell_type == "code":
            body = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            for line in body.splitlines():
                if len(line.strip()) > 20:
                    assert line.strip() not in by_id[meta["grade_id"]].source, \
                        f"{lesson}: solution line leaked into the release: {line.strip()!r}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_hidden_tests_are_probes_not_asserts(lesson):
    """Hidden tests observe (tradeoffs.checks); the grader decides them outside the student's kernel."""
    import ast

    for cell in graded_cells(nbformat.read(source_notebook(lesson), as_version=4)):
        blocks = hidden_blocks(cell.source)
        if not blocks:
            continue
        hidden = "\n".join(blocks)
        gid = cell.metadata["nbgrader"]["grade_id"]
        tree = ast.parse(hidden)
        asserts = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)
                   or isinstance(n, ast.Raise) and "AssertionError" in ast.unparse(n)]
        assert not asserts, (f"{lesson} {gid}: hidden lines {asserts} assert inside the student's kernel; "
                             "write probes (docs/authoring.md, 'Hidden tests are probes')")
        assert "observe" in hidden, f"{lesson} {gid}: a hidden block with no probe checks nothing"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_test_cell_has_a_wrong_mutant(lesson):
    nb = nbformat.read(source_notebook(lesson), as_version=4)
    tests = {c.metadata["nbgrader"]["grade_id"] for c in graded_cells(nb)
             if c.metadata["nbgrader"].get("grade") and not c.metadata["nbgrader"].get("solution")}
    mutants = load_mutants(lesson)
    covered = {g for m in mutants if m.kind == "wrong" for g in m.loses}
    assert tests <= covered, f"{lesson}: add wrong mutants for {sorted(tests - covered)} in grading/mutants/{lesson}.toml"
    assert any(m.kind == "alternative" for m in mutants), f"{lesson}: add a correct alternative mutant"
    solution_ids = {c.metadata["nbgrader"]["grade_id"] for c in graded_cells(nb) if c.metadata["nbgrader"].get("solution")}
    for m in mutants:
        assert changed_cells(m) <= solution_ids, \
            f"{lesson}: mutant {m.name} changes non-solution cells {changed_cells(m) - solution_ids}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_a_mutant_of_each_family_that_applies(lesson):
    """Issue 17: [applies] names the mistake families of each test cell; each has a wrong mutant."""
    mutants = load_mutants(lesson)
    problems = family_problems(lesson, mutants, auto_test_cells(lesson))  # untagged, undeclared, missing families
    assert not problems, f"{lesson}: " + "; ".join(problems)
    tests = set(auto_test_cells(lesson))
    for m in mutants:
        assert set(m.keeps) <= tests, f"{lesson}: mutant {m.name} keeps unknown cells {sorted(set(m.keeps) - tests)}"
        if m.family == "upstream":
            assert m.keeps, f"{lesson}: upstream mutant {m.name} must list the dependent test it keeps"


def test_family_gaps_names_the_missing_pairs():
    wrong = Mutant(name="m", why="", kind="wrong", loses=["test_a"], family="boundary")
    up = Mutant(name="u", why="", kind="wrong", loses=["test_a"], family="upstream", keeps=["test_b"])
    applies = {"test_a": ["boundary", "units"], "test_b": ["upstream"]}
    assert family_gaps(applies, [wrong, up]) == [f"test_a: no wrong mutant of family 'units' ({FAMILIES['units']})"]
    assert family_counts([wrong, up]) == {"boundary": 1, "upstream": 1}
    untagged = Mutant(name="t", why="", kind="wrong", loses=["test_a"])
    problems = family_problems("no-such-lesson", [untagged], ["test_a"])
    assert "does not say which mistake families apply to ['test_a']" in problems[0]
    assert "without a family" in problems[-1] and "'t'" in problems[-1]


@pytest.mark.parametrize("lesson", LESSONS)
def test_mutants_apply_to_the_current_solution(lesson):
    """Every edit's `find` occurs exactly once in today's solution cell (no notebook runs)."""
    perfect = perfect_submission(lesson)
    for m in load_mutants(lesson):
        mutated = apply_mutant(perfect, m)  # raises MutantDoesNotApply when the solution moved on
        assert [c.source for c in mutated.cells] != [c.source for c in perfect.cells], \
            f"{lesson}: mutant {m.name} changes nothing"


def test_a_stale_edit_says_what_to_update():
    lesson = "00-tradeoff-triangle"
    perfect = perfect_submission(lesson)
    stale = Mutant(name="stale", why="an edit written against an older solution", kind="wrong",
                   loses=["test_job_cost"], edits=[Edit(cell="job_cost", find="no such text", replace="x")],
                   lesson=lesson)
    with pytest.raises(MutantDoesNotApply) as caught:
        apply_mutant(perfect, stale)
    message = str(caught.value)
    for part in (f"grading/mutants/{lesson}.toml", "'stale'", "'job_cost'", "occurs 0 times", "exactly once",
                 "the solution changed: update the edit"):
        assert part in message, f"{part!r} missing from: {message}"
    twice = Mutant(name="twice", why="", kind="wrong", loses=[], edits=[Edit("job_cost", "seconds", "s")],
                   lesson=lesson)
    with pytest.raises(MutantDoesNotApply, match=r"occurs \d+ times"):
        apply_mutant(perfect, twice)


def test_a_wrong_mutant_may_not_copy_whole_cells(tmp_path, monkeypatch):
    import tradeoffs.instructor.mutants as mutants

    path = tmp_path / "lesson.toml"
    monkeypatch.setattr(mutants, "mutants_file", lambda lesson: path)
    path.write_text('[[mutant]]\nname = "copy"\nkind = "wrong"\nloses = []\n[mutant.cells]\njob_cost = "pass"\n')
    with pytest.raises(ValueError, match=r"write it as \[\[mutant.edit\]\]"):
        load_mutants("lesson")
    for find, replace in (("", "x"), ("same", "same")):
        path.write_text(f'[[mutant]]\nname = "e"\nloses = []\n[[mutant.edit]]\ncell = "job_cost"\n'
                        f'find = "{find}"\nreplace = "{replace}"\n')
        with pytest.raises(ValueError, match="find"):
            load_mutants("lesson")


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_grading_contract(lesson, tmp_path):
    """nbgrader: perfect = all automatic points, blank = 0, no leaks; replayed: wrong mutants lose,
    alternatives keep everything, and the canary rerun of the perfect tests still scores full."""
    result = check_lesson(lesson, workdir=tmp_path, jobs=2, repeats=1, full=False)
    print("\n".join(result.lines))
    assert result.ok, "grading contract broken:\n" + "\n".join(result.failures)


@pytest.mark.slow
@pytest.mark.full
@pytest.mark.parametrize("lesson", LESSONS)
def test_grading_contract_full(lesson, tmp_path):
    """The same contract with every mutant (and the perfect notebook twice) through the whole pipeline."""
    result = check_lesson(lesson, workdir=tmp_path, jobs=2, repeats=2, full=True)
    print("\n".join(result.lines))
    assert result.ok, "grading contract broken:\n" + "\n".join(result.failures)
