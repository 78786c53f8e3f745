# %% [markdown]
# # Lesson 10 — The levers on a real training bill
#
# When a training bill is too high, practitioners reach for a short list of levers before they
# touch the model: **cheaper capacity** (spot or preemptible machines, 60-90% off the list price,
# which the provider may take back at any moment), **fewer bits per number** (mixed precision),
# **the batch you want on the memory you have** (gradient accumulation) and **the right machine
# for the deadline** (not the fastest one). Each lever has a price, and this lesson measures it.
#
# In this lesson you will
#
# 1. write the save/resume part of a training script, then preempt it **for real** (signals sent
#    to a running process) and check that the resumed run ends with weights bit-identical to an
#    uninterrupted one,
# 2. derive how often to checkpoint (Young/Daly) and compare it with a simulated cost curve, then
#    measure what spot capacity costs once lost work, restarts and checkpoints are paid for,
# 3. measure mixed precision (bf16 autocast) on your machine, and gradient accumulation's
#    memory/time trade,
# 4. measure how training speeds up with threads, and choose the instance that meets a deadline
#    at the least cost.
#
# Every number comes from *your* run; the sentences that describe them are printed by the code
# from the measurements.

# %% tags=["parameters"]
# Parameters (papermill can override them). None means automatic:
# scale: ci, grade, laptop or full (laptop for you, grade when autograded)
# device: cpu or cuda (CUDA when a GPU is present)
scale = None
device = None

# %%
import math
import shutil
import signal
import statistics
import sys
import time
from pathlib import Path

import torch  # imported before tradeoffs.setup so that setup seeds it
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from torch import nn
from sklearn.model_selection import train_test_split
from tqdm.auto import tqdm

import tradeoffs
from tradeoffs.data import load_mnist
from tradeoffs.distributed import make_run_dir
from tradeoffs.claims import claim
from tradeoffs.figures import record_figure
from tradeoffs.meter import measure
from tradeoffs.preemption import (Interruption, expected_wall_curve, interruption_schedule, run_concurrently,
                                  run_with_interruptions, smoothed_minimum, spot_terms, state_dicts_equal)
from tradeoffs.prices import price_table

cfg = tradeoffs.setup("10", scale=scale, device=device)
ALL_THREADS = torch.get_num_threads()
torch.set_num_threads(1)   # small models: one thread is the efficient setting (section 5 measures more)
run_dir = make_run_dir("10-cost-levers")
script_path = run_dir / "train_spot.py"
print(f"scripts and checkpoints go to {run_dir}")

# %% [markdown]
# ## 1. Spot capacity needs a script that survives being killed
#
# A spot machine can be taken back at any time. The provider gives a **notice** first (AWS two
# minutes ahead, in the instance metadata; GCP thirty seconds, as a shutdown) and the machine shuts
# down, which sends your process a `SIGTERM`; schedulers and managed services forward the notice the
# same way. When the grace period is over, the machine is gone. A training job that runs there must
# therefore
#
# - write a **checkpoint** every `k` steps (a safety net for interruptions without notice: a host
#   failure, or a save that does not fit in the grace period),
# - on `SIGTERM`, finish the current step, save, and exit, and
# - when started again, **resume exactly** where it was.
#
# *Exactly* is the hard part. The weights are not enough: Adam keeps two running averages per
# weight, dropout draws random masks from PyTorch's random number generator, and the data order
# comes from a shuffling generator and a position inside the current epoch. Forget any one of them
# and the resumed run trains a *different* model: often a similar one, but you can no longer tell
# a bug from bad luck, or reproduce a result.
#
# The script below trains a small MLP on a generated 4-class problem (the data are made from a
# fixed seed, so every run sees the same 32-feature samples). It speaks a tiny protocol on its
# standard output (`ready step=N`, `step N`, `saved step=N seconds=S`, `preempted`, `done`) that
# the course helper `tradeoffs.preemption` reads to launch it, interrupt it and account for what
# each interruption cost. Saving goes through `save_atomically`: it writes a temporary file and
# renames it, so a kill in the middle of a save leaves the previous checkpoint intact.
#
# ### Exercise 1 (4 points): what a checkpoint must hold
#
# Complete the two functions in the script:
#
# - `make_checkpoint(model, optimizer, data_gen, step, perm)` returns a dict (anything
#   `torch.save` can write and `torch.load` reads back with its default `weights_only=True`:
#   tensors, numbers, lists and dicts of them) holding everything needed to continue training
#   exactly from `step`: the model's and the optimiser's state, PyTorch's global random state
#   (`torch.get_rng_state()`, used by dropout), the shuffling generator's state
#   (`data_gen.get_state()`), the step and the current epoch's permutation `perm`.
# - `restore_checkpoint(ckpt, model, optimizer, data_gen)` takes that dict after a round trip
#   through the disk, puts every piece back (`load_state_dict`, `torch.set_rng_state`,
#   `data_gen.set_state`) and returns `(step, perm)`.
#
# The cell's first line, `%%writefile`, saves it as `train_spot.py` instead of running it.

# %% nbgrader={"grade": false, "grade_id": "spot_script", "locked": false, "schema_version": 3, "solution": true}
# %%writefile {script_path}
"""Train a small MLP, checkpointing every --ckpt-every steps; on SIGTERM save and exit; resume exactly."""
import argparse
import os
import signal
import time
from pathlib import Path

import torch
from torch import nn

PREEMPTED = False


def on_sigterm(signum, frame):
    """The provider's notice: remember it; the loop saves after the current step and exits."""
    global PREEMPTED
    PREEMPTED = True


def make_data(n, d=32, classes=4):
    """A fixed, generated classification problem (the same samples in every run)."""
    g = torch.Generator().manual_seed(1234)
    X = torch.randn(n, d, generator=g)
    W = torch.randn(d, classes, generator=g)
    y = (X @ W + 0.5 * torch.randn(n, classes, generator=g)).argmax(dim=1)
    return X, y


