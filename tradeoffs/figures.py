"""Headline figures that lessons record for ``make bench`` (keys ``NN.figure_name``).

A lesson calls ``record_figure("04.epochs_saved_fraction", value)`` on the number it has just
measured; ``tradeoffs bench`` runs the notebooks and gathers the figures into ``results/bench.json``.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
from pathlib import Path

from .paths import results_dir, under_nbgrader

KEY = re.compile(r"^[0-9a-z_]+\.[0-9a-z_]+$")

# key -> (comparison, target, where the target comes from); None = reported, no target.
TARGETS: dict[str, tuple[str, float] | None] = {
    "00.cost_spread": None,
    "00.frontier_size": None,
    "01.logreg_lift_at_10pct": None,
    "01.majority_accuracy": None,
    "02.threshold_cost_saving": None,
    "02.rmse_over_mae": None,
    "03.search_compute_ratio": ("<=", 1 / 3),
    "03.search_score_gap_pts": ("<=", 0.5),
    "04.epochs_saved_fraction": (">=", 0.40),
    "04.accuracy_drop_pts": ("<=", 0.5),
    "04.epochs_saved_fraction_loss_rule": None,
    "04.accuracy_drop_pts_loss_rule": None,
    "05.bottleneck_throughput_gain": (">=", 2.0),
    "06.ddp_speedup_compute_bound": (">=", 1.6),
    "06.ddp_efficiency_compute_bound": (">=", 0.8),
    "06.ddp_speedup_comm_bound": None,
    "06.ddp_speedup_compute_bound_median_pair": None,
    "07.int8_size_ratio": (">=", 3.9),
    "07.int8_speedup": (">=", 3.0),
    "07.int8_accuracy_drop_pts": ("<=", 0.5),
    "07.sparse90_accuracy_drop_pts": ("<=", 0.5),
    "07.structured_speedup": (">=", 3.0),
    "07.student_size_ratio": (">=", 5.0),
    "07.student_retained_fraction": (">=", 0.97),
    "08.gap_at_100_labels_pts": (">", 0.0),
    "08.gap_at_5000_labels_pts": None,
    "grading.seconds_per_student": None,
    "grading.seconds_per_student_jobs2": None,
    "grading.seconds_per_student_no_sandbox": None,
    "grading.sandbox_overhead": ("<=", 1.2),
    "course.laptop_minutes": ("<=", 12.0),
}


def figures_path() -> Path | None:
    """``TRADEOFFS_FIGURES`` if set, else ``results/figures.json``; None while nbgrader grades."""
    env = os.environ.get("TRADEOFFS_FIGURES")
    if env:
        return Path(env)
    if under_nbgrader():
        return None
    return results_dir() / "figures.json"


def record_figure(key: str, value: float) -> float:
    """Record one measured headline figure (merged into the figures file) and return it."""
    if not KEY.match(key):
        raise ValueError(f"Figure keys look like 'NN.figure_name' (lowercase, digits, underscores); got {key!r}.")
    value = float(value)
    path = figures_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            text = handle.read()
            data = json.loads(text) if text.strip() else {}
            data[key] = value
            handle.seek(0)
            handle.truncate()
            json.dump(data, handle, indent=2, sort_keys=True)
            fcntl.flock(handle, fcntl.LOCK_UN)
    print(f"[figure] {key} = {value:.4g}")
    return value


def meets_target(key: str, value: float) -> bool | None:
    """True/False against the issue's target, None when the figure has no target."""
    target = TARGETS.get(key)
    if target is None:
        return None
    op, bound = target
    return {"<=": value <= bound, ">=": value >= bound, "<": value < bound, ">": value > bound}[op]


def format_table(figures: dict[str, float]) -> str:
    """A plain-text table of figures with their targets and whether each is met."""
    lines = [f"{'figure':40s} {'value':>12s}  {'target':>10s}  met"]
    for key in sorted(figures):
        value = figures[key]
        target = TARGETS.get(key)
        tgt = f"{target[0]} {target[1]:.3g}" if target else "-"
        met = meets_target(key, value)
        lines.append(f"{key:40s} {value:12.4g}  {tgt:>10s}  {'-' if met is None else ('yes' if met else 'NO')}")
    return "\n".join(lines)
