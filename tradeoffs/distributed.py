"""Launch plumbing for distributed-training lessons: run ``torchrun`` from a notebook, safely.

A notebook cannot ``mp.spawn`` a worker that it defines itself (the children cannot import it),
so lessons write their training script to a file and launch it with ``torchrun``
(``python -m torch.distributed.run``) in a subprocess. This module does the launching and
nothing else; the training script (process group, DDP wrapper, sampler, all-reduce) is the
lesson's business.

    result = launch("train.py", ["--epochs", "2"], nproc=2, timeout=120)
    print(result.rank_stdout(0))

What it takes care of:

- a free rendezvous port for every launch (``localhost:0``), so two notebooks graded at the
  same time do not collide;
- a wall-clock timeout that kills the launcher **and every rank** (a whole process group), so a
  rank stuck in a collective cannot hang the notebook;
- per-rank stdout/stderr collected from torchrun's log folder;
- a :class:`DistributedRunError` that names the rank that failed first and shows the tail of
  its stderr, instead of torchrun's wall of launcher traceback;
- the backend and process count for this machine: ``nccl`` with one process per GPU when
  CUDA is present, otherwise ``gloo`` with the requested number of CPU processes.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from .processes import kill_process_group

__all__ = [
    "DistributedRunError", "LaunchResult", "cuda_device_count", "default_backend", "default_nproc",
    "free_port", "launch", "make_run_dir", "multinode_command", "torchrun_command",
]


class DistributedRunError(RuntimeError):
    """A distributed run failed or timed out; the message names the rank and shows its stderr."""

    def __init__(self, message: str, result: "LaunchResult"):
        super().__init__(message)
        self.result = result


def cuda_device_count() -> int:
    """Number of CUDA GPUs PyTorch sees (0 without CUDA or without torch)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a pinned dependency
        return 0
    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0


def default_backend(device: str | None = None) -> str:
    """``"nccl"`` when running on CUDA GPUs, else ``"gloo"`` (the CPU backend)."""
    if device is None:
        device = "cuda" if cuda_device_count() > 0 else "cpu"
    return "nccl" if str(device).startswith("cuda") else "gloo"


def default_nproc(cpu_processes: int = 2, device: str | None = None) -> int:
    """One process per GPU on CUDA machines, else ``cpu_processes`` CPU processes."""
    if device is None:
        device = "cuda" if cuda_device_count() > 0 else "cpu"
    if str(device).startswith("cuda"):
        return max(1, cuda_device_count())
    if cpu_processes < 1:
        raise ValueError(f"cpu_processes must be at least 1, got {cpu_processes}.")
    return int(cpu_processes)


