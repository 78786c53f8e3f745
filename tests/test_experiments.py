"""`tradeoffs experiments` at ci scale: every lesson runs, writes ledger rows, and the report draws."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from tradeoffs.experiments import run_experiments
from tradeoffs.lessons import all_lessons
from tradeoffs.report import build_report


# `make test` reruns two lessons this way (the contract test already runs every lesson's solution at
# ci scale); `make test-full` reruns all of them.
SOME = ["00-tradeoff-triangle", "02-metrics"]


@pytest.mark.slow
@pytest.mark.parametrize("lessons", [pytest.param(SOME, id="two-lessons"),
                                     pytest.param(None, id="every-lesson", marks=pytest.mark.full)])
def test_experiments_at_ci_scale_fill_the_ledger_and_report(lessons, tmp_path):
    run_dir, runs = run_experiments(scale="ci", device="cpu", lessons=lessons, run_dir=tmp_path / "run", progress=False)
    failed = {r.lesson: r.detail for r in runs if r.status == "failed"}
    assert not failed, f"notebooks failed: {failed}"
    chosen = lessons or all_lessons()
    assert {r.lesson for r in runs} == set(chosen)
    status = json.loads((run_dir / "status.json").read_text())
    assert status["scale"] == "ci" and len(status["notebooks"]) == len(chosen)

    ledger = pd.read_csv(run_dir / "ledger.csv")
    lessons_with_rows = {f"{int(x):02d}" for x in ledger["lesson"].dropna()}
    expected = {name[:2] for name in chosen}
    assert expected <= lessons_with_rows, f"lessons without ledger rows: {sorted(expected - lessons_with_rows)}"
    assert (ledger["scale"] == "ci").all() and (ledger["train_seconds"] >= 0).all()

    report = build_report([run_dir / "ledger.csv"], tmp_path / "report")
    png = tmp_path / "report" / "frontier.png"
    assert png.stat().st_size > 10_000, "the frontier plot should not be empty"
    text = report.read_text()
    assert "Lesson 00" in text and "frontier.png" in text


def test_a_failing_notebook_does_not_stop_the_run(tmp_path, monkeypatch):
    import nbformat

    from tradeoffs import experiments

    bad = tmp_path / "bad.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("scale = None\ndevice = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise RuntimeError('boom in a lesson')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, bad)
    gpu = tmp_path / "gpu.ipynb"
    nb.metadata["tradeoffs"] = {"requires": "cuda"}
    nbformat.write(nb, gpu)
    paths = {"bad": bad, "gpu": gpu}
    monkeypatch.setattr(experiments, "source_notebook", lambda lesson: paths[lesson])
    monkeypatch.setattr(experiments, "resolve_lesson", lambda name: name)
    _, runs = run_experiments(scale="ci", device="cpu", lessons=["bad", "gpu"], run_dir=tmp_path / "run",
                              progress=False)
    by = {r.lesson: r for r in runs}
    assert by["bad"].status == "failed" and "boom in a lesson" in by["bad"].detail
    assert by["gpu"].status == "skipped" and "CUDA" in by["gpu"].detail


def test_report_needs_rows(tmp_path):
    with pytest.raises(ValueError, match="make experiments"):
        build_report([tmp_path / "missing.csv"], tmp_path / "out")
