"""Run every graded kernel in a bubblewrap sandbox, and cap each submission as a whole.

What a sandboxed kernel sees (see grading/README.md, "Threat model"):
  * a read-only view of the system libraries, the Python interpreter, the virtual environment,
    the ``tradeoffs`` package and ``data/``; nothing else of the course (no ``solutions/``, no
    gradebook, no class folder, no other student, no home folder, no configuration);
  * writable only private, size-capped tmpfs folders: its working folder (at the path of its
    autograded folder, so nothing it writes reaches the disk), ``/tmp``, ``/dev/shm`` and a
    private copy of ``data/cache``;
  * no network (a network namespace with only its own loopback: the kernel talks to the grader
    over IPC sockets in a folder of its own), its own PID, IPC and UTS namespaces, an
    unprivileged uid with no capabilities, a clean environment.
The grading process of each student (and so its kernel and everything they start) runs in a
cgroup with a memory and a task cap where cgroups are writable (root); rlimits cap each process
otherwise. The learner's own Validate never uses this module.

``Settings.sandbox`` off (``tradeoffs grade --no-sandbox``) starts ordinary kernels instead; the caps are
``Settings.limits`` (:class:`tradeoffs.settings.SandboxLimits`). Both reach the kernel manager as traitlets
config (:mod:`.course_config`).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Dict, Instance, default

from ..paths import REPO_ROOT
from ..settings import SandboxLimits, active

__all__ = ["SandboxLimits", "SandboxedKernelManager", "SubmissionCgroup", "check_available", "kernel_environment",
           "sandbox_enabled"]

CGROUP_ROOT = Path("/sys/fs/cgroup")
SANDBOX_UID_BASE = 61000
# Variables a lesson needs inside the sandbox; everything else of the grader's environment stays out.
PASSED_VARIABLES = ("TRADEOFFS_SCALE", "TRADEOFFS_DEVICE", "NBGRADER_EXECUTION", "PYTHONHASHSEED",
                    "OMP_NUM_THREADS", "MKL_NUM_THREADS")
MB = 2**20
RUNTIME_PREFIX = "tk-"


def remove_runtime_folders(grading_pid: int) -> None:
    """Remove the kernel IPC folders a grading process made (see ``SandboxedKernelManager``)."""
    for folder in Path("/tmp").glob(f"{RUNTIME_PREFIX}{grading_pid}-*"):
        shutil.rmtree(folder, ignore_errors=True)


class SandboxUnavailable(RuntimeError):
    """Grading was asked to sandbox kernels but bubblewrap cannot run here."""


def _interpreter_home() -> Path:
    """The folder the venv's interpreter is installed in (e.g. pyenv's, under root's home)."""
    return Path(os.path.realpath(sys.executable)).parents[1]


def _parents(path: Path) -> list[Path]:
    """``/a/b/c`` -> ``[/a, /a/b]``: folders bwrap must create (world-readable) before binding ``c``."""
    return [p for p in reversed(path.parents) if str(p) != "/"]