def save_atomically(obj, path):
    """Write to a temporary file, then rename: a kill mid-save leaves the previous checkpoint intact."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def make_checkpoint(model, optimizer, data_gen, step, perm):
    """Everything needed to continue training exactly from `step`, as a dict torch.save can write."""
    ### BEGIN SOLUTION
    return {"step": step, "perm": perm, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "torch_rng": torch.get_rng_state(), "data_gen": data_gen.get_state()}
    ### END SOLUTION


def restore_checkpoint(ckpt, model, optimizer, data_gen):
    """Put back everything make_checkpoint saved; return (step, perm)."""
    ### BEGIN SOLUTION
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    torch.set_rng_state(ckpt["torch_rng"])
    data_gen.set_state(ckpt["data_gen"])
    return ckpt["step"], ckpt["perm"]
    ### END SOLUTION


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--ckpt-every", type=int, default=0, help="0: no periodic checkpoints")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n", type=int, default=512)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--width", type=int, default=64)
    args = p.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt_path = out / "checkpoint.pt"
    X, y = make_data(args.n)
    torch.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(X.shape[1], args.width), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(args.width, args.width), nn.ReLU(), nn.Dropout(0.1), nn.Linear(args.width, 4))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    data_gen = torch.Generator().manual_seed(args.seed + 1)   # the shuffling generator
    step, perm = 0, None
    if ckpt_path.exists():
        step, perm = restore_checkpoint(torch.load(ckpt_path), model, optimizer, data_gen)
    print(f"ready step={step}", flush=True)
    # For tests: signal ourselves once this step is done, so the interruption lands on the same step every time.
    at_step, at_signal = int(os.environ.get("PREEMPT_AT_STEP", 0)), int(os.environ.get("PREEMPT_SIGNAL", 15))
    per_epoch = args.n // args.batch

    def save():
        t0 = time.perf_counter()
        save_atomically(make_checkpoint(model, optimizer, data_gen, step, perm), ckpt_path)
        print(f"saved step={step} seconds={time.perf_counter() - t0:.6f}", flush=True)

    model.train()
    while step < args.steps:
        if step % per_epoch == 0:                                  # a new epoch: a new shuffle
            perm = torch.randperm(args.n, generator=data_gen)
        idx = perm[(step % per_epoch) * args.batch:(step % per_epoch + 1) * args.batch]
        loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        print(f"step {step}", flush=True)
        if step == at_step:
            os.kill(os.getpid(), at_signal)
        if PREEMPTED:
            save()
            print(f"preempted step={step}", flush=True)
            return
        if args.ckpt_every and step % args.ckpt_every == 0 and step < args.steps:
            save()
    torch.save(model.state_dict(), out / "final.pt")
    print(f"done step={step}", flush=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_sigterm)
    main()

# %% [markdown]
# The test launches your script twice, side by side, for 120 steps (16 steps per epoch, a
# checkpoint every 7 steps, `--seed 3`): once straight through, and once interrupted twice. The
# first interruption is a notice (`SIGTERM`) after step 32, on an epoch boundary; the second is a
# kill without notice (`SIGKILL`) after step 75, so that run resumes from its step-70 checkpoint
# and does steps 71 to 75 again. To land on the same steps every time, the script sends these
# signals to itself (`PREEMPT_AT_STEP`); the demonstration in section 3 sends them from outside,
# at random times.

# %% nbgrader={"grade": true, "grade_id": "test_resume_exact", "locked": true, "points": 4.0, "schema_version": 3, "solution": false}
from tradeoffs.checks import explained


def _straight_and_interrupted(name, schedule, seed=3, steps=120, ckpt_every=7):
    """Run the script straight through and with `schedule`, side by side; return both runs and final weights."""
    outs = {kind: run_dir / f"{name}-{kind}" for kind in ("straight", "interrupted")}
    for out in outs.values():
        shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, str(script_path), "--steps", str(steps), "--ckpt-every", str(ckpt_every), "--seed", str(seed)]
    runs = run_concurrently({kind: (cmd + ["--out", str(out)], schedule if kind == "interrupted" else [])
                             for kind, out in outs.items()}, grace_s=20.0, timeout_s=150.0)
    return runs, {kind: torch.load(out / "final.pt") for kind, out in outs.items()}


with explained("your train_spot.py (make_checkpoint / restore_checkpoint)", "a run that finishes"):
    check_runs, check_weights = _straight_and_interrupted(
        "check", [Interruption(at_step=32), Interruption(at_step=75, sig=signal.SIGKILL)])
_resumed = check_runs["interrupted"]
print(_resumed.summary())
assert _resumed.start_steps == [0, 32, 70], (
    f"The interrupted run's attempts started at steps {_resumed.start_steps}; expected [0, 32, 70]: a fresh "
    "start, the step saved on SIGTERM (32), and the last periodic checkpoint before the kill (70). "
    "restore_checkpoint must return the step that make_checkpoint saved.")
assert state_dicts_equal(check_weights["straight"], check_weights["interrupted"]), (
    "The resumed run ended with different weights from the uninterrupted one. Save and restore everything that "
    "changes during training: the model, the optimiser (Adam's moments), torch's random state (dropout), the "
    "shuffling generator's state and the epoch's permutation.")
### BEGIN HIDDEN TESTS
# Probes: the grader compares what they observe with the reference solution's run, outside this kernel.
from tradeoffs.checks import observe_call
observe_call("bit-identical after two interruptions",
             lambda: state_dicts_equal(check_weights["straight"], check_weights["interrupted"]),
             why="The resumed weights must equal the uninterrupted ones bit for bit (torch.equal on every tensor).")
observe_call("steps each attempt resumed from", lambda: _resumed.start_steps,
             why="Each attempt must resume at the step of the checkpoint it loaded.")
observe_call("steps done twice", lambda: _resumed.lost_steps,
             why="Only the steps after the last checkpoint (71 to 75) are lost to a kill without notice.")
observe_call("final weights, per tensor sums",
             lambda: {k: float(t.double().sum()) for k, t in check_weights["interrupted"].items()}, rel=1e-12, abs=0.0,
             why="The resumed run must train the same model as the reference (same seed, same data order).")
observe_call("a clean save on each notice", lambda: [a.preempted_cleanly for a in _resumed.attempts],
             why="On SIGTERM the script saves and exits: the first attempt should end with 'preempted'.")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. How often to checkpoint
#
# A checkpoint costs time (`C` seconds to write) every time it is taken; an interruption without
# notice costs the work done since the last one. Checkpoint every `tau` seconds of work and the
# overhead per second is about `C / tau` for the saves plus `tau / (2 M)` for the lost work, where
# `M` is the mean time between interruptions (on average half an interval is lost, once every `M`
# seconds). The sum is smallest at **Young's interval** (Daly refined it for larger `C`):
#
# $$\tau^* = \sqrt{2\, C\, M}.$$
#
# First, the job this section and the next one use: the same script with a wider MLP for longer,
# run once **without interruption** to measure its step time, its checkpoint cost and its start-up
# time (it writes three checkpoints to measure them). Its number of steps is sized from a quick
# timing of the same MLP in this notebook, so that it trains for about `DEMO_SECONDS`. At the `ci` scale (the course's own tests) the
# two runs of the test above stand in for this job and the next section's, to save two launches.

# %%
def _demo_step_seconds(steps=60, width=256, batch=64):
    """Seconds per training step of the demo's MLP in this kernel (one thread): sizes the demo to this machine."""
    torch.manual_seed(cfg.seed)
    model = nn.Sequential(nn.Linear(32, width), nn.ReLU(), nn.Dropout(0.1), nn.Linear(width, width), nn.ReLU(),
                          nn.Dropout(0.1), nn.Linear(width, 4))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    xb, yb = torch.randn(batch, 32), torch.randint(0, 4, (batch,))
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times[10:])


