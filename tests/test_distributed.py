"""Tests for tradeoffs.distributed: torchrun command lines, per-rank logs, failures and timeouts."""
from __future__ import annotations

import socket
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from tradeoffs import distributed as D

ALL_REDUCE = """
import sys, torch, torch.distributed as dist
torch.set_num_threads(1)
dist.init_process_group("gloo")
t = torch.tensor([float(dist.get_rank() + 1)])
dist.all_reduce(t)
print(f"rank {dist.get_rank()} of {dist.get_world_size()} sum {t.item():g} args {sys.argv[1:]}")
dist.barrier()
dist.destroy_process_group()
"""

RANK1_FAILS = """
import torch.distributed as dist
dist.init_process_group("gloo")
if dist.get_rank() == 1:
    raise ValueError("rank 1 could not read its shard")
dist.barrier()
dist.destroy_process_group()
"""


def _script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_free_port_is_bindable():
    port = D.free_port()
    assert 1024 < port < 65536
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("localhost", port))


def test_torchrun_command_puts_launcher_options_before_the_script():
    cmd = D.torchrun_command("train.py", ["--epochs", 3], nproc=2, log_dir="/tmp/logs")
    assert cmd[:3] == [sys.executable, "-m", "torch.distributed.run"]
    script_at = cmd.index("train.py")
    launcher, script_args = cmd[:script_at], cmd[script_at + 1:]
    assert "--nproc-per-node=2" in launcher and "--rdzv-backend=c10d" in launcher
    assert "--rdzv-endpoint=localhost:0" in launcher, "a single-machine launch lets the OS pick a free port"
    assert "--max-restarts=0" in launcher and "--log-dir=/tmp/logs" in launcher
    assert script_args == ["--epochs", "3"]


@pytest.mark.parametrize("kwargs", [dict(nproc=0), dict(nnodes=0), dict(nnodes=2, node_rank=2)])
def test_torchrun_command_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        D.torchrun_command("train.py", **kwargs)


def test_multinode_command_names_every_rendezvous_option():
    text = D.multinode_command("train.py", ["--out", "my results/"], nproc_per_node=8, nnodes=2, node_rank=1,
                               host="node0", port=29400)
    for part in ["torchrun", "--nnodes=2", "--nproc-per-node=8", "--node-rank=1", "--rdzv-backend=c10d",
                 "--rdzv-endpoint=node0:29400", "train.py", "'my results/'"]:
        assert part in text
    assert "--node-rank=$NODE_RANK" in D.multinode_command("train.py")


def test_backend_and_process_count(monkeypatch):
    assert D.default_backend("cpu") == "gloo"
    assert D.default_backend("cuda") == "nccl"
    assert D.default_nproc(2, device="cpu") == 2
    monkeypatch.setattr(D, "cuda_device_count", lambda: 4)
    assert D.default_nproc(2, device="cuda") == 4, "one process per GPU"
    assert D.default_backend() == "nccl"
    monkeypatch.setattr(D, "cuda_device_count", lambda: 0)
    assert D.default_backend() == "gloo" and D.default_nproc(3) == 3
    with pytest.raises(ValueError):
        D.default_nproc(0, device="cpu")


def test_rank_logs_and_root_cause_are_parsed(tmp_path):
    for rank, err in [(0, ""), (1, "Traceback (most recent call last):\nValueError: boom\n")]:
        folder = tmp_path / "none_abc" / "attempt_0" / str(rank)
        folder.mkdir(parents=True)
        (folder / "stdout.log").write_text(f"hello from {rank}\n")
        (folder / "stderr.log").write_text(err)
    logs = D._read_rank_logs(tmp_path)
    assert sorted(logs) == [0, 1] and logs[0]["stdout"] == "hello from 0\n"
    result = D.LaunchResult(command=["torchrun"], returncode=1, wall_s=1.0, stdout="", stderr="", rank_logs=logs)
    assert result.failed_rank() == 1, "without a launcher summary, the rank with a traceback is the culprit"
    summary = "Root Cause (first observed failure):\n[0]:\n  time : now\n  rank      : 1 (local_rank: 1)\n"
    result.stderr = summary
    assert result.failed_rank() == 1
    assert "ValueError: boom" in result.explain() and "rank 1" in result.explain()


