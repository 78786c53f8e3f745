"""Save and restore a running kernel's user state (imported *inside* the kernel by the replay harness).

:mod:`tradeoffs.instructor.replay` runs a lesson's perfect notebook once and replays each mutant from
its first changed cell. Before that cell it calls :func:`snapshot`; before each mutant, :func:`restore`
puts back a deep copy of the variables, the random number generators' states, the current directory,
the files of the harness's working folder (which holds the kernel's TMPDIR, so run folders and
scripts a lesson writes are restored too) and no open figures, so one mutant cannot leak into the next. Objects that cannot be deep-copied
(generators, locks, open files) are shared by reference; the harness's final canary rerun of the
perfect tests shows whether that mattered.
"""
from __future__ import annotations

import copy
import os
import random
import re
import shutil
import sys
from pathlib import Path
from typing import Any

_IPYTHON_NAMES = re.compile(r"^(_+|_i+|_\d+|_i\d+|_oh|_ih|_dh)$")  # output/input history kept by IPython
_SAVED: dict[str, dict[str, Any]] = {}


def _shell() -> Any:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("kernel_state works inside an IPython kernel only")
    return shell


def _user_names(shell: Any) -> list[str]:
    hidden = shell.user_ns_hidden
    return [k for k in shell.user_ns if k not in hidden and not _IPYTHON_NAMES.match(k)]


def _deep_copy(values: dict[str, Any]) -> dict[str, Any]:
    """Deep copies sharing one memo (an optimizer still points at its own model's copy).

    Objects with a finalizer (``__del__``: progress bars, temporary folders) are shared, not copied:
    a copy's finalizer would close or delete what the original still uses.
    """
    memo: dict[int, Any] = {}
    out = {}
    for name, value in values.items():
        if hasattr(type(value), "__del__"):
            out[name] = value
            continue
        try:
            out[name] = copy.deepcopy(value, memo)
        except Exception:  # noqa: BLE001 - anything deepcopy refuses is shared as it is
            out[name] = value
    return out


def _rng_states() -> dict[str, Any]:
    states: dict[str, Any] = {"random": random.getstate()}
    if "numpy" in sys.modules:
        states["numpy"] = sys.modules["numpy"].random.get_state()
    if "torch" in sys.modules:
        states["torch"] = sys.modules["torch"].get_rng_state()
    return states


def _set_rng_states(states: dict[str, Any]) -> None:
    random.setstate(states["random"])
    if "numpy" in states:
        sys.modules["numpy"].random.set_state(states["numpy"])
    if "torch" in states:
        sys.modules["torch"].set_rng_state(states["torch"])


def _copy_files(source: Path, target: Path) -> None:
    """Make ``target`` hold exactly the files of ``source`` (``target`` itself is kept: it may be the cwd)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in list(target.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)


def snapshot(tag: str, folder: str) -> int:
    """Keep a deep copy of the user's variables, RNG states, current directory and ``folder``'s files."""
    shell = _shell()
    values = {k: shell.user_ns[k] for k in _user_names(shell)}
    files = Path(folder).parent / f"snapshot-{tag}"
    _copy_files(Path(folder), files)
    _SAVED[tag] = {"values": _deep_copy(values), "rng": _rng_states(), "cwd": os.getcwd(),
                   "folder": Path(folder), "files": files}
    return len(values)


def restore(tag: str) -> int:
    """Put back what :func:`snapshot` saved under ``tag`` (as a fresh copy; the snapshot stays intact)."""
    saved = _SAVED[tag]
    shell = _shell()
    for name in _user_names(shell):
        del shell.user_ns[name]
    shell.user_ns.update(_deep_copy(saved["values"]))
    _set_rng_states(saved["rng"])
    _copy_files(saved["files"], saved["folder"])
    os.chdir(saved["cwd"])
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    return len(saved["values"])