DEMO_SECONDS = cfg.pick(ci=0, grade=4, laptop=25, full=120)   # seconds of training the demo job should take
DEMO_STEPS = 120 if cfg.scale == "ci" else max(200, round(DEMO_SECONDS / _demo_step_seconds()))
DEMO_ARGS = ["--steps", str(DEMO_STEPS), "--n", "4096", "--batch", "64", "--width", "256", "--seed", "11"]
demo_cmd = [sys.executable, str(script_path), *DEMO_ARGS]
reference_out = run_dir / "demo-reference"
shutil.rmtree(reference_out, ignore_errors=True)
with measure("spot demo job, uninterrupted", lesson="10") as reference_meter:
    if cfg.scale == "ci":  # tests only: reuse the straight run of the test above instead of launching another job
        reference, reference_out = check_runs["straight"], run_dir / "check-straight"
    else:
        reference = run_with_interruptions(demo_cmd + ["--out", str(reference_out), "--ckpt-every",
                                                       str(DEMO_STEPS // 4)], timeout_s=600)
ref_attempt = reference.attempts[0]
startup_s = ref_attempt.ready_s
checkpoint_s = statistics.median(s for _, s in ref_attempt.saves)
train_s = ref_attempt.done_s - startup_s - ref_attempt.save_s   # the steps themselves (and the final save)
step_s = train_s / DEMO_STEPS
reference_meter.log(metric="seconds_per_step", value=step_s, steps=DEMO_STEPS)
print(f"{DEMO_STEPS} steps in {train_s:.2f} s ({1000 * step_s:.2f} ms per step); start-up {startup_s:.2f} s; "
      f"one checkpoint {1000 * checkpoint_s:.1f} ms (median of {len(ref_attempt.saves)})")

# %% [markdown]
# Let this job stand for a **48-hour training job on an `aws-g5.xlarge`** spot instance: the
# interruption rate in the price table (a planning value, see `data/README.md`) gives the number
# of interruptions such a job expects, and we compress time so that our short run expects the same
# number. Its mean time between interruptions is then a fraction of *our* run.

# %%
SPOT_INSTANCE, JOB_HOURS = "aws-g5.xlarge", 48
terms = spot_terms(SPOT_INSTANCE)
expected_interruptions = terms["interruptions_per_hour"] * JOB_HOURS
mtbi_s = train_s / expected_interruptions   # our seconds between interruptions, on average
print(f"{SPOT_INSTANCE}: ${terms['usd_per_hour']:.3f}/h on demand, ${terms['spot_usd_per_hour']:.3f}/h spot "
      f"({100 * terms['spot_discount']:.0f}% off, as of {terms['spot_as_of']}); "
      f"{terms['interruptions_per_hour']} interruptions per hour -> {expected_interruptions:.1f} per {JOB_HOURS}-h job")
print(f"our job: {train_s:.1f} s of training, so one interruption every {mtbi_s:.2f} s on average")


# %% [markdown]
# ### Exercise 2 (3 points): Young's interval
#
# Write `young_daly_interval(checkpoint_s, interruptions_per_hour)` that returns the checkpoint
# interval $\sqrt{2 C M}$ **in seconds**, for a checkpoint that takes `checkpoint_s` seconds and
# interruptions arriving at `interruptions_per_hour` (so `M` = 3600 / rate seconds). Rules:
#
# - a rate of 0 means the job is never interrupted: return `math.inf` (never checkpoint);
# - a free checkpoint (`checkpoint_s == 0`) gives 0.0;
# - a negative `checkpoint_s` or a negative rate raises `ValueError`.

# %% nbgrader={"grade": false, "grade_id": "young_daly_interval", "locked": false, "schema_version": 3, "solution": true}
def young_daly_interval(checkpoint_s, interruptions_per_hour):
    """Seconds of work between checkpoints that minimise the expected overhead: sqrt(2 C M)."""
    ### BEGIN SOLUTION
    if checkpoint_s < 0 or interruptions_per_hour < 0:
        raise ValueError("checkpoint_s and interruptions_per_hour must be >= 0")
    if interruptions_per_hour == 0:
        return math.inf
    mtbi_seconds = 3600.0 / interruptions_per_hour
    return math.sqrt(2.0 * checkpoint_s * mtbi_seconds)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_young_daly_interval", "locked": true, "points": 3.0, "schema_version": 3, "solution": false}
with explained("young_daly_interval", "a number of seconds"):
    _tau = young_daly_interval(50.0, 0.1)
assert math.isclose(_tau, 1897.3665961, rel_tol=1e-6), (
    f"A 50 s checkpoint with 0.1 interruptions per hour (M = 36,000 s): sqrt(2 x 50 x 36000) = 1897.4 s, got "
    f"{_tau!r}. M is in seconds: 3600 / rate.")
with explained("young_daly_interval", "math.inf"):
    assert young_daly_interval(10.0, 0) == math.inf, "Never interrupted (rate 0): never checkpoint, return math.inf."
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("2 s checkpoint, 3 per hour", lambda: young_daly_interval(2.0, 3.0),
             why="sqrt(2 x C x M) with M = 3600 / rate seconds.")
observe_call("large rate", lambda: young_daly_interval(120.0, 12.0), why="sqrt(2 x C x M) with M = 3600 / rate seconds.")
observe_call("free checkpoint", lambda: young_daly_interval(0.0, 1.0), why="A checkpoint that costs nothing: interval 0.")
observe_call("never interrupted", lambda: young_daly_interval(30.0, 0.0), why="Rate 0: return math.inf.")
for _bad in [(-1.0, 1.0), (1.0, -0.5), (-2.0, -1.0)]:
    observe_call(f"rejects {_bad}", lambda: young_daly_interval(*_bad), why=f"young_daly_interval{_bad} should raise ValueError.")
### END HIDDEN TESTS

# %% [markdown]
# Is the formula right for *this* job? A seeded simulation (`tradeoffs.preemption.expected_wall_curve`,
# not a measurement: 3,000 simulated runs per interval, each interrupted without notice at random
# times drawn with mean `M`, losing the work since the last checkpoint and paying the measured
# start-up time to restart) gives the expected wall time for a range of intervals. It uses the
# checkpoint cost, step time and start-up time you just measured.

# %%
rate_per_hour_ours = 3600.0 / mtbi_s           # our compressed time, as a rate per hour
tau_formula = young_daly_interval(checkpoint_s, rate_per_hour_ours)
intervals = tau_formula * np.geomspace(0.15, 6.0, 41)
with measure("checkpoint interval simulation", lesson="10"):
    curve = expected_wall_curve(train_s, intervals, checkpoint_s, mtbi_s, restart_s=startup_s, n_jobs=3000,
                                seed=cfg.seed)
tau_best = smoothed_minimum(intervals, curve)
interval_error = record_figure("10.checkpoint_interval_error", abs(tau_best - tau_formula) / tau_formula)
ckpt_every = max(1, round(tau_formula / step_s))

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(intervals, 100 * (curve / train_s - 1), marker=".", label="simulated expected overhead")
ax.axvline(tau_formula, color="k", ls="--", label=f"Young/Daly {tau_formula:.3f} s")
ax.axvline(tau_best, color="tab:red", ls=":", label=f"simulated optimum {tau_best:.3f} s")
ax.set_xscale("log"); ax.set_xlabel("seconds of work between checkpoints"); ax.set_ylabel("extra wall time (%)")
ax.set_title("Checkpoint too often: pay for saves; too rarely: pay for lost work"); ax.grid(alpha=0.3); ax.legend()
plt.show()
claim("10.young_daly_within_30pct", interval_error <= 0.30,
      holds_text=f"Young/Daly's interval ({tau_formula:.3f} s) is within 30% of the simulated optimum "
                 f"({tau_best:.3f} s, {100 * interval_error:.1f}% apart); the demo checkpoints every {ckpt_every} steps.",
      fails_text=f"Young/Daly's interval ({tau_formula:.3f} s) is {100 * interval_error:.0f}% from the simulated "
                 f"optimum ({tau_best:.3f} s) on this run: the formula assumes a checkpoint costs much less than the "
                 "time between interruptions, and a restart cost it leaves out; here the measured costs break "
                 f"that. The demo checkpoints every {ckpt_every} steps.")


# %% [markdown]
# How flat is the curve near its minimum? The line below prints what an interval of half or twice
# the formula's would have cost on this job. The interval grows only as the *square root*
# of the checkpoint cost and of the time between interruptions, so the order of magnitude matters
# more than the digits.

# %%
def _expected_wall(tau):
    return float(np.interp(np.log(tau), np.log(intervals), curve))


_at_formula = _expected_wall(tau_formula)
print(f"expected wall time at the formula's interval: {_at_formula:.2f} s (the work alone: {train_s:.2f} s); "
      f"at half of it {100 * (_expected_wall(tau_formula / 2) / _at_formula - 1):+.2f}%, "
      f"at twice it {100 * (_expected_wall(2 * tau_formula) / _at_formula - 1):+.2f}%")

# %% [markdown]
# ## 3. Spot capacity, preempted for real
#
# Now the real thing: the demo job runs with a checkpoint every `ckpt_every` steps, and the notebook
# interrupts it at seeded random times (each delay drawn with mean `M`, counted from the moment the
# attempt is ready). Every second interruption is a `SIGKILL` without notice; the others are
# `SIGTERM` notices with a grace period. After each one the job is started again and resumes from
# its checkpoint, until it finishes.

# %%
schedule = interruption_schedule(mtbi_s, n=12, seed=cfg.seed + 1, hard_every=2)
spot_out = run_dir / "demo-spot"
shutil.rmtree(spot_out, ignore_errors=True)
with measure("spot demo job, preempted and resumed", lesson="10") as spot_meter:
    if cfg.scale == "ci":  # tests only: reuse the test's interrupted run (a notice after step 32, a kill after 75)
        spot_run, spot_out, ckpt_every = check_runs["interrupted"], run_dir / "check-interrupted", 7
    else:
        spot_run = run_with_interruptions(demo_cmd + ["--out", str(spot_out), "--ckpt-every", str(ckpt_every)],
                                          schedule, grace_s=10.0, timeout_s=600)
print(spot_run.summary())
resume_exact = record_figure("10.resume_exact", float(state_dicts_equal(torch.load(reference_out / "final.pt"),
                                                                          torch.load(spot_out / "final.pt"))))

# %% [markdown]
# What did the interruptions cost? On demand, the job would run once, without checkpoints. On spot
# we pay for every attempt from launch to exit: the checkpoints, the restarts (start-up and loading)
# and the steps done twice after each kill without notice.

# %%
on_demand_s = ref_attempt.wall_s - ref_attempt.save_s      # one launch, no checkpoints
lost_s = spot_run.lost_steps * step_s
bill = pd.DataFrame([
    {"what": "useful work (one launch)", "seconds": on_demand_s},
    {"what": f"checkpoints ({spot_run.n_saves} saves)", "seconds": spot_run.save_s},
    {"what": f"restarts ({len(spot_run.attempts) - 1})", "seconds": spot_run.restart_s},
    {"what": f"steps done twice ({spot_run.lost_steps})", "seconds": lost_s},
    {"what": "total billed on spot (measured)", "seconds": spot_run.wall_s},
])
demo_ratio = record_figure("10.spot_cost_ratio_demo", (1 - terms["spot_discount"]) * spot_run.wall_s / on_demand_s)
claim("10.resume_bit_identical", resume_exact == 1.0,
      holds_text=f"After {spot_run.n_interruptions} interruptions the resumed weights are bit-identical to the "
                 "uninterrupted run's.",
      fails_text=f"After {spot_run.n_interruptions} interruptions the resumed weights DIFFER from the uninterrupted "
                 "run's: some state (RNG, data position, optimiser) is not saved or not restored. Check Exercise 1.")
print(f"this demo: spot bill / on-demand bill = {1 - terms['spot_discount']:.2f} (price) x "
      f"{spot_run.wall_s / on_demand_s:.2f} (time) = {demo_ratio:.2f}")
bill.round(3)

# %% [markdown]
# Which overhead was largest on your run? In this demonstration a restart costs the seconds it takes
# to start Python, import PyTorch and load the checkpoint, while the whole job lasts seconds too. We
# compressed the *work* of a 48-hour job into these seconds, and with it the time between
# interruptions, so the checkpoints and the steps done twice keep their share of the job; the
# restart did not shrink with it. The steps done twice after a kill are bounded by the checkpoint
# interval, and a notice (SIGTERM) costs no steps at all, because the script saves before it exits.
#
# To price the **48-hour job** the demo stands for, keep the measured shares of checkpoints and of
# steps done twice, and give each restart the time it takes on a real cloud job. That time is a
# **planning value**, not a measurement: about 10 minutes to get new capacity, start the container,
# and load the data and the checkpoint (replace it with your own, from your job's logs).

# %%
_overheads = bill.iloc[1:4].set_index("what")["seconds"]
print(f"largest overhead in the demo: {_overheads.idxmax()} ({_overheads.max():.2f} s, "
      f"{100 * _overheads.max() / on_demand_s:.0f}% of the on-demand run); all overheads together: "
      f"{100 * _overheads.sum() / on_demand_s:.0f}%, against a {100 * terms['spot_discount']:.0f}% discount")
RESTART_MINUTES = 10                                    # planning value for one restart of a cloud job
n_restarts = len(spot_run.attempts) - 1
shares = {"checkpoints (measured share)": spot_run.save_s / on_demand_s,
          "steps done twice (measured share)": lost_s / on_demand_s,
          f"restarts ({n_restarts} x {RESTART_MINUTES} min)": n_restarts * RESTART_MINUTES / 60 / JOB_HOURS}
spot_ratio = record_figure("10.spot_cost_ratio", (1 - terms["spot_discount"]) * (1 + sum(shares.values())))
spot_meter.log(metric="spot_cost_ratio", value=spot_ratio, interruptions=spot_run.n_interruptions,
               lost_steps=spot_run.lost_steps, ckpt_every=ckpt_every, restart_minutes=RESTART_MINUTES)
claim("10.spot_within_half_bill", spot_ratio <= 0.5,
      holds_text=f"For the {JOB_HOURS}-hour job: spot bill / on-demand bill = {1 - terms['spot_discount']:.2f} (price) x "
                 f"{1 + sum(shares.values()):.3f} (time) = **{spot_ratio:.2f}**: with its checkpoints, steps done twice "
                 "and restarts, spot costs less than half of on demand.",
      fails_text=f"For the {JOB_HOURS}-hour job: spot bill / on-demand bill = {1 - terms['spot_discount']:.2f} (price) x "
                 f"{1 + sum(shares.values()):.3f} (time) = **{spot_ratio:.2f}**, above half: on this run the overheads "
                 "below ate much of the discount (many interruptions, or a checkpoint interval far from Young's).")
pd.Series(shares, name="share of the on-demand job").round(4)

# %% [markdown]
# ## 4. Mixed precision: fewer bits per number
#
# `torch.autocast` runs the matrix multiplies in a 16-bit format (bf16: the exponent range of
# fp32 with 8 bits of mantissa) and keeps the weights and the sensitive operations in fp32. On GPUs
# with tensor cores this is the biggest single training-time lever. On a CPU it depends on the
# instructions the chip has (AVX-512 BF16 or AMX); without them bf16 can be *slower*. We train the
# same MLP on real MNIST digits in fp32 and with bf16 autocast, time its training steps (warm-up
# first, then the median of repeats, alternating the two) and compare test accuracy.

# %%
cpu_flags = set()
try:
    cpu_flags = set(next(line for line in Path("/proc/cpuinfo").read_text().splitlines()
                         if line.startswith("flags")).split(":", 1)[1].split())
except (OSError, StopIteration):
    pass
bf16_flags = sorted(cpu_flags & {"avx512_bf16", "amx_bf16", "amx_tile"})
print(f"PyTorch CPU capability: {torch.backends.cpu.get_cpu_capability()}; bf16 instructions: "
      f"{', '.join(bf16_flags) if bf16_flags else 'none found in /proc/cpuinfo'}")

X_all, y_all = load_mnist()
X_tr, X_te, y_tr, y_te = train_test_split(X_all, y_all, train_size=cfg.pick(ci=1000, grade=2000, laptop=4000),
                                          test_size=1000, random_state=cfg.seed, stratify=y_all)
X_tr, X_te = torch.tensor(X_tr, dtype=torch.float32) / 255.0, torch.tensor(X_te, dtype=torch.float32) / 255.0
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)
WIDTH = cfg.pick(ci=256, laptop=512)
EPOCHS = cfg.pick(ci=2, grade=3, laptop=5, full=10)


def mnist_mlp():
    torch.manual_seed(cfg.seed)
    return nn.Sequential(nn.Linear(784, WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH), nn.ReLU(), nn.Linear(WIDTH, 10))


def precision_step(model, opt, scaler, xb, yb, dev, dtype):
    """One training step in fp32 (dtype None) or under autocast to `dtype`; fp16 uses a gradient scaler."""
    with torch.autocast(device_type=dev, dtype=dtype or torch.float32, enabled=dtype is not None):
        loss = nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()


def train_and_time(dev, dtype, repeats, steps_per_repeat=10, batch=128):
    """Test accuracy after EPOCHS epochs, and seconds per step (median of `repeats` timed rounds after warm-up)."""
    model = mnist_mlp().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler(dev, enabled=dtype == torch.float16)
    Xd, yd = X_tr.to(dev), y_tr.to(dev)
    gen = torch.Generator().manual_seed(cfg.seed)
    for _ in range(EPOCHS):
        perm = torch.randperm(len(yd), generator=gen)
        for i in range(0, len(yd), batch):
            precision_step(model, opt, scaler, Xd[perm[i:i + batch]], yd[perm[i:i + batch]], dev, dtype)
    model.eval()
    with torch.no_grad(), torch.autocast(device_type=dev, dtype=dtype or torch.float32, enabled=dtype is not None):
        accuracy = float((model(X_te.to(dev)).argmax(1).cpu() == y_te).float().mean())
    model.train()
    xb, yb = Xd[:batch], yd[:batch]
    for _ in range(3):  # warm-up: first steps allocate memory and pick kernels
        precision_step(model, opt, scaler, xb, yb, dev, dtype)
    times = []
    for _ in range(repeats):
        if dev == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(steps_per_repeat):
            precision_step(model, opt, scaler, xb, yb, dev, dtype)
        if dev == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) / steps_per_repeat)
    return accuracy, times