def bwrap_arguments(workdir: str, runtime: Path, uid: int, env: dict[str, str],
                    limits: SandboxLimits) -> list[str]:
    """bubblewrap's command line, up to and including the drop to the unprivileged ``uid``."""
    args = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--clearenv", "--hostname", "grader",
            "--ro-bind", "/usr", "/usr", "--perms", "0755", "--dir", "/etc", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind-try", "/etc/fonts", "/etc/fonts", "--ro-bind-try", "/etc/nsswitch.conf", "/etc/nsswitch.conf", "--ro-bind-try", "/etc/localtime", "/etc/localtime",
            "--proc", "/proc", "--dev", "/dev"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if os.path.islink(f"/{link}"):
            args += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
        elif os.path.isdir(f"/{link}"):
            args += ["--ro-bind", f"/{link}", f"/{link}"]
    size = str(limits.tmp_mb * MB)
    args += ["--size", str(256 * MB), "--perms", "1777", "--tmpfs", "/dev/shm",
             "--size", size, "--perms", "1777", "--tmpfs", "/tmp"]
    venv = Path(sys.prefix)
    readable = [_interpreter_home(), venv, REPO_ROOT / "tradeoffs", REPO_ROOT / "data"]
    cache = REPO_ROOT / "data" / "cache"
    made = {Path("/tmp"), Path("/usr"), Path("/dev")}

    def folders_for(path: Path) -> list[str]:
        out = []
        for parent in _parents(path):
            if parent not in made and not any(parent == r or r in parent.parents for r in readable):
                out += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        return out

    for path in readable:
        args += folders_for(path) + ["--ro-bind", str(path), str(path)]
    cache.mkdir(exist_ok=True)  # git-ignored; the mount point of the private copy below
    # A private, writable copy of the cache: a submission can never poison the cache of the next one.
    args += ["--ro-bind", str(cache), "/cache-seed", "--size", size, "--perms", "1777", "--tmpfs", str(cache)]
    args += folders_for(Path(workdir))
    args += ["--size", size, "--perms", "1777", "--tmpfs", workdir,
             "--bind", str(runtime), str(runtime), "--chdir", workdir]
    for name, text in identity_files(uid).items():  # localhost resolves; the uid has a name (getpass)
        (runtime / name).write_text(text)
        (runtime / name).chmod(0o644)
        args += ["--ro-bind", str(runtime / name), f"/etc/{name}"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += ["--", "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
             "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
             "/usr/bin/prlimit", f"--nproc={limits.tasks}", f"--fsize={limits.file_mb * MB}",
             f"--data={limits.memory_mb * MB}", "--core=0", "--"]
    return args


def identity_files(uid: int) -> dict[str, str]:
    """Minimal /etc/hosts, passwd and group for the sandbox: torchrun needs localhost, getpass a user name."""
    return {"hosts": "127.0.0.1 localhost grader\n::1 localhost\n",
            "passwd": f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nstudent:x:{uid}:{uid}:student:/tmp:/bin/sh\n",
            "group": f"root:x:0:\nstudent:x:{uid}:\n"}


def sandbox_enabled() -> bool:
    """False only when the instructor asked for ``--no-sandbox`` (the active settings' ``sandbox``)."""
    return active().sandbox


def kernel_environment(parent_env: dict[str, str], course: dict[str, str] | None = None) -> dict[str, str]:
    """The kernel's whole environment: fixed paths plus the few course settings a lesson reads.

    ``course`` (:meth:`Settings.kernel_variables`) wins over what the parent environment passes.
    """
    env = {"HOME": "/tmp", "USER": "student", "LOGNAME": "student", "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "MPLCONFIGDIR": "/tmp/.matplotlib", "TRADEOFFS_RESULTS": "/tmp/results", "TRADEOFFS_LEDGER": "off",
           "JUPYTER_PLATFORM_DIRS": "1", "PYTHONDONTWRITEBYTECODE": "1", "TQDM_DISABLE": "0"}
    env.update({k: parent_env[k] for k in PASSED_VARIABLES if k in parent_env})
    env.update(course or {})
    env.setdefault("PYTHONHASHSEED", "0")
    return env


@lru_cache(maxsize=1)
def check_available() -> None:
    """Raise :class:`SandboxUnavailable` with the fix when bubblewrap cannot start a sandbox here."""
    fix = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`) and grade as root "
           "(the sandbox switches each kernel to an unprivileged uid), or pass --no-sandbox to grade "
           "without it (student code then runs as you, can read your files and reach the network)")
    for tool in ("bwrap", "/usr/bin/setpriv", "/usr/bin/prlimit"):
        if shutil.which(tool) is None:
            raise SandboxUnavailable(f"cannot sandbox student kernels: {tool} is missing; {fix}.")
    probe = subprocess.run(["bwrap", "--unshare-net", "--unshare-pid", "--ro-bind", "/", "/", "--proc", "/proc",
                            "--", "/usr/bin/setpriv", f"--reuid={SANDBOX_UID_BASE}", "--clear-groups", "true"],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        raise SandboxUnavailable(f"cannot sandbox student kernels: bwrap failed ({probe.stderr.strip()[:200]}); {fix}.")


def sandbox_uid() -> int:
    """An unprivileged uid for this grading process (distinct per concurrent job, so rlimits count per job)."""
    return SANDBOX_UID_BASE + os.getpid() % 4000


class SandboxedKernelManager(AsyncKernelManager):
    """A Jupyter kernel manager whose kernels start inside bubblewrap (see the module docstring).

    Configured like any traitlets class (``c.SandboxedKernelManager.sandboxed = False``); the course's
    config sets all three traits from its :class:`~tradeoffs.settings.Settings`.
    """

    sandboxed = Bool(True, help="start kernels inside bubblewrap (off: ordinary kernels)").tag(config=True)
    limits = Instance(SandboxLimits, help="caps of one submission").tag(config=True)
    course_variables = Dict(help="course settings the kernel reads (scale, device)").tag(config=True)

    @default("limits")
    def _default_limits(self) -> SandboxLimits:
        return active().limits

    _runtime: Path | None = None

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if not self.sandboxed:
            if self.course_variables:
                kw["env"] = {**(kw.get("env") or os.environ), **self.course_variables}
            return await super()._async_pre_start_kernel(**kw)
        check_available()
        uid = sandbox_uid()
        # Short (IPC socket paths are limited) and named after this grading process, which the grader
        # removes after it ends even when the kernel died before its manager could clean up.
        self._runtime = Path(tempfile.mkdtemp(prefix=f"{RUNTIME_PREFIX}{os.getpid()}-", dir="/tmp"))
        os.chown(self._runtime, uid, uid)
        self.transport = "ipc"
        # A SIGINT sent from outside would reach bwrap too, which dies and takes the kernel with it;
        # an interrupt_request on the control channel makes the kernel interrupt its own cell.
        self.kernel_spec.interrupt_mode = "message"
        self.ip = str(self._runtime / "k")
        self.connection_file = str(self._runtime / "kernel.json")
        workdir = str(Path(kw.pop("cwd", None) or os.getcwd()).resolve())
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        os.chown(self.connection_file, uid, uid)
        env = kernel_environment(dict(kw.get("env") or os.environ), dict(self.course_variables))
        limits = self.limits
        seed = f'cp -r /cache-seed/. "{REPO_ROOT / "data" / "cache"}/" 2>/dev/null; exec "$@"'
        inner = ["/bin/sh", "-c", seed, "kernel", *cmd]  # fill the private cache, then become the kernel
        kw["cwd"] = str(self._runtime)
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        return bwrap_arguments(workdir, self._runtime, uid, env, limits) + inner, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._runtime is not None and not restart:
            shutil.rmtree(self._runtime, ignore_errors=True)
            self._runtime = None


class SubmissionCgroup:
    """A cgroup (v1 memory + pids) holding one student's grading process and all it starts.

    Created by the grader before the grading process starts; the process joins it itself
    (:meth:`join`); afterwards :meth:`destroy` kills whatever is left in it and removes it.
    Where cgroups are not writable, every method does nothing (rlimits still apply).
    """

    def __init__(self, name: str, limits: SandboxLimits) -> None:
        self.paths: list[Path] = []
        for controller, settings in (("memory", {"memory.limit_in_bytes": (limits.memory_mb + 1024) * MB}),
                                     ("pids", {"pids.max": limits.tasks})):
            base = CGROUP_ROOT / controller
            if not os.access(base, os.W_OK):
                continue
            path = base / "tradeoffs" / name
            try:
                path.mkdir(parents=True, exist_ok=True)
                for key, value in settings.items():
                    (path / key).write_text(str(value))
            except OSError:
                continue
            self.paths.append(path)

    @property
    def active(self) -> bool:
        return bool(self.paths)

    def join(self, pid: int | None = None) -> None:
        """Move ``pid`` (default: this process) into the cgroup; its children inherit it."""
        for path in self.paths:
            try:
                (path / "cgroup.procs").write_text(str(pid or os.getpid()))
            except OSError:
                pass

    def memory_exceeded(self) -> bool:
        """True when the kernel's OOM killer fired or the limit was hit in this cgroup."""
        for path in self.paths:
            failcnt = path / "memory.failcnt"
            if failcnt.exists():
                try:
                    if int(failcnt.read_text().strip() or 0) > 0:
                        return True
                except (OSError, ValueError):
                    pass
        return False

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.paths:
            try:
                found |= {int(x) for x in (path / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return found

    def destroy(self) -> None:
        """Kill every process still in the cgroup (a ``setsid`` daemon included), then remove it."""
        for _ in range(50):
            left = self.pids()
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.05)
        for path in self.paths:
            for _ in range(20):
                try:
                    path.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)
