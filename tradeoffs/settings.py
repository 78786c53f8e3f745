"""The course's settings, resolved once: paths, scale, device, sandbox, time and memory caps.

Environment variables are how a person (or CI) chooses settings; this module is the only place that
reads the ones below (the per-run ``TRADEOFFS_LEDGER``, ``TRADEOFFS_FIGURES`` and ``TRADEOFFS_RUN_ID``,
which ``tradeoffs experiments`` sets for each papermill kernel, are read where they are used). An entry point (``tradeoffs grade``, ``tradeoffs mutants``, the bench, a test) resolves a
:class:`Settings` once and hands it on as an object: to nbgrader as a traitlets config
(:func:`tradeoffs.instructor.course_config.course_config`), to each grading process as an argument, and to
code deeper down through :func:`use` / :func:`active`. Only a kernel, which is another process, still
receives its few settings (scale, device) as environment variables (:meth:`Settings.kernel_variables`).

==============================  ======================================================  ===============
variable                        setting                                                 default
==============================  ======================================================  ===============
``TRADEOFFS_ROOT``              ``root``: the course checkout                           this package's
``TRADEOFFS_DATA``              ``data_dir``: datasets and price table                  ``root/data``
``TRADEOFFS_RESULTS``           ``results_dir``: ledgers, bench, run folders            ``root/results``
``TRADEOFFS_GRADING_DIR``       ``grading_dir``: submissions, gradebook, reports        ``root/grading``
``TRADEOFFS_GRADEBOOK_URL``     ``gradebook_url``: nbgrader's database                  sqlite in grading_dir
``TRADEOFFS_SCALE``             ``scale``: ci, grade, laptop, full                      unset: each run decides
``TRADEOFFS_DEVICE``            ``device``: auto, cpu, cuda                             ``auto``
``TRADEOFFS_SEED``              ``seed``: a lesson run's seed (never under nbgrader)    0
``TRADEOFFS_SANDBOX``           ``sandbox``: grade kernels inside bubblewrap            ``on``
``TRADEOFFS_CELL_TIMEOUT``      ``limits.cell_timeout_s``                               120
``TRADEOFFS_KERNEL_MEMORY_MB``  ``limits.memory_mb``                                    6144
``TRADEOFFS_SANDBOX_TASKS``     ``limits.tasks``                                        1024
``TRADEOFFS_SANDBOX_DISK_MB``   ``limits.tmp_mb`` and ``limits.file_mb``                1024
==============================  ======================================================  ===============
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SCALES = ("ci", "grade", "laptop", "full")
_OFF = ("off", "0", "no", "false")


@dataclass(frozen=True)
class SandboxLimits:
    """Caps for one submission: the one place each cap is defined."""

    cell_timeout_s: int = 120  # one cell's wall time, then it is interrupted
    memory_mb: int = 6144      # per process (rlimit) and, + 1 GB, for the whole submission (cgroup)
    tasks: int = 1024          # processes and threads of the whole submission
    tmp_mb: int = 1024         # each writable tmpfs (/tmp, working folder, cache)
    file_mb: int = 1024        # largest single file a kernel may write (RLIMIT_FSIZE)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "SandboxLimits":
        env = os.environ if env is None else env
        disk = _int(env, "TRADEOFFS_SANDBOX_DISK_MB", cls.tmp_mb)
        return cls(cell_timeout_s=_int(env, "TRADEOFFS_CELL_TIMEOUT", cls.cell_timeout_s),
                   memory_mb=_int(env, "TRADEOFFS_KERNEL_MEMORY_MB", cls.memory_mb),
                   tasks=_int(env, "TRADEOFFS_SANDBOX_TASKS", cls.tasks), tmp_mb=disk, file_mb=disk)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number; unset it (default {default}) "
                         f"or give e.g. {name}={default}.") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be positive (default {default}).")
    return value


def check_scale(raw: str | None) -> str | None:
    """A valid scale name (lower case), None when not given; a typo raises ``ValueError`` with the choices."""
    if raw in (None, ""):
        return None
    scale = raw.strip().lower()
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {raw!r}. Choose one of {', '.join(SCALES)} "
                         "(set it with the notebook's `scale` parameter or the TRADEOFFS_SCALE variable).")
    return scale


def _device(raw: str | None) -> str:
    device = (raw or "auto").strip().lower()
    if device not in ("auto", "cpu") and not device.startswith("cuda"):
        raise ValueError(f"Unknown device {raw!r}. Choose 'auto', 'cpu' or 'cuda'.")
    return device


def _seed(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return 0
    try:
        seed = int(raw)
    except ValueError:
        seed = -1
    if seed < 0:
        raise ValueError(f"TRADEOFFS_SEED must be a whole number >= 0 (the lesson run's seed); got {raw!r}.")
    return seed


@dataclass(frozen=True)
class Settings:
    """Everything the course reads from its environment, resolved and checked."""

    root: Path = REPO_ROOT
    data_dir: Path = REPO_ROOT / "data"
    results_dir: Path = REPO_ROOT / "results"
    grading_dir: Path = REPO_ROOT / "grading"
    explicit_gradebook_url: str | None = None
    scale: str | None = None  # None: a notebook picks grade under nbgrader, laptop otherwise
    device: str = "auto"
    seed: int = 0  # a lesson run's seed; grading always runs seed 0 (the reference run's observations)
    sandbox: bool = True
    limits: SandboxLimits = field(default_factory=SandboxLimits)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read every ``TRADEOFFS_*`` setting; a bad value raises ``ValueError`` saying what to set."""
        env = os.environ if env is None else env
        root = Path(env.get("TRADEOFFS_ROOT") or REPO_ROOT).resolve()
        return cls(root=root,
                   data_dir=Path(env.get("TRADEOFFS_DATA") or root / "data").resolve(),
                   results_dir=Path(env.get("TRADEOFFS_RESULTS") or root / "results").resolve(),
                   grading_dir=Path(env.get("TRADEOFFS_GRADING_DIR") or root / "grading").resolve(),
                   explicit_gradebook_url=env.get("TRADEOFFS_GRADEBOOK_URL") or None,
                   scale=check_scale(env.get("TRADEOFFS_SCALE")), device=_device(env.get("TRADEOFFS_DEVICE")),
                   seed=_seed(env.get("TRADEOFFS_SEED")),
                   sandbox=env.get("TRADEOFFS_SANDBOX", "on").strip().lower() not in _OFF,
                   limits=SandboxLimits.from_env(env))

    @property
    def config_dir(self) -> Path:
        """Folder of the course's nbgrader files: config, mutants, due dates (always in the checkout)."""
        return self.root / "grading"

    @property
    def gradebook_url(self) -> str:
        return self.explicit_gradebook_url or "sqlite:///" + str(self.grading_dir / "gradebook.db")

    def grading_in(self, folder: Path) -> "Settings":
        """The same settings with submissions, gradebook and reports in ``folder`` (a throw-away class)."""
        return replace(self, grading_dir=Path(folder).resolve(), explicit_gradebook_url=None)

    def with_sandbox(self, on: bool) -> "Settings":
        return replace(self, sandbox=on)

    def kernel_variables(self) -> dict[str, str]:
        """The settings a lesson's kernel (another process) needs, as environment variables."""
        out = {"TRADEOFFS_DEVICE": self.device}
        if self.scale:
            out["TRADEOFFS_SCALE"] = self.scale
        return out


_active: list[Settings] = []
_lock = threading.Lock()


def active() -> Settings:
    """The settings in force: the innermost :func:`use`, else freshly read from the environment."""
    with _lock:
        if _active:
            return _active[-1]
    return Settings.from_env()


@contextmanager
def use(settings: Settings) -> Iterator[Settings]:
    """Make ``settings`` the active ones (process-wide, so grading threads see them too) within the block."""
    with _lock:
        _active.append(settings)
    try:
        yield settings
    finally:
        with _lock:
            _active.remove(settings)