REPEATS = cfg.pick(ci=3, grade=5, laptop=9)
configs = [("cpu", None), ("cpu", torch.bfloat16)]
if cfg.on_gpu:
    configs += [("cuda", None), ("cuda", torch.bfloat16), ("cuda", torch.float16)]
precision_rows = []
for dev, dtype in tqdm(configs, desc="precision"):
    name = "fp32" if dtype is None else str(dtype).replace("torch.", "") + " autocast"
    with measure(f"MLP {WIDTH} on MNIST, {dev} {name}", lesson="10") as run:
        acc, times = train_and_time(dev, dtype, REPEATS)
    run.log(metric="accuracy", value=acc, precision=name, device_used=dev)
    precision_rows.append({"device": dev, "precision": name, "test accuracy": acc,
                           "ms per step (median)": 1000 * statistics.median(times),
                           "ms per step (min..max)": f"{1000 * min(times):.2f}..{1000 * max(times):.2f}"})
precision = pd.DataFrame(precision_rows)
precision

# %%
main_dev = "cuda" if cfg.on_gpu else "cpu"
_p = precision[precision["device"] == main_dev].set_index("precision")
bf16_speedup = record_figure("10.bf16_speedup", _p.loc["fp32", "ms per step (median)"]
                             / _p.loc["bfloat16 autocast", "ms per step (median)"])
