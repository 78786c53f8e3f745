"""Preemption plumbing for lesson 10: run a training script, interrupt it for real, resume it, account for it.

Spot (preemptible) capacity is cheap because the provider may take the machine back at any moment,
usually with a short notice (a SIGTERM, then a hard kill when the grace period is over). This module
does the launching and the interrupting and nothing else; what the script saves and how it resumes
is the lesson's business (and the learner's exercise).

    schedule = interruption_schedule(mean_s=4.0, n=3, seed=0, hard_every=2)
    run = run_with_interruptions([sys.executable, "train.py", "--out", "ckpt/"], schedule, grace_s=5.0)
    print(run.n_interruptions, run.lost_steps, run.wall_s)

**The script's side of the protocol** (lines on its stdout, flushed as they happen):

- ``ready step=N``: set up, resumed at step ``N`` (0 for a fresh start); the interruption clock starts;
- ``step N``: step ``N`` is done;
- ``saved step=N seconds=S``: a checkpoint at step ``N`` took ``S`` seconds to write;
- ``preempted step=N``: saved after a SIGTERM and exiting;
- ``done step=N``: training finished (the run is complete).

An interruption either fires ``after_s`` seconds after ``ready`` (the notebook sends the signal, a
real one, from outside) or at a given step: then the run's environment carries ``PREEMPT_AT_STEP``
and ``PREEMPT_SIGNAL`` and the script signals itself once that step is done, which makes the
interruption land on the same step every time (for tests). SIGTERM is a notice: the process gets
``grace_s`` seconds to save and exit before a SIGKILL. SIGKILL is an interruption without notice
(a host failure, a save that does not fit in the grace period).

It also holds the cost side: the spot terms of an instance in the price table, and a seeded
simulation of a checkpointed job under interruptions without notice (to draw the expected-cost
curve against the checkpoint interval).
"""
from __future__ import annotations

import math
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from .processes import kill_process_group

__all__ = [
    "Attempt", "Interruption", "PreemptedRun", "PreemptionError", "interruption_schedule", "run_attempt",
    "run_with_interruptions", "run_concurrently", "spot_terms", "simulate_checkpointed_job",
    "expected_wall_curve", "smoothed_minimum", "state_dicts_equal",
]

_READY = re.compile(r"^ready step=(\d+)")
_STEP = re.compile(r"^step (\d+)")
_SAVED = re.compile(r"^saved step=(\d+) seconds=([0-9.eE+-]+)")
_PREEMPTED = re.compile(r"^preempted step=(\d+)")
_DONE = re.compile(r"^done step=(\d+)")


class PreemptionError(RuntimeError):
    """The training script failed by itself (not because we interrupted it), or never finished."""


@dataclass(frozen=True)
class Interruption:
    """One interruption: ``after_s`` seconds after the attempt is ready, or once step ``at_step`` is done.

    ``sig`` is ``signal.SIGTERM`` (a notice: the script may save within the grace period) or
    ``signal.SIGKILL`` (no notice).
    """

    after_s: float | None = None
    at_step: int | None = None
    sig: int = signal.SIGTERM

    def __post_init__(self) -> None:
        if (self.after_s is None) == (self.at_step is None):
            raise ValueError("An Interruption needs exactly one of after_s (seconds) or at_step (a step number).")
        if self.after_s is not None and self.after_s < 0:
            raise ValueError(f"after_s must be >= 0, got {self.after_s}.")
        if self.at_step is not None and self.at_step < 1:
            raise ValueError(f"at_step must be >= 1, got {self.at_step}.")

    @property
    def notice(self) -> bool:
        """True for a SIGTERM (the script can save), False for a SIGKILL."""
        return self.sig != signal.SIGKILL

    def describe(self) -> str:
        when = f"{self.after_s:.2f} s after ready" if self.after_s is not None else f"after step {self.at_step}"
        return f"{signal.Signals(self.sig).name} {when}"


