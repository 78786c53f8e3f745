"""One lesson, one folder: each lesson's settings live in ``solutions/NN-slug/lesson.toml``.

The files are checked against what the lessons really do (the figures they record, the metrics they
log, the data they read), and the loader refuses malformed files with a message that names the fix.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from tradeoffs import data, figures, lesson_config, report
from tradeoffs.lesson_config import LessonConfigError, parse
from tradeoffs.lessons import all_lessons, release_dir, solutions_dir, text_source
from tradeoffs.paths import repo_root

LESSONS = all_lessons()
# Which shipped file under data/ each call in a lesson source reads (prices.csv through the cost meter).
READS = {"load_bikeshare(": "bikeshare.csv", "load_rotten_tomatoes(": "rotten_tomatoes_snippets.csv.bz2",
         "measure(": "prices.csv", "price_table(": "prices.csv", "hourly_rate(": "prices.csv"}


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_folder_has_a_valid_lesson_toml(lesson):
    config = lesson_config.load(lesson)
    assert config.path == solutions_dir() / lesson / "lesson.toml"
    assert config.device in lesson_config.DEVICES


@pytest.mark.parametrize("lesson", LESSONS)
def test_figures_are_the_ones_the_lesson_records(lesson):
    """Every record_figure key in the source has an entry in [figures], and every entry is recorded."""
    source = text_source(lesson).read_text(encoding="utf-8")
    keys = re.findall(r'record_figure\(f?"([^"]+)"', source)
    patterns = [re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[0-9a-z_]+", re.escape(k)) + "$") for k in keys]
    declared = set(lesson_config.load(lesson).figures)
    unrecorded = sorted(k for k in declared if not any(p.match(k) for p in patterns))
    undeclared = sorted(k for k, p in zip(keys, patterns) if not any(p.match(d) for d in declared))
    assert not undeclared, f"{lesson}: add {undeclared} under [figures] in solutions/{lesson}/lesson.toml"
    assert not unrecorded, f"{lesson}: lesson.toml lists figures the lesson never records: {unrecorded}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_ledger_metrics_are_the_ones_the_lesson_logs(lesson):
    source = text_source(lesson).read_text(encoding="utf-8")
    logged = set(re.findall(r'metric="([^"]+)"', source))
    declared = set(lesson_config.load(lesson).metrics)
    assert logged == declared, (f"{lesson}: the source logs metrics {sorted(logged)}, lesson.toml [ledger] lists "
                                f"{sorted(declared)}: list each one under quality (higher is better) or other")


@pytest.mark.parametrize("lesson", LESSONS)
def test_data_files_are_the_ones_the_lesson_reads(lesson):
    source = text_source(lesson).read_text(encoding="utf-8")
    needed = {name for call, name in READS.items() if call in source}
    listed = set(lesson_config.load(lesson).data)
    assert needed <= listed, f"{lesson}: add {sorted(needed - listed)} to data in solutions/{lesson}/lesson.toml"
    for path in data.lesson_files(lesson):  # present, and matching data/SHA256SUMS where a sum is recorded
        assert path.parent == repo_root() / "data"


def test_lesson_settings_are_never_released():
    from tradeoffs.instructor.course_config import course_config
    from tradeoffs.settings import Settings

    ignored = course_config(Settings()).CourseDirectory.ignore
    assert "lesson.toml" in ignored, "course_config must ignore lesson.toml (c.CourseDirectory.ignore)"
    released = sorted(str(p) for p in release_dir().rglob("lesson.toml"))
    assert released == [], f"lesson settings were released: {released}"


def test_targets_come_from_the_lesson_files_and_the_course():
    targets = figures.targets()
    assert targets["03.search_compute_ratio"] == ("<=", pytest.approx(1 / 3))
    assert targets["04.epochs_saved_fraction_loss_rule"] is None
    assert targets["course.laptop_minutes"] == ("<=", 12.0)
    assert figures.TARGETS == targets  # the old module-level name still works
    assert {k.split(".")[0] for k in targets} <= {lesson[:2] for lesson in LESSONS} | {"grading", "course", "claims"}
    assert figures.meets_target("07.int8_speedup", 3.5) is True
    assert figures.meets_target("07.int8_speedup", 2.0) is False
    assert figures.meets_target("grading.sandbox_overhead", 1.1) is True
    assert figures.meets_target("99.unknown", 1.0) is None


def test_report_takes_quality_metrics_per_lesson():
    ledger = pd.DataFrame({"lesson": [0, 4, 4, 2, 9, 42], "metric": ["accuracy", "accuracy", "accuracy_drop_pts",
                                                                    "rmse", "recall_at_5pct_fpr", "roc_auc"]})
    assert list(report.quality_rows(ledger)) == [True, True, False, False, True, True]
    assert "recall_at_5pct_fpr" in report.QUALITY and "rmse" not in report.quality_metrics()


def test_the_frontier_compares_points_within_one_task_and_merges_reruns():
    row = dict(scale="laptop", device="cpu", metric="accuracy")
    ledger = pd.DataFrame([
        {**row, "lesson": 0, "name": "forest", "cost_usd": 1e-5, "value": 0.93},
        {**row, "lesson": 0, "name": "forest", "cost_usd": 3e-5, "value": 0.91},   # a rerun: one point
        {**row, "lesson": 0, "name": "k-NN", "cost_usd": 2e-5, "value": 0.90},     # beaten by the forest
        {**row, "lesson": 7, "name": "teacher", "cost_usd": 1e-3, "value": 0.80},  # other data: own frontier
        {**row, "lesson": 7, "name": "free", "cost_usd": 0.0, "value": 0.99},      # no cost: not plotted
    ])
    points = report.frontier_points(ledger).set_index(["lesson", "name"])
    assert sorted(points.index) == [("00", "forest"), ("00", "k-NN"), ("07", "teacher")]
    forest = points.loc[("00", "forest")]
    assert (forest["runs"], forest["cost_usd"], forest["value"]) == (2, pytest.approx(2e-5), pytest.approx(0.92))
    assert points.loc[("07", "teacher"), "on_frontier"]  # not dominated by lesson 00's cheaper, better forest
    assert not points.loc[("00", "k-NN"), "on_frontier"]  # same cost as the forest, lower quality


def test_checksums_live_beside_the_data():
    sums = data.checksums()
    assert set(sums) == {"bikeshare.csv", "rotten_tomatoes_snippets.csv.bz2"}
    assert data.CHECKSUMS == sums
    assert data.checksums_path() == repo_root() / "data" / "SHA256SUMS"


def test_a_malformed_checksums_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEOFFS_DATA", str(tmp_path))
    (tmp_path / "SHA256SUMS").write_text("not a checksum line\n")
    with pytest.raises(data.DataError, match="line 1"):
        data.checksums()


GOOD = 'device = "cpu"\ndata = ["prices.csv"]\n[ledger]\nquality = ["accuracy"]\n[figures]\n"03.x" = ["<=", 0.5]\n'


@pytest.mark.parametrize("text, message", [
    ('device = "cpu"\ntargets = {}\n', r"unknown key\(s\) \['targets'\]"),
    ('device = "gpu"\n', "choose one of"),
    ('data = []\n', "say which device"),
    ('device = "cpu"\n[figures]\n"03.x" = ["=<", 0.5]\n', "unknown comparison '=<'"),
    ('device = "cpu"\n[figures]\n"03.x" = ["<=", "half"]\n', "finite number"),
    ('device = "cpu"\n[figures]\n"03.x" = 0.5\n', "has target 0.5"),
    ('device = "cpu"\n[figures]\n"04.x" = "reported"\n', "belongs to lesson 04"),
    ('device = "cpu"\n[ledger]\nquality = ["a"]\nother = ["a"]\n', "in both"),
    ('device = "cpu"\n[ledger]\nhigher = ["a"]\n', r"unknown key\(s\) \['higher'\] in \[ledger\]"),
    ('device = "cpu"\ndata = "prices.csv"\n', "data must be a list"),
    ('device = "cpu"\ndata = ["../secrets"]\n', "under data/"),
    ('device = "cpu"\n[figures\n', "not valid TOML"),
])
def test_a_malformed_lesson_toml_names_the_fix(text, message):
    assert parse(GOOD, "03-tuning").figures == {"03.x": ("<=", 0.5)}
    with pytest.raises(LessonConfigError, match=message) as caught:
        parse(text, "03-tuning")
    assert "solutions/03-tuning/lesson.toml" in str(caught.value)


def test_a_missing_lesson_toml_says_what_to_write(tmp_path, monkeypatch):
    (tmp_path / "solutions" / "10-new").mkdir(parents=True)
    (tmp_path / "solutions" / "10-new" / "10-new.py").write_text("# %%\n")
    monkeypatch.setenv("TRADEOFFS_ROOT", str(tmp_path))
    with pytest.raises(LessonConfigError, match="tradeoffs new-lesson"):
        lesson_config.load("10")