bf16_drop = record_figure("10.bf16_accuracy_drop_pts", 100 * (_p.loc["fp32", "test accuracy"]
                                                              - _p.loc["bfloat16 autocast", "test accuracy"]))
verdict = ("faster" if bf16_speedup > 1.1 else "slower" if bf16_speedup < 0.9 else "about as fast (within 10%)")
print(f"On this {main_dev.upper()} ({torch.backends.cpu.get_cpu_capability()}"
      f"{', with ' + ', '.join(bf16_flags) if bf16_flags and main_dev == 'cpu' else ''}), bf16 autocast was "
      f"{verdict}: {bf16_speedup:.2f}x the fp32 step rate, and its test accuracy was {abs(bf16_drop):.1f} points "
      f"{'lower' if bf16_drop > 0 else 'higher' if bf16_drop < 0 else 'different'} "
      f"(one run, {len(y_te)} test images: a point is {len(y_te) // 100} images).")


# %% [markdown]
# Autocast leaves the weights in fp32, so the model's memory is the same; the activations it keeps
# for the backward pass are half the size. On a GPU the CUDA rows above also show fp16, which needs
# a *gradient scaler* (small fp16 gradients would round to zero); bf16 does not, thanks to its fp32
# exponent range.
#
# ## 5. Gradient accumulation: the batch you want on the memory you have
#
# A batch too big for memory can be split into **micro-batches**: run forward and backward on each
# one, let the gradients add up in `.grad`, and step the optimiser once. With the loss of each
# micro-batch scaled by its share of the batch, the summed gradient is the full batch's gradient.
#
# ### Exercise 3 (4 points): accumulate
#
# Write `accumulate_gradients(model, X, y, micro_batch)` that
#
# - first clears every parameter's gradient (`model.zero_grad()`),
# - splits `X, y` in order into consecutive micro-batches of `micro_batch` rows (the last one may be
#   smaller; a `micro_batch` of at least `len(X)` is one pass),
# - for each, computes the mean cross-entropy loss, scales it by the micro-batch's share of the
#   batch, `len(xb) / len(X)`, and calls `backward()` on it (which equals `1 / steps` when the
#   micro-batches are equal),
# - returns the mean loss over the whole batch as a Python float, leaving in `.grad` the gradient
#   of that mean loss, as one full-batch backward would (do not step an optimiser).
#
# Raise `ValueError` when `micro_batch` is smaller than 1 or `X` is empty.

# %% nbgrader={"grade": false, "grade_id": "accumulate_gradients", "locked": false, "schema_version": 3, "solution": true}
def accumulate_gradients(model, X, y, micro_batch):
    """Gradient of the mean loss over (X, y), computed micro_batch rows at a time; returns the mean loss."""
    ### BEGIN SOLUTION
    if micro_batch < 1 or len(X) == 0:
        raise ValueError("micro_batch must be at least 1 and X must not be empty")
    model.zero_grad()
    total = 0.0
    for start in range(0, len(X), micro_batch):
        xb, yb = X[start:start + micro_batch], y[start:start + micro_batch]
        share = len(xb) / len(X)
        loss = nn.functional.cross_entropy(model(xb), yb) * share
        loss.backward()
        total += float(loss.detach())
    return total
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_accumulate_gradients", "locked": true, "points": 4.0, "schema_version": 3, "solution": false}
class _Recorder(nn.Module):
    """Wraps a model and records the size of every batch it is called on."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.sizes = inner, []

    def forward(self, x):
        self.sizes.append(len(x))
        return self.inner(x)


def _grads(model):
    return torch.cat([p.grad.detach().flatten() for p in model.parameters()])


def _accumulated(n, micro, seed=0, twice=False):
    """(gradient, loss, micro-batch sizes seen) from the learner's function on a fixed toy problem."""
    g = torch.Generator().manual_seed(seed)
    X, y = torch.randn(n, 6, generator=g), torch.randint(0, 3, (n,), generator=g)
    torch.manual_seed(seed)
    model = _Recorder(nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3)))
    loss = accumulate_gradients(model, X, y, micro)
    if twice:
        loss = accumulate_gradients(model, X, y, micro)
    full = nn.functional.cross_entropy(model.inner(X), y)
    reference = torch.autograd.grad(full, list(model.inner.parameters()))
    return _grads(model), torch.cat([r.flatten() for r in reference]), loss, float(full.detach()), model.sizes


with explained("accumulate_gradients", "the mean loss (a float)"):
    _g, _ref, _loss, _full, _sizes = _accumulated(64, 16)