def free_port(host: str = "localhost") -> int:
    """A TCP port that is free right now (the OS picks it); handy for ``--master-port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def make_run_dir(lesson: str, prefix: str = "run-") -> Path:
    """A fresh folder under ``results/<lesson>/`` for one notebook run's scripts and outputs.

    Every call gets its own folder, so notebooks graded in parallel never share files. While
    nbgrader grades, the folder goes to the system's temporary directory instead: a submission
    that crashes before cleaning up must not leave run folders in the course's results.
    """
    from .paths import results_dir, under_nbgrader

    parent = (Path(tempfile.gettempdir()) / "tradeoffs-grading" if under_nbgrader() else results_dir()) / lesson
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def torchrun_command(script: str | os.PathLike, script_args: Sequence[str] = (), nproc: int = 2, *,
                     nnodes: int = 1, node_rank: int = 0, rdzv_endpoint: str = "localhost:0",
                     log_dir: str | os.PathLike | None = None, max_restarts: int = 0,
                     python: str | None = None) -> list[str]:
    """The argument list that runs ``script`` under torchrun (``python -m torch.distributed.run``).

    Launcher options come before the script; everything in ``script_args`` goes to the script.
    ``rdzv_endpoint="localhost:0"`` lets the launcher pick a free port (single machine only).
    """
    if nproc < 1 or nnodes < 1:
        raise ValueError(f"nproc and nnodes must be at least 1 (got nproc={nproc}, nnodes={nnodes}).")
    if not 0 <= node_rank < nnodes:
        raise ValueError(f"node_rank must be in 0..{nnodes - 1}, got {node_rank}.")
    cmd = [python or sys.executable, "-m", "torch.distributed.run",
           f"--nnodes={nnodes}", f"--nproc-per-node={nproc}", f"--node-rank={node_rank}",
           "--rdzv-backend=c10d", f"--rdzv-endpoint={rdzv_endpoint}", f"--max-restarts={max_restarts}"]
    if log_dir is not None:
        cmd += [f"--log-dir={log_dir}", "--redirects=3"]
    cmd.append(str(script))
    cmd += [str(a) for a in script_args]
    return cmd


def multinode_command(script: str, script_args: Sequence[str] = (), nproc_per_node: int = 8, nnodes: int = 2,
                      node_rank: int | str = "$NODE_RANK", host: str = "node0.example.com", port: int = 29500,
                      run_id: str = "job42") -> str:
    """The shell command to type on **each** machine of a multi-node job (for display).

    Every node runs the same command with its own ``--node-rank``; ``host:port`` is reachable
    from all nodes (usually node 0), and ``run_id`` is shared by all nodes of one job.
    """
    args = ["torchrun", f"--nnodes={nnodes}", f"--nproc-per-node={nproc_per_node}", f"--node-rank={node_rank}",
            "--rdzv-backend=c10d", f"--rdzv-endpoint={host}:{port}", f"--rdzv-id={run_id}", str(script),
            *[str(a) for a in script_args]]
    return " ".join(a if a.startswith("$") else shlex.quote(a) for a in args)


@dataclass
class LaunchResult:
    """What one torchrun launch did: exit status, wall time and every rank's output."""

    command: list[str]
    returncode: int | None
    wall_s: float
    stdout: str
    stderr: str
    timed_out: bool = False
    timeout_s: float | None = None
    rank_logs: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def rank_stdout(self, rank: int) -> str:
        return self.rank_logs.get(rank, {}).get("stdout", "")

    def rank_stderr(self, rank: int) -> str:
        return self.rank_logs.get(rank, {}).get("stderr", "")

    def failed_rank(self) -> int | None:
        """The rank torchrun reports as the root cause (first failure), else the first with a traceback."""
        match = re.search(r"Root Cause.*?rank\s*:\s*(\d+)", self.stderr, flags=re.S)
        if match:
            return int(match.group(1))
        for rank in sorted(self.rank_logs):
            if "Traceback" in self.rank_stderr(rank) or "Error" in self.rank_stderr(rank):
                return rank
        return None

    def explain(self, tail_lines: int = 15) -> str:
        """A short human-readable account of a failed run (empty string when it succeeded)."""
        if self.ok:
            return ""
        if self.timed_out:
            head = (f"The distributed run did not finish within {self.timeout_s:g} s and was stopped "
                    "(all ranks killed). A rank waiting forever in a collective (all_reduce, barrier) "
                    "usually means another rank never got there.")
        else:
            head = f"The distributed run failed (launcher exit code {self.returncode})."
        rank = self.failed_rank()
        parts = [head]
        ranks = [rank] if rank is not None else sorted(self.rank_logs)
        for r in ranks:
            text = _tail(self.rank_stderr(r), tail_lines)
            if text:
                parts.append(f"--- rank {r} stderr (last {tail_lines} lines) ---\n{text}")
        if rank is None or not any(self.rank_stderr(r) for r in ranks):
            launcher = _tail(self.stderr, tail_lines)
            if launcher:
                parts.append(f"--- launcher stderr (last {tail_lines} lines) ---\n{launcher}")
        parts.append("command: " + " ".join(shlex.quote(c) for c in self.command))
        return "\n".join(parts)

    def check(self) -> "LaunchResult":
        """Return self when the run succeeded, else raise :class:`DistributedRunError` with :meth:`explain`."""
        if not self.ok:
            raise DistributedRunError(self.explain(), self)
        return self


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _read_rank_logs(log_dir: Path) -> dict[int, dict[str, str]]:
    """torchrun writes ``<log_dir>/<run_id>/attempt_<k>/<local_rank>/{stdout,stderr}.log``; read the last attempt."""
    logs: dict[int, dict[str, str]] = {}
    for path in sorted(log_dir.glob("*/attempt_*/*/*.log")):
        if not path.parent.name.isdigit():
            continue
        rank = int(path.parent.name)
        logs.setdefault(rank, {})[path.stem] = path.read_text(errors="replace")
    return logs


