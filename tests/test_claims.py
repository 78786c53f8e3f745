"""Claims as code (tradeoffs/claims.py): the sentence shown is the true one, outcomes are recorded and counted."""
from __future__ import annotations

import json

import pytest

from tradeoffs import scale
from tradeoffs.bench import claims_of_run
from tradeoffs.claims import claim, format_rates, hold_rates, read_claims, summary_figures
from tradeoffs.settings import Settings


@pytest.fixture
def figures_file(tmp_path, monkeypatch):
    path = tmp_path / "run" / "figures.json"
    monkeypatch.setenv("TRADEOFFS_FIGURES", str(path))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return path


def test_the_true_sentence_is_shown_and_the_outcome_recorded(figures_file, capsys, monkeypatch):
    monkeypatch.setenv("TRADEOFFS_SEED", "2")
    scale.setup("03", scale="ci", device="cpu", verbose=False)
    held = claim("03.halving_cheapest", True, holds_text="halving was cheapest", fails_text="random was cheaper")
    missed = claim("03.random_within_a_point", False, holds_text="within a point", fails_text="not within a point",
                   hedged=True)
    out = capsys.readouterr().out
    assert "halving was cheapest" in out and "not within a point" in out
    assert "random was cheaper" not in out and held.holds and not missed.holds
    recorded = read_claims(figures_file.with_name("claims.json"))
    assert recorded["03.halving_cheapest"] == {"holds": True, "hedged": False, "scale": "ci", "seed": 2}
    assert recorded["03.random_within_a_point"]["hedged"] is True


def test_nothing_is_recorded_while_nbgrader_grades(tmp_path, monkeypatch):
    monkeypatch.delenv("TRADEOFFS_FIGURES", raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("TRADEOFFS_RESULTS", str(tmp_path))
    claim("04.stops_early", True, holds_text="yes", fails_text="no", show=False)
    assert not list(tmp_path.rglob("claims.json"))


def test_a_bad_key_says_what_a_key_looks_like():
    with pytest.raises(ValueError, match="NN.what_it_says"):
        claim("halving cheapest", True, holds_text="", fails_text="")


def test_hold_rates_count_the_runs_that_recorded_each_claim():
    runs = [("grade", {"03.a": {"holds": True}, "03.b": {"holds": True, "hedged": True}}),
            ("grade", {"03.a": {"holds": False}}),  # 03.b did not apply on this run
            ("grade", {"03.a": {"holds": True}, "03.b": {"holds": False, "hedged": True}}),
            ("laptop", {"03.a": {"holds": True}, "03.b": {"holds": True, "hedged": True}})]
    rates = {(r.key, r.scale): r for r in hold_rates(runs)}
    assert (rates["03.a", "grade"].held, rates["03.a", "grade"].runs) == (2, 3)
    assert (rates["03.b", "grade"].held, rates["03.b", "grade"].runs) == (1, 2)
    assert rates["03.a", "laptop"].rate == 1.0
    figures = summary_figures(rates.values())
    assert figures == {"claims.count": 2.0, "claims.hold_rate_grade": pytest.approx(2 / 3),
                       "claims.hold_rate_laptop": 1.0}  # hedged claims have no target: not in the rate
    table = format_rates(rates.values())
    assert "03.a" in table and "MISSED" in table and "hedged" in table


def test_seed_comes_from_the_settings_but_never_under_nbgrader(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("TRADEOFFS_SEED", "5")
    assert scale.get_seed() == 5 and scale.get_seed(1) == 1
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert scale.get_seed() == 0
    with pytest.raises(ValueError, match="TRADEOFFS_SEED"):
        Settings.from_env({"TRADEOFFS_SEED": "three"})
    assert json.dumps(Settings.from_env({}).seed) == "0"


def test_make_bench_prints_the_claims_of_its_own_run(tmp_path):
    assert claims_of_run(tmp_path, "laptop") == ("", {})  # a run that made no claims adds nothing
    (tmp_path / "claims.json").write_text(json.dumps({"03.a": {"holds": True}, "03.b": {"holds": False},
                                                      "03.c": {"holds": False, "hedged": True}}))
    table, figures = claims_of_run(tmp_path, "laptop")
    assert figures == {"claims.count": 3.0, "claims.hold_rate_laptop": 0.5}
    assert "MISSED" in table and (tmp_path / "claims.txt").read_text() == table + "\n"
