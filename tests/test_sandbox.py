"""The grading sandbox: what a kernel may see, and a clear refusal where bubblewrap cannot run."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tradeoffs.instructor import sandbox
from tradeoffs.paths import REPO_ROOT


def _binds(args: list[str]) -> list[tuple[str, str, str]]:
    """(option, source, destination) of every bind in a bwrap command line."""
    out = []
    for i, arg in enumerate(args):
        if arg in ("--bind", "--ro-bind", "--ro-bind-try"):
            out.append((arg, args[i + 1], args[i + 2]))
    return out


def test_kernel_sees_only_what_a_lesson_needs(tmp_path):
    workdir = tmp_path / "grading" / "autograded" / "ana" / "00-x"
    (tmp_path / "rt").mkdir()
    args = sandbox.bwrap_arguments(str(workdir), tmp_path / "rt", 61234, {"HOME": "/tmp"}, sandbox.SandboxLimits())
    binds = _binds(args)
    sources = {src for _, src, _ in binds}
    for secret in ("solutions", "notebooks", "grading", ".git"):
        assert not any(Path(s) == REPO_ROOT / secret or (REPO_ROOT / secret) in Path(s).parents for s in sources), secret
    assert str(REPO_ROOT) not in sources and str(Path.home()) not in sources
    writable = [src for opt, src, _ in binds if opt == "--bind"]
    assert writable == [str(tmp_path / "rt")], "only the kernel's own IPC folder is bound writable"
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--clearenv"):
        assert flag in args
    i = args.index("--tmpfs", args.index(str(workdir)) - 1)
    assert args[i + 1] == str(workdir), "the working folder is a private tmpfs: nothing written reaches the disk"
    assert "--reuid=61234" in args and "--no-new-privs" in args


def test_environment_keeps_no_instructor_variables():
    env = sandbox.kernel_environment({"TRADEOFFS_SCALE": "ci", "TRADEOFFS_GRADING_DIR": "/secret",
                                      "TRADEOFFS_ROOT": "/course", "AWS_SECRET_ACCESS_KEY": "x",
                                      "NBGRADER_EXECUTION": "autograde"})
    assert env["TRADEOFFS_SCALE"] == "ci" and env["NBGRADER_EXECUTION"] == "autograde"
    for key in ("TRADEOFFS_GRADING_DIR", "TRADEOFFS_ROOT", "AWS_SECRET_ACCESS_KEY"):
        assert key not in env


def test_grading_refuses_without_bubblewrap_and_names_the_fix(tmp_path, monkeypatch, capsys):
    from tradeoffs.cli import main

    real_which = sandbox.shutil.which
    monkeypatch.setattr(sandbox.shutil, "which", lambda tool: None if tool == "bwrap" else real_which(tool))
    sandbox.check_available.cache_clear()
    try:
        with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
            sandbox.check_available()
        sandbox.check_available.cache_clear()
        assert main(["grade", "00", "--from", str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert "bubblewrap" in err and "--no-sandbox" in err
    finally:
        sandbox.check_available.cache_clear()


def test_no_sandbox_flag_warns_loudly(monkeypatch, capsys):
    from tradeoffs.cli import _settings, build_parser

    monkeypatch.delenv("TRADEOFFS_SANDBOX", raising=False)
    args = build_parser().parse_args(["grade", "00", "--from", ".", "--no-sandbox"])
    assert _settings(args).sandbox is False
    assert "WARNING" in capsys.readouterr().err
    assert sandbox.sandbox_enabled()  # the flag changes this run's settings, not the environment
    monkeypatch.setenv("TRADEOFFS_SANDBOX", "off")
    assert not sandbox.sandbox_enabled()


@pytest.mark.skipif(sys.platform != "linux", reason="cgroups are Linux only")
def test_cgroup_is_removed_with_everything_in_it():
    import subprocess

    group = sandbox.SubmissionCgroup("unit-test", sandbox.SandboxLimits())
    if not group.active:
        pytest.skip("cgroups v1 are not writable here")
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    group.join(proc.pid)
    assert proc.pid in group.pids()
    group.destroy()
    assert proc.wait(timeout=10) != 0
    assert not any(p.exists() for p in group.paths)


def test_a_cell_past_its_time_limit_is_interrupted_and_the_next_cell_runs(tmp_path):
    """nbgrader's per-cell timeout interrupts the cell; the sandboxed kernel must survive it.

    A SIGINT sent from outside would kill bwrap and the kernel with it (the whole notebook then
    scored zero), so the sandbox interrupts through the kernel's control channel.
    """
    import nbformat
    from nbclient import NotebookClient

    sandbox.check_available()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("while True:\n    pass"), nbformat.v4.new_code_cell("print('next cell ran')")]
    NotebookClient(nb, timeout=3, interrupt_on_timeout=True, allow_errors=True, kernel_name="python3",
                   kernel_manager_class=sandbox.SandboxedKernelManager,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs[0]["ename"] == "KeyboardInterrupt"
    assert nb.cells[1].outputs[0]["text"] == "next cell ran\n"