assert _sizes == [16, 16, 16, 16], (
    f"With 64 rows and micro_batch 16 the model should see 4 micro-batches of 16, saw {_sizes}.")
assert torch.allclose(_g, _ref, rtol=1e-5, atol=1e-6), (
    f"The accumulated gradient differs from the full-batch gradient by up to {float((_g - _ref).abs().max()):.3g}. "
    "Scale each micro-batch's mean loss by len(xb) / len(X) before backward(), and zero the gradients first.")
assert isinstance(_loss, float) and abs(_loss - _full) < 1e-5, \
    f"Return the mean loss over the batch as a float ({_full:.6f}), got {_loss!r}."
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe, observe_call
# Tolerance: float32 sums in a different order differ by ~1e-7 on these sizes (measured); 1e-5 leaves room.
for _n, _m, _seed in [(100, 32, 1), (10, 3, 2), (5, 5, 3), (7, 50, 4), (9, 1, 5)]:
    _g, _ref, _loss, _full, _sizes = _accumulated(_n, _m, seed=_seed)
    observe(f"max |accumulated - full-batch gradient|, {_n} rows by {_m}", float((_g - _ref).abs().max()),
            at_most=1e-5, why="The accumulated gradient must equal the full-batch gradient: scale each micro-batch "
                              "by its own share len(xb) / len(X) (the last one may be smaller).")
    observe_call(f"micro-batch sizes, {_n} rows by {_m}", lambda: _sizes,
                 why="Split the batch in order into micro-batches of micro_batch rows; the last may be smaller.")
    observe(f"mean loss, {_n} rows by {_m}: full batch", _full, checked=False)
    observe_call(f"mean loss, {_n} rows by {_m}", lambda: _loss, same_as=f"mean loss, {_n} rows by {_m}: full batch",
                 rel=1e-5, abs=1e-6, why="Return the mean loss over the whole batch.")
_g, _ref, _loss, _full, _sizes = _accumulated(48, 16, seed=6, twice=True)
observe("max |gradient - full-batch gradient| after two calls", float((_g - _ref).abs().max()), at_most=1e-5,
        why="Start from zero gradients: a second call must not add to the first call's gradients.")
for _bad in [0, -4]:
    observe_call(f"rejects micro_batch={_bad}", lambda: _accumulated(8, _bad)[2],
                 why=f"micro_batch={_bad} should raise ValueError.")
observe_call("rejects an empty batch", lambda: accumulate_gradients(nn.Linear(2, 2), torch.zeros(0, 2),
                                                                    torch.zeros(0, dtype=torch.long), 4),
             why="An empty X should raise ValueError.")
### END HIDDEN TESTS

# %% [markdown]
# Now measure the trade at a fixed batch of 256 MNIST digits: micro-batches of 8, 32, 128 and 256
# (one pass). Time per optimiser step is measured (median of repeats). Memory on a CPU is not
# reported per tensor by PyTorch, so we **compute** it from tensor sizes: the weights, their
# gradients and Adam's two moments (the same for every micro-batch), plus the activations autograd
# saves for the backward pass of *one* micro-batch, counted with `torch.autograd.graph.saved_tensors_hooks`
# (the weights it also keeps a reference to are counted once, in the state).
# On a GPU, `torch.cuda.max_memory_allocated` measures the real peak as well.

# %%
def saved_activation_bytes(model, xb, yb):
    """Bytes of the tensors autograd keeps for the backward pass of one forward (counted, not sampled).

    Autograd also keeps references to the weights (a linear layer needs them for the input's gradient);
    those are already counted in the model's state, so tensors that share a parameter's storage are skipped.
    """
    total = 0
    weights = {p.untyped_storage().data_ptr() for p in model.parameters()}

    def pack(t):
        nonlocal total
        if t.untyped_storage().data_ptr() not in weights:
            total += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = nn.functional.cross_entropy(model(xb), yb)
    loss.backward()
    model.zero_grad()
    return total


BATCH = 256
MICRO = [8, 32, 128, 256]
ACC_REPEATS = cfg.pick(ci=2, grade=3, laptop=7)
acc_model = mnist_mlp().to(cfg.device)
acc_opt = torch.optim.Adam(acc_model.parameters(), lr=1e-3)
Xb, yb = X_tr[:BATCH].to(cfg.device), y_tr[:BATCH].to(cfg.device)
state_bytes = 4 * sum(p.numel() * p.element_size() for p in acc_model.parameters())  # weights, grads, 2 moments
acc_rows = []
for micro in tqdm(MICRO, desc="micro-batch"):
    if cfg.on_gpu:
        torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    act = saved_activation_bytes(acc_model, Xb[:micro], yb[:micro])
    times = []
    for _ in range(ACC_REPEATS + 1):  # the first round is a warm-up
        t0 = time.perf_counter()
        accumulate_gradients(acc_model, Xb, yb, micro)
        acc_opt.step()
        if cfg.on_gpu:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    row = {"micro-batch": micro, "steps per update": math.ceil(BATCH / micro),
           "saved activations (MB)": act / 2**20, "peak estimate (MB)": (state_bytes + act) / 2**20,
           "ms per update (median)": 1000 * statistics.median(times[1:])}
    if cfg.on_gpu:
        row["CUDA peak allocated (MB)"] = torch.cuda.max_memory_allocated() / 2**20
    acc_rows.append(row)
accumulation = pd.DataFrame(acc_rows)
memory_col = "CUDA peak allocated (MB)" if cfg.on_gpu else "peak estimate (MB)"
acc_memory_ratio = record_figure("10.accumulation_memory_ratio",
                                 accumulation[memory_col].iloc[0] / accumulation[memory_col].iloc[-1])
_slow = accumulation["ms per update (median)"].iloc[0] / accumulation["ms per update (median)"].iloc[-1]
_shrink = accumulation["saved activations (MB)"].iloc[-1] / accumulation["saved activations (MB)"].iloc[0]
claim("10.accumulation_trades_time_for_memory", acc_memory_ratio < 1 and _slow > 1,
      holds_text=f"Micro-batches of {MICRO[0]} instead of {BATCH}: {acc_memory_ratio:.2f}x the peak memory "
                 f"({memory_col}) for {_slow:.1f}x the time per update; the activations alone shrink {_shrink:.0f}x.",
      fails_text=f"Micro-batches of {MICRO[0]} instead of {BATCH}: {acc_memory_ratio:.2f}x the peak memory "
                 f"({memory_col}) and {_slow:.1f}x the time per update on this run: one of the two did not move the "
                 "usual way (timings of a few milliseconds swing on a busy machine; rerun at laptop scale).")
accumulation.round(3)

# %% [markdown]
# Read the two columns together: the activations shrink in proportion to the micro-batch, but the
# weights, gradients and optimiser state do not, so how much memory accumulation saves depends on
# which of the two dominates (printed below for this MLP). For models whose activations dominate
# (long sequences, big images) the saving is most of the memory. The time column is the price.

# %%
_act_share = accumulation["saved activations (MB)"].iloc[-1] / accumulation["peak estimate (MB)"].iloc[-1]
print(f"at the full batch of {BATCH}, activations are {100 * _act_share:.0f}% of the estimated peak, weights + "
      f"gradients + Adam state {100 * (1 - _act_share):.0f}%; micro-batches of {MICRO[0]} took {_slow:.1f}x "
      f"the time per update on this machine")

# %% [markdown]
# ## 6. Right-sizing: the instance that meets the deadline for the least money
#
# More cores finish sooner, but rarely in proportion. We time the same training step of a wider MLP
# with 1 and 2 PyTorch threads (alternating, median of repeats) and fit **Amdahl's law**: a serial
# fraction `s` of the work does not speed up, so on `N` cores the time is `T1 x (s + (1 - s) / N)`;
# from the 2-thread speedup `S2`, `s = 2 / S2 - 1`.