def _stop_run(proc: subprocess.Popen) -> None:
    """Stop the launcher and every rank it started (they share the launcher's process group)."""
    if not kill_process_group(proc.pid, signal.SIGTERM):  # torchrun forwards SIGTERM to its workers
        return
    try:
        proc.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        pass
    kill_process_group(proc.pid)  # whatever is left, launcher or rank
    proc.wait()


EXIT_ABORT = "terminate called without an active exception"


def died_at_exit(result: "LaunchResult") -> bool:
    """True when the run failed only because a rank aborted while exiting (a known gloo teardown race)."""
    if result.ok or result.timed_out:
        return False
    return any(EXIT_ABORT in result.rank_stderr(rank) for rank in result.rank_logs) or EXIT_ABORT in result.stderr


def launch(script: str | os.PathLike, script_args: Sequence[str] = (), nproc: int = 2, *, timeout: float = 120.0,
           cwd: str | os.PathLike | None = None, env: Mapping[str, str] | None = None, threads: int = 1,
           check: bool = True, echo: bool = False, exit_abort_retries: int = 1,
           outputs: str | os.PathLike | Sequence[str | os.PathLike] | None = None) -> LaunchResult:
    """Run ``script`` with torchrun on ``nproc`` local processes and wait at most ``timeout`` seconds.

    Every rank gets ``OMP_NUM_THREADS=threads`` (one thread per process by default, so N processes
    use N cores). With ``check=True`` a failed or timed-out run raises :class:`DistributedRunError`
    naming the failed rank and showing its stderr tail; with ``check=False`` inspect ``result.ok``.
    ``echo=True`` prints every rank's stdout, prefixed with its rank.

    Even with ``barrier()`` + ``destroy_process_group()`` a gloo rank occasionally aborts while the
    interpreter exits (``terminate called without an active exception``); such a run is launched
    again, at most ``exit_abort_retries`` times, and a line says so. Name the files or folders the
    script writes in ``outputs``: they are emptied before a relaunch, so that a script which appends
    to a results file does not end up with the first attempt's lines as well as the second's.
    """
    for attempt in range(exit_abort_retries + 1):
        result = _launch_once(script, script_args, nproc, timeout=timeout, cwd=cwd, env=env, threads=threads,
                              echo=echo)
        if not died_at_exit(result) or attempt == exit_abort_retries:
            break
        print("A rank aborted while exiting (a known gloo teardown race); launching the run again.")
        _empty_outputs(outputs)
    if check:
        result.check()
    return result


def _empty_outputs(outputs: str | os.PathLike | Sequence[str | os.PathLike] | None) -> None:
    """Delete output files and the contents of output folders (the folders themselves stay)."""
    if outputs is None:
        return
    paths = [outputs] if isinstance(outputs, (str, os.PathLike)) else list(outputs)
    for path in map(Path, paths):
        if path.is_dir():
            for child in path.iterdir():
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        elif path.exists():
            path.unlink()


def _launch_once(script: str | os.PathLike, script_args: Sequence[str], nproc: int, *, timeout: float,
                 cwd: str | os.PathLike | None, env: Mapping[str, str] | None, threads: int,
                 echo: bool) -> LaunchResult:
    script = Path(script)
    if not script.exists():
        raise FileNotFoundError(f"Training script {script} does not exist; write it before launching.")
    log_dir = Path(tempfile.mkdtemp(prefix="torchrun-logs-"))
    cmd = torchrun_command(script, script_args, nproc, log_dir=log_dir)
    run_env = dict(os.environ)
    run_env.update({"OMP_NUM_THREADS": str(threads), "PYTHONUNBUFFERED": "1"})
    if env:
        run_env.update({k: str(v) for k, v in env.items()})
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _stop_run(proc)
        out, err = proc.communicate()
    except BaseException:  # KeyboardInterrupt in the notebook: do not leave ranks behind
        _stop_run(proc)
        raise
    else:
        kill_process_group(proc.pid)  # a rank that ignored the launcher's SIGTERM must not outlive the run
    wall = time.perf_counter() - t0
    result = LaunchResult(command=cmd, returncode=proc.returncode, wall_s=wall, stdout=out or "", stderr=err or "",
                          timed_out=timed_out, timeout_s=timeout, rank_logs=_read_rank_logs(log_dir))
    shutil.rmtree(log_dir, ignore_errors=True)
    if echo:
        for rank in sorted(result.rank_logs):
            for line in result.rank_stdout(rank).rstrip().splitlines():
                print(f"[rank {rank}] {line}")
    return result
