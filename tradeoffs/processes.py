"""Stopping child processes for good: a process and everything it started (its process group)."""
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