# %%
T_WIDTH, T_BATCH = cfg.pick(ci=(512, 128), laptop=(1024, 256))
T_REPEATS, T_STEPS = cfg.pick(ci=2, grade=3, laptop=5), cfg.pick(ci=3, laptop=8)
t_model = nn.Sequential(nn.Linear(784, T_WIDTH), nn.ReLU(), nn.Linear(T_WIDTH, T_WIDTH), nn.ReLU(),
                        nn.Linear(T_WIDTH, 10))
t_opt = torch.optim.SGD(t_model.parameters(), lr=0.01)
tx, ty = X_tr[:T_BATCH], y_tr[:T_BATCH]


def timed_steps(threads):
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    for _ in range(T_STEPS):
        t_opt.zero_grad()
        nn.functional.cross_entropy(t_model(tx), ty).backward()
        t_opt.step()
    return (time.perf_counter() - t0) / T_STEPS


thread_counts = [1, 2] if ALL_THREADS >= 2 else [1]
thread_times = {n: [] for n in thread_counts}
timed_steps(1)   # warm-up
for k in tqdm(range(T_REPEATS), desc="threads"):
    for n in (thread_counts if k % 2 == 0 else thread_counts[::-1]):
        thread_times[n].append(timed_steps(n))
torch.set_num_threads(1)
t1 = statistics.median(thread_times[1])
speedup_2 = t1 / statistics.median(thread_times[2]) if 2 in thread_times else 1.0
serial_fraction = float(np.clip(2 / speedup_2 - 1, 0.0, 1.0))
print(f"{1000 * t1:.1f} ms per step on 1 thread; 2 threads: {speedup_2:.2f}x; Amdahl serial fraction s = "
      f"{serial_fraction:.2f} (fitted from two points: an extrapolation to bigger machines, not a measurement)")


# %% [markdown]
# ### Exercise 4 (4 points): choose the instance
#
# Write `choose_instance(table, t1_hours, serial_fraction, deadline_hours, spot=False)`. `table` is a
# DataFrame indexed by instance name with columns `vcpus`, `usd_per_hour` and `spot_discount` (a
# fraction; missing, NaN, where the instance has no spot market). For every instance:
#
# - hours = `t1_hours * (serial_fraction + (1 - serial_fraction) / vcpus)` (Amdahl, `t1_hours` on one vCPU),
# - price per hour = `usd_per_hour`, or `usd_per_hour * (1 - spot_discount)` when `spot=True`
#   (instances without a spot discount are then skipped),
# - cost = price per hour x hours.
#
# Return the name of the cheapest instance whose hours are at most `deadline_hours` (meeting the
# deadline exactly is fine). On equal cost (`math.isclose`, relative tolerance 1e-9) prefer the one
# that finishes sooner; if still tied, the first in table order. Raise `ValueError` when no instance
# meets the deadline, or when `t1_hours` or `deadline_hours` is not positive or `serial_fraction` is
# outside [0, 1].

# %% nbgrader={"grade": false, "grade_id": "choose_instance", "locked": false, "schema_version": 3, "solution": true}
def choose_instance(table, t1_hours, serial_fraction, deadline_hours, spot=False):
    """Name of the cheapest instance in `table` that finishes the job within the deadline."""
    ### BEGIN SOLUTION
    if t1_hours <= 0 or deadline_hours <= 0 or not 0 <= serial_fraction <= 1:
        raise ValueError("t1_hours and deadline_hours must be positive, serial_fraction in [0, 1]")
    best = None
    for name, row in table.iterrows():
        price = row["usd_per_hour"]
        if spot:
            if pd.isna(row["spot_discount"]):
                continue
            price = price * (1 - row["spot_discount"])
        hours = t1_hours * (serial_fraction + (1 - serial_fraction) / row["vcpus"])
        if hours > deadline_hours:
            continue
        cost = price * hours
        if (best is None or (cost < best[0] and not math.isclose(cost, best[0], rel_tol=1e-9))
                or (math.isclose(cost, best[0], rel_tol=1e-9) and hours < best[1])):
            best = (cost, hours, name)
    if best is None:
        raise ValueError(f"no instance finishes {t1_hours} h of work within {deadline_hours} h")
    return best[2]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_choose_instance", "locked": true, "points": 4.0, "schema_version": 3, "solution": false}
_table = pd.DataFrame({"vcpus": [2, 8, 32], "usd_per_hour": [0.10, 0.40, 1.60], "spot_discount": [0.6, 0.6, 0.7]},
                      index=["small", "medium", "large"])
# 64 h on one vCPU with s = 0.1: small 35.2 h ($3.52), medium 13.6 h ($5.44), large 8.2 h ($13.12).
with explained("choose_instance", "an instance name"):
    _picks = {d: choose_instance(_table, 64.0, 0.1, d) for d in (40.0, 14.0, 10.0)}
assert _picks[40.0] == "small", (
    f"Within 40 h every instance finishes and small is the cheapest ($3.52), got {_picks[40.0]!r}.")
assert _picks[14.0] == "medium", (
    f"Within 14 h small (35.2 h) is too slow; medium ($5.44) is cheaper than large ($13.12), got {_picks[14.0]!r}: "
    "the fastest instance is not the cheapest one that meets the deadline.")
assert _picks[10.0] == "large", f"Within 10 h only large (8.2 h) finishes, got {_picks[10.0]!r}."
try:
    choose_instance(_table, 64.0, 0.1, 5.0)
except ValueError:
    pass
except Exception as exc:
    raise AssertionError(f"No instance finishes within 5 h: raise ValueError, not {type(exc).__name__}.") from exc
else:
    raise AssertionError("No instance finishes within 5 h: choose_instance must raise ValueError, not return.")
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
# s = 0.5 and powers of two keep the hours exact: small 12 h, medium 9 h, large 8.25 h for 16 h on one vCPU.
_t2 = pd.DataFrame({"vcpus": [2, 8, 32], "usd_per_hour": [0.10, 0.40, 1.60], "spot_discount": [np.nan, 0.6, 0.95]},
                   index=["two-core", "eight-core", "big"])
observe_call("deadline met exactly", lambda: choose_instance(_t2, 16.0, 0.5, 9.0),
             why="An instance that finishes exactly at the deadline meets it (hours <= deadline).")
observe_call("deadline met exactly, cheapest", lambda: choose_instance(_t2, 16.0, 0.5, 12.0),
             why="An instance that finishes exactly at the deadline meets it (hours <= deadline).")
observe_call("spot prices", lambda: choose_instance(_t2, 16.0, 0.5, 12.0, spot=True),
             why="With spot=True the price is usd_per_hour x (1 - spot_discount); no discount (NaN): not on spot.")
observe_call("spot, one candidate left", lambda: choose_instance(_t2.iloc[:2], 16.0, 0.5, 12.0, spot=True),
             why="With spot=True an instance without a spot discount is skipped.")
observe_call("no serial part", lambda: choose_instance(_t2, 16.0, 0.0, 9.0),
             why="hours = t1 x (s + (1 - s) / vcpus); with s = 0 the job scales perfectly.")
observe_call("a large serial part", lambda: choose_instance(_t2, 10.0, 0.8, 8.5),
             why="hours = t1 x (s + (1 - s) / vcpus): the serial fraction s does not speed up.")
observe_call("all serial", lambda: choose_instance(_t2, 10.0, 1.0, 10.0),
             why="With s = 1 every instance takes t1 hours: the cheapest rate wins; s = 1 is valid.")
