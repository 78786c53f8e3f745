"""Stopping child processes for good: a process and everything it started (its group and its tree)."""
from __future__ import annotations

import os
import signal


def kill_process_group(pid: int | None, sig: int = signal.SIGKILL) -> bool:
    """Send ``sig`` to every process in the group led by ``pid``; False if the group is already gone."""
    if pid is None:
        return False
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def kill_process_tree(pid: int | None, sig: int = signal.SIGKILL) -> int:
    """Send ``sig`` to ``pid``, its process group and every descendant, even those in sessions of their own.

    jupyter_client starts kernels with ``start_new_session=True``, so killing the grading process's
    group does not reach its kernel; walking the tree (psutil) does. Returns how many were signalled.
    """
    import psutil

    if pid is None:
        return 0
    try:
        tree = [psutil.Process(pid)]
        tree += tree[0].children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    kill_process_group(pid, sig)
    count = 0
    for proc in tree:
        try:
            proc.send_signal(sig)
            count += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return count
