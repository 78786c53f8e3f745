"""Tests for tradeoffs.preemption: schedules, real interruptions of a subprocess, accounting, simulation."""
from __future__ import annotations

import math
import signal
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tradeoffs import preemption as P

# A stand-in for a training script: speaks the protocol, "checkpoints" its step in a text file, and
# saves on SIGTERM. No torch, so each launch costs a plain Python start-up.
COUNTER = """
import os, signal, sys, time
from pathlib import Path

out = Path(sys.argv[1]); steps = int(sys.argv[2]); every = int(sys.argv[3]); pause = float(sys.argv[4])
out.mkdir(parents=True, exist_ok=True)
ckpt = out / "ckpt.txt"
flag = []
signal.signal(signal.SIGTERM, lambda *a: flag.append(1))
step = int(ckpt.read_text()) if ckpt.exists() else 0
print(f"ready step={step}", flush=True)
at, sig = int(os.environ.get("PREEMPT_AT_STEP", 0)), int(os.environ.get("PREEMPT_SIGNAL", 15))

def save():
    t0 = time.perf_counter()
    ckpt.write_text(str(step))
    print(f"saved step={step} seconds={time.perf_counter() - t0:.6f}", flush=True)

while step < steps:
    time.sleep(pause)
    step += 1
    print(f"step {step}", flush=True)
    if step == at:
        os.kill(os.getpid(), sig)
    if flag:
        save()
        print(f"preempted step={step}", flush=True)
        sys.exit(0)
    if every and step % every == 0:
        save()
(out / "final.txt").write_text(str(step))
print(f"done step={step}", flush=True)
"""


@pytest.fixture()
def counter(tmp_path: Path) -> Path:
    path = tmp_path / "counter.py"
    path.write_text(textwrap.dedent(COUNTER))
    return path


def _cmd(script: Path, out: Path, steps: int = 30, every: int = 5, pause: float = 0.0) -> list[str]:
    return [sys.executable, str(script), str(out), str(steps), str(every), str(pause)]


def test_interruption_needs_one_trigger():
    with pytest.raises(ValueError, match="exactly one"):
        P.Interruption()
    with pytest.raises(ValueError, match="exactly one"):
        P.Interruption(after_s=1.0, at_step=3)
    with pytest.raises(ValueError):
        P.Interruption(at_step=0)
    assert P.Interruption(at_step=3, sig=signal.SIGKILL).notice is False
    assert "SIGTERM" in P.Interruption(after_s=0.5).describe()


def test_schedule_is_seeded_and_marks_hard_kills():
    a = P.interruption_schedule(2.0, 6, seed=4, hard_every=3)
    b = P.interruption_schedule(2.0, 6, seed=4, hard_every=3)
    assert [i.after_s for i in a] == [i.after_s for i in b]
    assert [i.after_s for i in a] != [i.after_s for i in P.interruption_schedule(2.0, 6, seed=5)]
    assert [i.sig for i in a] == [signal.SIGTERM, signal.SIGTERM, signal.SIGKILL] * 2
    assert np.mean([i.after_s for i in P.interruption_schedule(2.0, 4000, seed=0)]) == pytest.approx(2.0, rel=0.05)
    with pytest.raises(ValueError):
        P.interruption_schedule(0.0, 3, seed=0)


def test_uninterrupted_run_finishes_and_counts_saves(counter, tmp_path):
    run = P.run_with_interruptions(_cmd(counter, tmp_path / "out", steps=12, every=5))
    assert run.finished and len(run.attempts) == 1 and run.n_interruptions == 0
    assert run.start_steps == [0] and run.attempts[0].last_step == 12
    assert [s for s, _ in run.attempts[0].saves] == [5, 10] and run.n_saves == 2
    assert run.lost_steps == 0 and run.restart_s == 0.0 and run.wall_s > 0
    first = run.attempts[0]
    assert 0 < first.ready_s <= first.done_s <= first.wall_s


def test_notice_and_kill_at_steps(counter, tmp_path):
    schedule = [P.Interruption(at_step=7), P.Interruption(at_step=13, sig=signal.SIGKILL)]
    run = P.run_with_interruptions(_cmd(counter, tmp_path / "out", steps=20, every=5), schedule)
    assert run.finished and run.n_interruptions == 2
    assert run.start_steps == [0, 7, 10]  # the SIGTERM save at 7; the kill at 13 falls back to the step-10 save
    assert run.lost_steps == 3  # steps 11, 12, 13 done twice
    assert run.attempts[0].preempted_cleanly and not run.attempts[1].preempted_cleanly
    assert run.attempts[1].returncode == -signal.SIGKILL
    assert (tmp_path / "out" / "final.txt").read_text() == "20"
    assert run.restart_s > 0 and "attempt 2" in run.summary()


def test_timed_sigterm_from_outside(counter, tmp_path):
    run = P.run_with_interruptions(_cmd(counter, tmp_path / "out", steps=400, every=0, pause=0.005),
                                   [P.Interruption(after_s=0.3)], grace_s=5.0)
    first = run.attempts[0]
    assert first.signalled and first.preempted_cleanly and not first.grace_exceeded
    assert 0 < run.start_steps[1] < 400 and run.start_steps[1] == first.last_step
    assert run.finished and run.lost_steps == 0