@dataclass
class Attempt:
    """One launch of the script: where it started, how far it got, how it ended, and its timings."""

    index: int
    command: list[str]
    interruption: Interruption | None
    start_step: int | None = None  # from "ready step=N"
    last_step: int = 0  # the last "step N" line
    saves: list[tuple[int, float]] = field(default_factory=list)  # (step, seconds) per checkpoint written
    returncode: int | None = None
    wall_s: float = 0.0  # launch to exit
    ready_s: float | None = None  # launch to "ready": process start-up, imports, loading the checkpoint
    done_s: float | None = None  # launch to "done" (before the interpreter's own shutdown)
    signalled: bool = False  # we sent (or the script sent itself) the interruption's signal
    grace_exceeded: bool = False  # a SIGTERM was not answered within the grace period: SIGKILL followed
    preempted_cleanly: bool = False  # "preempted step=N" was printed
    finished: bool = False  # "done step=N" was printed and the process exited with status 0
    timed_out: bool = False
    stdout_tail: str = ""
    stderr: str = ""

    @property
    def save_s(self) -> float:
        """Seconds spent writing checkpoints in this attempt."""
        return float(sum(s for _, s in self.saves))


@dataclass
class PreemptedRun:
    """Every attempt of one job, from the first launch to the one that finished."""

    attempts: list[Attempt]

    @property
    def finished(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].finished

    @property
    def n_interruptions(self) -> int:
        return sum(a.signalled and not a.finished for a in self.attempts)

    @property
    def wall_s(self) -> float:
        """Seconds billed: every attempt from launch to exit (start-ups, saves and redone steps included)."""
        return float(sum(a.wall_s for a in self.attempts))

    @property
    def save_s(self) -> float:
        """Seconds spent writing checkpoints, over all attempts."""
        return float(sum(a.save_s for a in self.attempts))

    @property
    def n_saves(self) -> int:
        return sum(len(a.saves) for a in self.attempts)

    @property
    def start_steps(self) -> list[int | None]:
        """The step each attempt resumed from (0 for the first)."""
        return [a.start_step for a in self.attempts]

    @property
    def lost_steps(self) -> int:
        """Steps done twice: how far each interrupted attempt got beyond the step the next one resumed from."""
        lost = 0
        for before, after in zip(self.attempts, self.attempts[1:]):
            if after.start_step is not None:
                lost += max(0, before.last_step - after.start_step)
        return lost

    @property
    def restart_s(self) -> float:
        """Start-up seconds of the attempts after the first (launch to ready): the price of each restart."""
        return float(sum(a.ready_s or 0.0 for a in self.attempts[1:]))

    def summary(self) -> str:
        lines = []
        for a in self.attempts:
            how = ("finished" if a.finished else "saved and exited" if a.preempted_cleanly else
                   "killed" if a.signalled else f"exit {a.returncode}")
            what = a.interruption.describe() if (a.interruption and a.signalled) else "no interruption"
            lines.append(f"attempt {a.index}: steps {a.start_step}->{a.last_step}, {len(a.saves)} saves, "
                         f"{a.wall_s:.2f} s ({what}: {how})")
        return "\n".join(lines)


def interruption_schedule(mean_s: float, n: int, seed: int, hard_every: int = 0) -> list[Interruption]:
    """``n`` interruptions, each ``Exponential(mean_s)`` seconds after its attempt is ready (seeded).

    Interruptions of a Poisson process are memoryless, so drawing each attempt's delay afresh is the
    same as drawing arrival times on one clock. With ``hard_every=k`` every k-th one is a SIGKILL
    (no notice); the others are SIGTERM notices.
    """
    if mean_s <= 0 or n < 0:
        raise ValueError(f"mean_s must be positive and n >= 0, got mean_s={mean_s}, n={n}.")
    rng = np.random.default_rng(seed)
    delays = rng.exponential(mean_s, size=n)
    return [Interruption(after_s=float(d),
                         sig=signal.SIGKILL if hard_every and (i + 1) % hard_every == 0 else signal.SIGTERM)
            for i, d in enumerate(delays)]