def test_launch_missing_script_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        D.launch(tmp_path / "nope.py")


def test_launch_two_processes_collects_each_rank(tmp_path):
    script = _script(tmp_path, "allreduce.py", ALL_REDUCE)
    result = D.launch(script, ["--tag", "x"], nproc=2, timeout=240, env={"CUDA_VISIBLE_DEVICES": ""})
    assert result.ok and result.returncode == 0
    assert sorted(result.rank_logs) == [0, 1]
    for rank in (0, 1):
        assert f"rank {rank} of 2 sum 3 args ['--tag', 'x']" in result.rank_stdout(rank)
    assert result.explain() == ""


def test_launch_failed_rank_raises_with_its_traceback(tmp_path):
    script = _script(tmp_path, "fails.py", RANK1_FAILS)
    with pytest.raises(D.DistributedRunError) as info:
        D.launch(script, nproc=2, timeout=240, env={"CUDA_VISIBLE_DEVICES": ""})
    message = str(info.value)
    assert "rank 1" in message and "could not read its shard" in message
    assert info.value.result.failed_rank() == 1 and not info.value.result.ok


def test_launch_timeout_kills_every_process(tmp_path):
    marker = f"sleeper_{time.time_ns()}.py"
    script = _script(tmp_path, marker, "import time\ntime.sleep(600)\n")
    result = D.launch(script, nproc=2, timeout=3, check=False)
    assert result.timed_out and not result.ok
    assert "did not finish within 3 s" in result.explain()
    time.sleep(1.0)
    leftovers = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(marker in part for part in (proc.info["cmdline"] or [])):
                leftovers.append(proc.pid)
        except psutil.Error:
            pass
    assert not leftovers, f"processes outlived the timeout: {leftovers}"


def test_a_rank_that_aborts_at_exit_is_launched_again(tmp_path, capsys):
    """The known gloo exit race ('terminate called without an active exception') gets one more try."""
    from tradeoffs import distributed

    marker = tmp_path / "first-try-done"
    script = tmp_path / "flaky_exit.py"
    script.write_text(
        "import os, sys\n"
        f"marker = {str(marker)!r}\n"
        "if os.environ.get('RANK') == '1' and not os.path.exists(marker):\n"
        "    open(marker, 'w').close()\n"
        "    sys.stderr.write('terminate called without an active exception\\n')\n"
        "    sys.stderr.flush()\n"
        "    os.abort()\n"
        "print('rank', os.environ.get('RANK'), 'done')\n")
    result = distributed.launch(script, nproc=2, timeout=120)
    assert result.ok and marker.exists()
    assert "launching the run again" in capsys.readouterr().out


def test_a_relaunch_starts_from_empty_outputs(tmp_path):
    """Results appended by the aborted attempt must not be counted twice after the relaunch."""
    from tradeoffs import distributed

    out = tmp_path / "out"
    out.mkdir()
    marker = tmp_path / "first-try-done"
    script = tmp_path / "append_then_abort.py"
    script.write_text(
        "import os\n"
        f"out, marker = {str(out)!r}, {str(marker)!r}\n"
        "if os.environ.get('RANK') == '0':\n"
        "    with open(os.path.join(out, 'results.jsonl'), 'a') as f:\n"
        "        f.write('{}\\n')\n"
        "    os.makedirs(os.path.join(out, 'sub'), exist_ok=True)\n"
        "if os.environ.get('RANK') == '1' and not os.path.exists(marker):\n"
        "    open(marker, 'w').close()\n"
        "    import sys; sys.stderr.write('terminate called without an active exception\\n'); sys.stderr.flush()\n"
        "    os.abort()\n")
    result = distributed.launch(script, nproc=2, timeout=120, outputs=out)
    assert result.ok and marker.exists()
    assert (out / "results.jsonl").read_text().splitlines() == ["{}"]


def test_run_dirs_are_fresh_and_leave_the_results_alone_while_grading(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEOFFS_RESULTS", str(tmp_path / "results"))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    first, second = D.make_run_dir("99-test"), D.make_run_dir("99-test")
    assert first != second and first.parent == tmp_path / "results" / "99-test"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    graded = D.make_run_dir("99-test")
    try:
        assert graded.is_dir() and tmp_path not in graded.parents
    finally:
        graded.rmdir()