def test_grace_period_ends_with_a_kill(tmp_path):
    stubborn = tmp_path / "stubborn.py"
    stubborn.write_text("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                        "print('ready step=0', flush=True)\ntime.sleep(60)\n")
    attempt = P.run_attempt([sys.executable, str(stubborn)], P.Interruption(after_s=0.1), grace_s=0.5, timeout_s=30)
    assert attempt.signalled and attempt.grace_exceeded and attempt.returncode == -signal.SIGKILL
    assert attempt.wall_s < 20


def test_a_crash_is_reported_with_its_stderr(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("print('ready step=0', flush=True)\nraise RuntimeError('cannot read the checkpoint')\n")
    with pytest.raises(P.PreemptionError, match="cannot read the checkpoint"):
        P.run_with_interruptions([sys.executable, str(broken)])
    silent = tmp_path / "silent.py"
    silent.write_text("raise SystemExit(3)\n")
    with pytest.raises(P.PreemptionError, match="before printing 'ready"):
        P.run_with_interruptions([sys.executable, str(silent)])


def test_timeout_kills_the_attempt(tmp_path):
    slow = tmp_path / "slow.py"
    slow.write_text("import time\nprint('ready step=0', flush=True)\ntime.sleep(60)\n")
    with pytest.raises(P.PreemptionError, match="did not finish within"):
        P.run_with_interruptions([sys.executable, str(slow)], timeout_s=1.0)


def test_run_concurrently_returns_each_job(counter, tmp_path):
    runs = P.run_concurrently({"a": (_cmd(counter, tmp_path / "a", steps=6), []),
                               "b": (_cmd(counter, tmp_path / "b", steps=9), [P.Interruption(at_step=4)])})
    assert runs["a"].start_steps == [0] and runs["b"].start_steps == [0, 4]


def test_state_dicts_equal_is_bitwise():
    torch = pytest.importorskip("torch")
    a = {"w": torch.tensor([1.0, 2.0]), "b": torch.tensor([0.5])}
    assert P.state_dicts_equal(a, {k: v.clone() for k, v in a.items()})
    assert not P.state_dicts_equal(a, {"w": torch.nextafter(a["w"], torch.tensor(3.0)), "b": a["b"]})
    assert not P.state_dicts_equal(a, {"w": a["w"]})
    assert not P.state_dicts_equal(a, {"w": a["w"].double(), "b": a["b"]})


def test_spot_terms_come_from_the_price_table():
    terms = P.spot_terms("aws-g5.xlarge")
    assert 0 < terms["spot_discount"] < 1 and terms["interruptions_per_hour"] > 0
    assert terms["spot_usd_per_hour"] == pytest.approx(terms["usd_per_hour"] * (1 - terms["spot_discount"]))
    with pytest.raises(ValueError, match="no spot terms"):
        P.spot_terms("laptop-2core")
    with pytest.raises(KeyError):
        P.spot_terms("aws-imaginary")


def test_simulation_without_interruptions_is_exact():
    # Interruptions almost never happen: wall = work + one checkpoint per full interval but the last.
    wall = P.simulate_checkpointed_job(10.0, 2.5, 0.1, mtbi_s=1e12, n_jobs=5)
    assert wall == pytest.approx(np.full(5, 10.0 + 3 * 0.1))
    wall = P.simulate_checkpointed_job(10.0, 3.0, 0.1, mtbi_s=1e12, n_jobs=2)
    assert wall == pytest.approx(np.full(2, 10.0 + 3 * 0.1))
    with pytest.raises(ValueError):
        P.simulate_checkpointed_job(10.0, 0.0, 0.1, 5.0)


def test_simulation_is_seeded_and_pays_for_interruptions():
    a = P.simulate_checkpointed_job(20.0, 1.0, 0.05, mtbi_s=5.0, restart_s=0.5, n_jobs=500, seed=1)
    b = P.simulate_checkpointed_job(20.0, 1.0, 0.05, mtbi_s=5.0, restart_s=0.5, n_jobs=500, seed=1)
    assert np.array_equal(a, b) and (a >= 20.0 + 19 * 0.05 - 1e-9).all() and a.mean() > 22.0


def test_simulated_optimum_agrees_with_young_daly():
    checkpoint_s, mtbi_s = 0.01, 4.0
    young = math.sqrt(2 * checkpoint_s * mtbi_s)
    xs = young * np.geomspace(0.2, 5.0, 31)
    curve = P.expected_wall_curve(40.0, xs, checkpoint_s, mtbi_s, restart_s=1.0, n_jobs=2000, seed=0)
    assert abs(P.smoothed_minimum(xs, curve) - young) / young < 0.3


def test_smoothed_minimum_of_a_parabola():
    xs = np.geomspace(0.1, 10.0, 21)
    assert P.smoothed_minimum(xs, (np.log(xs) - np.log(2.0)) ** 2) == pytest.approx(2.0, rel=1e-6)
    assert P.smoothed_minimum([1.0, 2.0], [3.0, 1.0]) == 2.0
