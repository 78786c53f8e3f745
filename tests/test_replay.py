"""The replay harness: kernel state restored between mutants, verdicts equal to the full pipeline's."""
from __future__ import annotations

import random

import pytest

from tradeoffs.instructor.contract import check_lesson
from tradeoffs.instructor.mutants import Edit, Mutant, load_mutants
from tradeoffs.instructor.replay import replay_lesson


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    yield ip
    InteractiveShell.clear_instance()


def test_restore_puts_back_variables_random_state_and_files(shell, tmp_path):
    from tradeoffs.instructor import kernel_state

    work = tmp_path / "work"
    (work / "run").mkdir(parents=True)
    (work / "run" / "script.py").write_text("print('perfect')\n")
    shell.run_cell("rows = [1, 2]\nimport random\nrandom.seed(3)")
    kernel_state.snapshot("t", str(work))
    expected_draw = random.Random(3).random()
    shell.run_cell("rows.append(3)\nextra = 1\ndraw = random.random()")
    (work / "run" / "script.py").write_text("print('mutant')\n")
    (work / "left-behind.txt").write_text("x")
    assert shell.user_ns["rows"] == [1, 2, 3] and shell.user_ns["draw"] == expected_draw

    for _ in range(2):  # the snapshot itself is never handed out: a second restore is as clean as the first
        kernel_state.restore("t")
        assert shell.user_ns["rows"] == [1, 2], "a list mutated in place must come back as it was"
        assert "extra" not in shell.user_ns, "variables defined after the snapshot must go"
        assert random.random() == expected_draw, "the random generator must replay the same draws"
        assert (work / "run" / "script.py").read_text() == "print('perfect')\n"
        assert not (work / "left-behind.txt").exists()
        shell.user_ns["rows"].append(9)


def test_objects_keep_their_links_when_restored(shell, tmp_path):
    """An optimizer must still hold its own model's parameters after a restore (one deepcopy memo)."""
    from tradeoffs.instructor import kernel_state

    shell.run_cell("import torch\nmodel = torch.nn.Linear(2, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)")
    kernel_state.snapshot("m", str(tmp_path))
    kernel_state.restore("m")
    model, opt = shell.user_ns["model"], shell.user_ns["opt"]
    assert opt.param_groups[0]["params"][0] is model.weight


@pytest.mark.slow
def test_replay_catches_the_mutants_and_says_when_one_is_not_caught():
    lesson = "00-tradeoff-triangle"
    harmless = Mutant(name="only_a_comment", why="not a mistake at all", kind="wrong", loses=["test_job_cost"],
                      edits=[Edit(cell="job_cost", find="def job_cost(", replace="# harmless\ndef job_cost(")])
    replay = replay_lesson(lesson, mutants=load_mutants(lesson) + [harmless])
    by = {r.student: r for r in replay.results}
    assert by["perfect"].points == replay.max_points and by["canary"].points == replay.max_points
    for r in replay.results:
        if r.mutant is not None and r.mutant.kind == "wrong" and r.mutant is not harmless:
            assert all(r.points[g] < replay.max_points[g] for g in r.mutant.loses), r.student
    assert by["mutant-only_a_comment"].points["test_job_cost"] == replay.max_points["test_job_cost"]


@pytest.mark.slow
@pytest.mark.full
@pytest.mark.parametrize("lesson", ["00-tradeoff-triangle", "05-profiling"])
def test_replay_scores_equal_the_full_pipelines(lesson, tmp_path):
    """Every mutant, every test cell: the replay harness gives the points nbgrader gives."""
    full = check_lesson(lesson, workdir=tmp_path, jobs=2, repeats=1, full=True)
    replay = replay_lesson(lesson, to_last_loses=False)
    graded = full.report.by_student()
    differences = []
    for r in replay.results:
        student = "perfect-1" if r.student in ("perfect", "canary") else r.student
        nbgrader_points = {g: float(graded[student].scores.get(g) or 0) for g in replay.max_points}
        if nbgrader_points != r.points:
            differences.append(f"{r.student}: nbgrader {nbgrader_points} vs replay {r.points}")
    assert not differences, "\n".join(differences)