_tie = pd.DataFrame({"vcpus": [2, 4, 4], "usd_per_hour": [1.0, 2.0, 2.0], "spot_discount": [0.5, 0.5, 0.5]},
                    index=["two", "four", "four-b"])
observe_call("equal cost: the faster one", lambda: choose_instance(_tie, 10.0, 0.0, 10.0),
             why="On equal cost prefer the instance that finishes sooner.")
observe_call("equal cost and time: table order", lambda: choose_instance(_tie.iloc[[0, 2, 1]], 10.0, 0.0, 10.0),
             why="On equal cost and equal hours keep the first in table order.")
observe_call("no instance meets the deadline", lambda: choose_instance(_t2, 16.0, 0.5, 8.0),
             why="When no instance finishes in time, raise ValueError (do not return None).")
for _bad in [(0.0, 0.5, 9.0), (16.0, -0.1, 9.0), (16.0, 1.5, 9.0), (16.0, 0.5, 0.0)]:
    observe_call(f"rejects t1, s, deadline = {_bad}", lambda: choose_instance(_t2, *_bad),
                 why=f"choose_instance(table, {_bad[0]}, {_bad[1]}, {_bad[2]}) should raise ValueError.")
### END HIDDEN TESTS

# %% [markdown]
# Apply it to the CPU instances of the price table, with your measured serial fraction: a job that
# would take 200 hours on one vCPU must be done within 48 hours.

# %%
cpu_table = price_table()[lambda t: t["gpus"] == 0]
JOB_T1, DEADLINE = 200.0, 48.0
projection = cpu_table[["vcpus", "usd_per_hour", "spot_discount"]].copy()
projection["hours"] = JOB_T1 * (serial_fraction + (1 - serial_fraction) / projection["vcpus"])
projection["on-demand cost"] = projection["usd_per_hour"] * projection["hours"]
projection["meets deadline"] = projection["hours"] <= DEADLINE
fastest = projection["hours"].idxmin()
for spot in (False, True):
    try:
        choice = choose_instance(cpu_table, JOB_T1, serial_fraction, DEADLINE, spot=spot)
        print(f"{'spot' if spot else 'on demand'}: {choice} is the cheapest within {DEADLINE:.0f} h "
              f"({projection.loc[choice, 'hours']:.1f} h)")
    except ValueError as exc:
        print(f"{'spot' if spot else 'on demand'}: {exc} (with s = {serial_fraction:.2f}, even {fastest} needs "
              f"{projection.loc[fastest, 'hours']:.0f} h)")
print(f"the fastest, {fastest}, would cost ${projection.loc[fastest, 'on-demand cost']:.2f} on demand")
projection.round(3)

# %% [markdown]
# Your Amdahl fit comes from two thread counts on one machine, so the projection to 16 vCPUs is an
# extrapolation; measure on the machine you will rent before you commit to it (lesson 06 measured
# the same law across processes).
#
# ## Checkpoints
#
# ### Exercise 5 (1 point): how often to save
#
# A job's checkpoint takes **50 seconds** to write, and its spot pool is interrupted without notice
# about **once every 10 hours**. By Young's rule, about how often should it checkpoint?
#
# - **(a)** every 22 seconds
# - **(b)** about every 32 minutes
# - **(c)** every 5 hours, half the time between interruptions
# - **(d)** about every 22 minutes
#
# Set `checkpoint_interval_choice` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_interval_choice", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_interval_choice = "b"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_interval_choice", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_interval_choice, str) and checkpoint_interval_choice.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_interval_choice.strip().lower(),
             why="sqrt(2 x C x M) with C = 50 s and M = 10 h = 36,000 s, then convert to minutes.")
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 6 (1 point): the fastest machine
#
# Why is the fastest instance in a price table rarely the cheapest way to finish a job on time?
#
# - **(a)** Fast instances are billed per hour and slow ones per second, so short jobs pay for unused time.
# - **(b)** The fastest instance is always the cheapest, because a job that ends sooner bills fewer hours.
# - **(c)** Bigger instances are interrupted more often on spot, and the checkpoints they need slow them down.
# - **(d)** The serial part does not speed up, so extra cores cut the hours less than they raise the rate.
#
# Set `checkpoint_fastest` to `"a"`, `"b"`, `"c"` or `"d"`.

# %% nbgrader={"grade": false, "grade_id": "checkpoint_fastest", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
checkpoint_fastest = "d"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_checkpoint_fastest", "locked": true, "points": 1.0, "schema_version": 3, "solution": false}
assert isinstance(checkpoint_fastest, str) and checkpoint_fastest.strip().lower() in {"a", "b", "c", "d"}, \
    'Answer with one letter: "a", "b", "c" or "d".'
### BEGIN HIDDEN TESTS
from tradeoffs.checks import observe_call
observe_call("answer", lambda: checkpoint_fastest.strip().lower(),
             why="Write the cost as rate x t1 x (s + (1 - s) / N) and see what N does to each factor.")
### END HIDDEN TESTS

# %% [markdown]
# ## In the cloud
#
# | lever | managed service | what it adds | what it costs |
# | --- | --- | --- | --- |
# | spot capacity + checkpoints | **SageMaker managed spot training** (`use_spot_instances=True`, `max_wait`, `checkpoint_s3_uri`): SageMaker syncs your checkpoint folder to S3 and restarts the job after an interruption | capacity retries, checkpoint upload and download, the bill shows the savings | the same training code has to resume from the checkpoint folder, as yours does; jobs can wait for capacity up to `max_wait` |
# | spot capacity on GCP | **Spot VMs** (and Vertex AI custom training on Spot VMs): 60-91% off the on-demand price, 30 s notice | a discount with no maximum run time (the older *preemptible* VMs stopped after 24 h) | you bring the checkpointing and the restart (a managed instance group or your scheduler) |
# | mixed precision | **automatic mixed precision** on managed GPU training (a flag in the framework, e.g. `torch.autocast` in your script, or the training service's AMP option) | tensor-core speed on GPUs, half the activation memory | nothing on the bill; an accuracy check like section 4's, and a gradient scaler for fp16 |
# | right-sizing | instance recommendations (e.g. AWS Compute Optimizer) and the provider's pricing calculator | utilisation-based suggestions | a monitoring agent and history; they see utilisation, not your deadline |
#
# The managed versions do the plumbing (`tradeoffs.preemption` here); the decisions you made in this
# lesson (what a checkpoint holds, how often to take it, which precision and which machine) stay yours.
#
# ## Summary
#
# - **Spot capacity** is the largest discount on the bill, and only safe with checkpoints that hold
#   *everything* that changes during training (weights, optimiser state, random states, data
#   position), written atomically, plus a save on the provider's notice. Then a resumed run is the
#   same run, bit for bit.
# - **Checkpoint interval**: Young/Daly's $\sqrt{2CM}$; the cost curve is flat near it, so the
#   order of magnitude matters more than the digits.
# - **Mixed precision** pays where the hardware has 16-bit units (GPUs, recent CPUs); measure it on
#   yours, and check the accuracy.
# - **Gradient accumulation** trades time for memory at the same effective batch and the same
#   gradient; it saves most where activations dominate the memory.
# - **Right-sizing**: hours fall as $s + (1-s)/N$ while the rate grows with $N$; choose the cheapest
#   machine that meets the deadline, not the fastest.

# %%
# Small-scale runs (tests, autograding) clean up after themselves; at laptop scale the script and its
# checkpoints stay in run_dir for you to open.
if cfg.scale in ("ci", "grade"):
    shutil.rmtree(run_dir, ignore_errors=True)
    print(f"removed {run_dir}")
else:
    print(f"your script and its checkpoints are in {run_dir}")