def _reader(stream, lines: "queue.Queue[str | None]") -> None:
    for line in iter(stream.readline, ""):
        lines.put(line.rstrip("\n"))
    lines.put(None)


def run_attempt(command: Sequence[str], interruption: Interruption | None = None, *, index: int = 0,
                grace_s: float = 5.0, timeout_s: float = 120.0, env: Mapping[str, str] | None = None,
                cwd: str | os.PathLike | None = None) -> Attempt:
    """Launch ``command`` once, interrupt it as ``interruption`` says, and wait (at most ``timeout_s``).

    The process gets its own session; on a timeout, or if the notebook is interrupted, it is killed with
    everything it started.
    """
    attempt = Attempt(index=index, command=[str(c) for c in command], interruption=interruption)
    run_env = dict(os.environ)
    run_env.update({"PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": run_env.get("OMP_NUM_THREADS", "1")})
    run_env.pop("PREEMPT_AT_STEP", None)
    run_env.pop("PREEMPT_SIGNAL", None)
    if env:
        run_env.update({k: str(v) for k, v in env.items()})
    if interruption is not None and interruption.at_step is not None:
        run_env["PREEMPT_AT_STEP"] = str(interruption.at_step)
        run_env["PREEMPT_SIGNAL"] = str(int(interruption.sig))
    with tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(attempt.command, stdout=subprocess.PIPE, stderr=err, text=True, env=run_env,
                                cwd=cwd, start_new_session=True)
        lines: "queue.Queue[str | None]" = queue.Queue()
        reader = threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True)
        reader.start()
        fire_at: float | None = None  # perf_counter time of a timed interruption (set at "ready")
        kill_at: float | None = None  # end of the grace period after a SIGTERM we sent
        tail: list[str] = []
        try:
            eof = False
            while True:
                now = time.perf_counter()
                if now - t0 > timeout_s:
                    attempt.timed_out = True
                    break
                if (fire_at is not None and not attempt.signalled and not attempt.finished and now >= fire_at
                        and proc.poll() is None):
                    proc.send_signal(interruption.sig)
                    attempt.signalled = True
                    if interruption.sig != signal.SIGKILL:
                        kill_at = now + grace_s
                if kill_at is not None and now >= kill_at and proc.poll() is None:
                    proc.kill()
                    attempt.grace_exceeded = True
                    kill_at = None
                if eof:
                    if proc.poll() is not None:
                        break
                    time.sleep(0.01)
                    continue
                waits = [t - now for t in (fire_at if not attempt.signalled else None, kill_at,
                                           t0 + timeout_s) if t is not None]
                try:
                    line = lines.get(timeout=max(0.001, min(waits + [0.25])))
                except queue.Empty:
                    continue
                if line is None:
                    eof = True
                    continue
                tail = (tail + [line])[-20:]
                if m := _STEP.match(line):
                    attempt.last_step = int(m.group(1))
                elif m := _READY.match(line):
                    attempt.start_step = int(m.group(1))
                    attempt.last_step = attempt.start_step
                    attempt.ready_s = time.perf_counter() - t0
                    if interruption is not None and interruption.after_s is not None:
                        fire_at = time.perf_counter() + interruption.after_s
                elif m := _SAVED.match(line):
                    attempt.saves.append((int(m.group(1)), float(m.group(2))))
                elif _PREEMPTED.match(line):
                    attempt.preempted_cleanly = True
                elif m := _DONE.match(line):
                    attempt.finished = True
                    attempt.done_s = time.perf_counter() - t0
        except BaseException:  # KeyboardInterrupt in the notebook: leave nothing running
            kill_process_group(proc.pid)
            proc.kill()
            proc.wait()
            raise
        if attempt.timed_out:
            kill_process_group(proc.pid)
            proc.kill()
        attempt.returncode = proc.wait()
        attempt.wall_s = time.perf_counter() - t0
        kill_process_group(proc.pid)  # anything the script started must not outlive it
        reader.join(timeout=2.0)
        err.seek(0)
        attempt.stderr = err.read()
    if interruption is not None and interruption.at_step is not None:
        # The script signalled itself: SIGKILL shows as -9, a SIGTERM notice as a "preempted" line.
        attempt.signalled = attempt.returncode == -signal.SIGKILL or attempt.preempted_cleanly
    # "done" means final weights are written; a signal that raced with the exit does not undo that.
    attempt.finished = attempt.finished and (attempt.returncode == 0 or attempt.signalled)
    attempt.stdout_tail = "\n".join(tail)
    return attempt


