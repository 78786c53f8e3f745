"""Unit tests of the helper package: scale/device, data, prices, meter, ledger, plots, figures."""
from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

import tradeoffs
from tradeoffs import data, figures, ledger, lessons, meter, plots, prices, scale


# --- scale and device -------------------------------------------------------------------------
def test_scale_priority(monkeypatch):
    monkeypatch.delenv("TRADEOFFS_SCALE", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert scale.get_scale() == "laptop"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert scale.get_scale() == "grade"
    monkeypatch.setenv("TRADEOFFS_SCALE", "ci")
    assert scale.get_scale() == "ci"
    assert scale.get_scale("FULL") == "full"


def test_unknown_scale_says_what_to_do():
    with pytest.raises(ValueError, match="Choose one of ci, grade, laptop, full"):
        scale.get_scale("huge")


def test_device_auto_is_cpu_without_cuda(monkeypatch):
    monkeypatch.delenv("TRADEOFFS_DEVICE", raising=False)
    monkeypatch.setattr(scale, "cuda_available", lambda: False)
    assert scale.get_device() == "cpu"
    assert scale.get_device("auto") == "cpu"
    with pytest.raises(ValueError, match="no CUDA GPU"):
        scale.get_device("cuda")
    with pytest.raises(ValueError, match="Unknown device"):
        scale.get_device("tpu")


def test_pick_falls_back_to_smaller_scale():
    cfg = scale.Setup(lesson="00", scale="laptop", device="cpu")
    assert cfg.pick(ci=1, grade=2) == 2
    assert cfg.pick(ci=1, grade=2, laptop=3, full=4) == 3
    assert scale.Setup("00", "ci", "cpu").pick(ci=1, laptop=3) == 1
    assert scale.Setup("00", "full", "cpu").pick(ci=1, laptop=3) == 3


def test_setup_seeds_numpy(capsys):
    cfg = tradeoffs.setup("00", scale="ci", device="cpu", seed=7)
    a = np.random.rand(3)
    tradeoffs.setup("00", scale="ci", device="cpu", seed=7)
    assert np.allclose(a, np.random.rand(3))
    assert "scale=ci" in capsys.readouterr().out and cfg.seed == 7


# --- data ----------------------------------------------------------------------------------------
def test_lending_club_is_imbalanced():
    df = data.load_lending_club()
    assert len(df) == 9857 and set(df["bad"].unique()) == {0, 1}
    assert 0.04 < df["bad"].mean() < 0.06


def test_mnist_and_digits_shapes():
    X, y = data.load_mnist()
    assert X.shape == (5000, 784) and X.dtype == np.float32 and 0 <= X.min() and X.max() <= 1
    assert set(np.unique(y)) == set(range(10))
    assert set(np.unique(y[:200])) == set(range(10)), "a prefix must hold every digit (the raw data is sorted)"
    Xd, yd = data.load_digits()
    assert Xd.shape == (1797, 64) and Xd.max() <= 1


def test_shipped_files_and_checksums():
    bikes = data.load_bikeshare()
    assert len(bikes) == 8645 and "bikers" in bikes
    rt = data.load_rotten_tomatoes()
    assert len(rt) == 12808 and set(rt["label"].unique()) == {0, 1}


def test_data_works_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(data.load_bikeshare()) == 8645


def test_damaged_file_is_reported(tmp_path, monkeypatch):
    (tmp_path / "bikeshare.csv").write_text("not,the,data\n")
    monkeypatch.setenv("TRADEOFFS_DATA", str(tmp_path))
    with pytest.raises(data.DataError, match="checksum"):
        data.load_bikeshare()
    monkeypatch.setenv("TRADEOFFS_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(data.DataError, match="missing"):
        data.load_bikeshare()


# --- prices and the meter ------------------------------------------------------------------------
def test_price_table_is_dated_and_positive():
    table = prices.price_table()
    assert (table["usd_per_hour"] > 0).all()
    assert table["as_of"].notna().all()
    assert prices.hourly_rate("aws-m7i.large") == pytest.approx(0.1008)
    with pytest.raises(KeyError, match="Known instances"):
        prices.hourly_rate("aws-imaginary")


def test_measure_records_time_cost_and_memory(tmp_path, monkeypatch):
    path = tmp_path / "ledger.csv"
    monkeypatch.setenv("TRADEOFFS_LEDGER", str(path))
    with meter.measure("sleeper", lesson="99", instance="aws-g5.xlarge") as run:
        time.sleep(0.2)
        block = np.ones((2_000_000,))  # 16 MB
        block.sum()
    assert 0.19 < run.wall_s < 5
    assert run.cpu_s >= 0
    assert run.peak_mem_mb > 10
    assert run.cost_usd == pytest.approx(1.006 * run.wall_s / 3600)
    row = run.log(metric="accuracy", value=0.5, latency_ms=1.5, size_bytes=10, custom="x")
    df = ledger.read_ledger(path)
    assert len(df) == 1 and df.loc[0, "name"] == "sleeper" and df.loc[0, "metric"] == "accuracy"
    assert df.loc[0, "cost_usd"] == pytest.approx(row["cost_usd"])
    assert "custom=x" in df.loc[0, "notes"]


def test_measure_still_times_a_block_that_raises():
    with pytest.raises(RuntimeError):
        with meter.measure("boom") as run:
            time.sleep(0.05)
            raise RuntimeError("boom")
    assert run.wall_s >= 0.04


def test_ledger_off_under_nbgrader(monkeypatch):
    monkeypatch.delenv("TRADEOFFS_LEDGER", raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert ledger.ledger_path() is None
    assert ledger.append_row({"name": "x"}) is None
    monkeypatch.setenv("TRADEOFFS_LEDGER", "off")
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert ledger.ledger_path() is None


def test_read_ledger_reads_nothing_while_the_ledger_is_off(tmp_path, monkeypatch):
    results = tmp_path / "results"
    results.mkdir()
    (results / "ledger.csv").write_text(",".join(ledger.COLUMNS) + "\n" + ",".join(["x"] * len(ledger.COLUMNS)) + "\n")
    monkeypatch.setenv("TRADEOFFS_RESULTS", str(results))
    monkeypatch.delenv("TRADEOFFS_LEDGER", raising=False)
    assert len(ledger.read_ledger()) == 1  # on: the course ledger
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert ledger.read_ledger().empty  # grading: the instructor's results are not read


def test_read_ledger_without_files_is_empty(tmp_path):
    df = ledger.read_ledger([tmp_path / "none.csv"])
    assert df.empty and list(df.columns) == ledger.COLUMNS


# --- plots and figures ---------------------------------------------------------------------------
def test_frontier_2d_keeps_only_undominated():
    mask = plots.frontier_2d([1, 2, 3, 4], [0.5, 0.7, 0.6, 0.9])
    assert list(mask) == [True, True, False, True]


def test_plot_frontier_draws(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    df = pd.DataFrame({"cost": [1, 2, 3], "acc": [0.5, 0.8, 0.7], "name": list("abc")})
    ax = plots.plot_frontier(df, "cost", "acc", label="name")
    ax.figure.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_record_figure_merges(tmp_path, monkeypatch):
    path = tmp_path / "figs.json"
    monkeypatch.setenv("TRADEOFFS_FIGURES", str(path))
    figures.record_figure("00.a", 1.5)
    figures.record_figure("03.search_compute_ratio", 0.2)
    assert json.loads(path.read_text()) == {"00.a": 1.5, "03.search_compute_ratio": 0.2}
    with pytest.raises(ValueError, match="NN.figure_name"):
        figures.record_figure("Bad Key", 1)
    assert figures.meets_target("03.search_compute_ratio", 0.2) is True
    assert figures.meets_target("00.a", 1.0) is None
    assert "03.search_compute_ratio" in figures.format_table({"03.search_compute_ratio": 0.2})


# --- lessons -------------------------------------------------------------------------------------
def test_resolve_lesson():
    assert lessons.resolve_lesson("00") == "00-tradeoff-triangle"
    assert lessons.resolve_lesson("0") == "00-tradeoff-triangle"
    assert lessons.resolve_lesson("notebooks/00-tradeoff-triangle/") == "00-tradeoff-triangle"
    with pytest.raises(ValueError, match="Lessons:"):
        lessons.resolve_lesson("99")


def test_ledger_rows_carry_the_lessons_own_scale_and_device(tmp_path, monkeypatch):
    """A notebook run with scale='full' writes `full` rows, whatever TRADEOFFS_SCALE says."""
    from tradeoffs import scale as scale_module

    monkeypatch.setattr(scale_module, "_ACTIVE", None)  # restored after the test
    monkeypatch.setenv("TRADEOFFS_LEDGER", str(tmp_path / "ledger.csv"))
    monkeypatch.setenv("TRADEOFFS_SCALE", "laptop")
    with meter.measure("before setup", lesson="99") as run:
        pass
    assert run.log(metric="accuracy", value=0.5)["scale"] == "laptop"
    scale_module.setup("99", scale="full", device="cpu", verbose=False)
    with meter.measure("after setup", lesson="99") as run:
        pass
    row = run.log(metric="accuracy", value=0.5)
    assert (row["scale"], row["device"]) == ("full", "cpu")


def test_bootstrap_interval_resamples_rows_together_and_repeats_with_its_seed():
    from tradeoffs.intervals import bootstrap_interval

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    score = y + rng.normal(0, 1, 400)
    gap = lambda y, s: float(s[y == 1].mean() - s[y == 0].mean())  # needs y and s aligned  # noqa: E731
    ci = bootstrap_interval(gap, y, score, n_resamples=300, seed=3)
    assert ci.low < gap(y, score) < ci.high and 0.7 < ci.low and ci.high < 1.3
    again = bootstrap_interval(gap, y, score, n_resamples=300, seed=3)
    assert (again.low, again.high) == (ci.low, ci.high)
