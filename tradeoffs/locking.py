"""One file written by several processes at once (parallel grading, torchrun ranks): an exclusive lock."""
from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def locked(path: Path, mode: str) -> Iterator[IO[str]]:
    """``open(path, mode)`` holding an exclusive ``flock`` until the block ends (other writers wait)."""
    with open(path, mode, newline="") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