def _explain(attempt: Attempt, why: str) -> str:
    err = "\n".join(attempt.stderr.rstrip().splitlines()[-15:])
    return (f"{why}\ncommand: {' '.join(attempt.command)}\nlast lines of its output:\n{attempt.stdout_tail}\n"
            f"its stderr (last lines):\n{err or '(empty)'}")


def run_with_interruptions(command: Sequence[str], schedule: Sequence[Interruption] = (), *, grace_s: float = 5.0,
                           timeout_s: float = 120.0, max_attempts: int = 20, env: Mapping[str, str] | None = None,
                           cwd: str | os.PathLike | None = None) -> PreemptedRun:
    """Launch ``command`` again and again until it prints ``done``; attempt i is interrupted by ``schedule[i]``.

    An attempt that ends without being interrupted and without finishing, or an attempt whose script
    failed to print ``ready``, raises :class:`PreemptionError` with its output. ``timeout_s`` applies to
    each attempt.
    """
    attempts: list[Attempt] = []
    for index in range(max_attempts):
        interruption = schedule[index] if index < len(schedule) else None
        attempt = run_attempt(command, interruption, index=index, grace_s=grace_s, timeout_s=timeout_s, env=env,
                              cwd=cwd)
        attempts.append(attempt)
        if attempt.timed_out:
            raise PreemptionError(_explain(attempt, f"attempt {index} did not finish within {timeout_s:.0f} s."))
        if attempt.finished:
            return PreemptedRun(attempts)
        if attempt.start_step is None:
            raise PreemptionError(_explain(attempt, f"attempt {index} exited (status {attempt.returncode}) before "
                                                    "printing 'ready step=N': the script failed while starting "
                                                    "or resuming."))
        if not attempt.signalled:
            raise PreemptionError(_explain(attempt, f"attempt {index} exited with status {attempt.returncode} "
                                                    "without being interrupted and without printing 'done'."))
    raise PreemptionError(f"the job did not finish in {max_attempts} attempts.")


