"""The course-wide results ledger: one CSV row per measured run, appended safely.

Every lesson writes what it ran (model, metric, seconds, device, cost, size, latency) so the
capstone and ``tradeoffs report`` can draw the whole course's Pareto frontier.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .locking import locked
from .paths import results_dir, under_nbgrader

COLUMNS = [
    "timestamp", "run_id", "lesson", "name", "scale", "device", "hardware", "metric", "value",
    "train_seconds", "cpu_seconds", "peak_mem_mb", "gpu_seconds", "latency_ms", "size_bytes",
    "instance", "usd_per_hour", "cost_usd", "energy_wh", "notes",
]


def ledger_path() -> Path | None:
    """Where rows go: ``TRADEOFFS_LEDGER`` if set (``off`` disables), else ``results/ledger.csv``.

    While nbgrader executes a notebook the ledger is off unless ``TRADEOFFS_LEDGER`` is set,
    so grading a class never writes into the course's results.
    """
    env = os.environ.get("TRADEOFFS_LEDGER")
    if env:
        return None if env.lower() == "off" else Path(env)
    if under_nbgrader():
        return None
    return results_dir() / "ledger.csv"


def append_row(row: dict[str, Any], path: Path | None = None) -> Path | None:
    """Append one row (unknown keys go to ``notes``); safe when several processes write at once."""
    path = path if path is not None else ledger_path()
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = {k: v for k, v in row.items() if k not in COLUMNS}
    clean = {k: row.get(k, "") for k in COLUMNS}
    if extra:
        notes = "; ".join(f"{k}={v}" for k, v in extra.items())
        clean["notes"] = f"{clean['notes']}; {notes}" if clean["notes"] else notes
    with locked(path, "a") as handle:
        if handle.tell() == 0:
            csv.writer(handle).writerow(COLUMNS)
        csv.DictWriter(handle, fieldnames=COLUMNS).writerow(clean)
    return path


def read_ledger(paths: Iterable[Path | str] | Path | str | None = None) -> pd.DataFrame:
    """Read one or more ledgers into one DataFrame (an empty frame with the columns if none exist).

    Without ``paths`` it reads the active ledger, so nothing while the ledger is switched off
    (e.g. while nbgrader grades: a graded notebook must not depend on the instructor's results).
    """
    if paths is None:
        active = ledger_path()
        paths = [active] if active is not None else []
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    frames = [pd.read_csv(p) for p in map(Path, paths) if p.exists() and p.stat().st_size > 0]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)