def run_concurrently(jobs: Mapping[str, tuple[Sequence[str], Sequence[Interruption]]], *, max_workers: int = 2,
                     **options) -> dict[str, PreemptedRun]:
    """Run several jobs (name -> (command, schedule)) at the same time; ``options`` go to each run.

    Only for runs whose timings do not matter (tests): jobs running side by side slow each other down.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {name: pool.submit(run_with_interruptions, cmd, sched, **options)
                   for name, (cmd, sched) in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def state_dicts_equal(a: Mapping, b: Mapping) -> bool:
    """True when two state dicts have the same keys and bit-identical tensors (``torch.equal``)."""
    import torch

    return set(a) == set(b) and all(torch.is_tensor(a[k]) and torch.is_tensor(b[k]) and a[k].dtype == b[k].dtype
                                    and torch.equal(a[k], b[k]) for k in a)


def spot_terms(instance: str) -> dict[str, float]:
    """On-demand and spot prices and the planning interruption rate of ``instance`` (``data/prices.csv``).

    Raises ``KeyError`` for an unknown instance and ``ValueError`` when the table offers it on no spot
    market (an empty ``spot_discount``).
    """
    from .prices import hourly_rate, price_table

    on_demand = hourly_rate(instance)
    row = price_table().loc[instance]
    discount, rate = row.get("spot_discount"), row.get("interruptions_per_hour")
    if discount is None or rate is None or not (math.isfinite(float(discount)) and math.isfinite(float(rate))):
        raise ValueError(f"{instance} has no spot terms in data/prices.csv (spot_discount, interruptions_per_hour).")
    return {"usd_per_hour": on_demand, "spot_discount": float(discount),
            "spot_usd_per_hour": on_demand * (1.0 - float(discount)),
            "interruptions_per_hour": float(rate), "spot_as_of": str(row.get("spot_as_of", ""))}


def simulate_checkpointed_job(work_s: float, interval_s: float, checkpoint_s: float, mtbi_s: float,
                              restart_s: float = 0.0, n_jobs: int = 2000, seed: int = 0) -> np.ndarray:
    """Wall seconds of ``n_jobs`` simulated runs of a job under interruptions *without notice* (seeded).

    The job needs ``work_s`` seconds of computing; it writes a checkpoint (``checkpoint_s`` seconds) after
    every ``interval_s`` seconds of work. Interruptions arrive as a Poisson process with mean time
    ``mtbi_s`` of running time between them; each one loses the work since the last checkpoint and
    costs ``restart_s`` seconds before computing resumes (a restart itself is never interrupted, as
    in the lesson's demo, where the interruption clock starts when an attempt is ready). The same seed
    draws the same interruption times for every interval (common random numbers), so curves over
    intervals are smooth.
    """
    if work_s <= 0 or interval_s <= 0 or checkpoint_s < 0 or mtbi_s <= 0 or restart_s < 0 or n_jobs < 1:
        raise ValueError("work_s, interval_s and mtbi_s must be positive; checkpoint_s and restart_s >= 0.")
    rng = np.random.default_rng(seed)
    n_full = math.floor(work_s / interval_s)  # checkpoints written (none after the last, partial segment)
    last = work_s - n_full * interval_s
    if last <= 1e-12 * work_s:  # the job ends on a checkpoint boundary: no checkpoint at the very end
        n_full, last = n_full - 1, interval_s
    cycle = interval_s + checkpoint_s
    saved = np.zeros(n_jobs)  # checkpointed segments so far
    wall = np.zeros(n_jobs)
    active = np.ones(n_jobs, dtype=bool)
    while active.any():
        run = rng.exponential(mtbi_s, size=n_jobs)  # running time until the next interruption
        need = (n_full - saved) * cycle + last  # running time to finish from the last checkpoint
        done = active & (run >= need)
        fail = active & ~done
        wall = np.where(done, wall + need, wall)
        saved = np.where(fail, saved + np.minimum(np.floor(run / cycle), n_full - saved), saved)
        wall = np.where(fail, wall + run + restart_s, wall)
        active = fail
    return wall


def expected_wall_curve(work_s: float, intervals_s: Sequence[float], checkpoint_s: float, mtbi_s: float,
                        restart_s: float = 0.0, n_jobs: int = 2000, seed: int = 0) -> np.ndarray:
    """Mean simulated wall seconds for each checkpoint interval (:func:`simulate_checkpointed_job`)."""
    return np.array([simulate_checkpointed_job(work_s, float(t), checkpoint_s, mtbi_s, restart_s, n_jobs,
                                               seed).mean() for t in intervals_s])


def smoothed_minimum(x: Sequence[float], y: Sequence[float]) -> float:
    """The x of the minimum of a parabola fitted (in log x) to the lowest point of ``y`` and its neighbours."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    i = int(np.argmin(y))
    lo, hi = max(0, i - 3), min(len(x), i + 4)
    if hi - lo < 3:
        return float(x[i])
    a, b, _ = np.polyfit(np.log(x[lo:hi]), y[lo:hi], 2)
    if a <= 0:
        return float(x[i])
    return float(np.exp(np.clip(-b / (2 * a), np.log(x[lo]), np.log(x[hi - 1]))))

