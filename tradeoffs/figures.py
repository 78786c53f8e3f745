"""Headline figures that lessons record for ``make bench`` (keys ``NN.figure_name``).

A lesson calls ``record_figure("04.epochs_saved_fraction", value)`` on the number it has just
measured; ``tradeoffs bench`` runs the notebooks and gathers the figures into ``results/bench.json``.
Targets: a lesson's in its ``solutions/NN-slug/lesson.toml`` ([figures], read by ``tradeoffs.lesson_config``),
the course-wide ones (``grading.*``, ``course.*``) in ``COURSE_TARGETS`` below.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .locking import locked
from .paths import results_dir, under_nbgrader

KEY = re.compile(r"^[0-9a-z_]+\.[0-9a-z_]+$")

Target = tuple[str, float] | None  # (comparison, bound); None = reported, no target

# Course-wide figures (grading speed, the whole course's runtime): no lesson owns them. A lesson's own
# figures and their targets live in its folder, under [figures] in solutions/NN-slug/lesson.toml.
COURSE_TARGETS: dict[str, Target] = {
    "grading.seconds_per_student": None,
    "grading.seconds_per_student_jobs2": None,
    "grading.seconds_per_student_no_sandbox": None,
    "grading.sandbox_overhead": ("<=", 1.2),
    "course.laptop_minutes": ("<=", 12.0),
    # tradeoffs bench --claims: every claim the prose states without hedging holds on every seed and scale
    "claims.hold_rate_grade": (">=", 1.0),
    "claims.hold_rate_laptop": (">=", 1.0),
    "claims.count": None,
}


def targets() -> dict[str, Target]:
    """Every figure with a known target: each lesson's ``lesson.toml`` [figures] plus the course-wide ones."""
    from .lesson_config import load_all

    out: dict[str, Target] = {}
    for config in load_all().values():
        out.update(config.figures)
    out.update(COURSE_TARGETS)
    return out


def target(key: str) -> Target:
    """The target of one figure (None: reported only, or unknown); reads only its own lesson's file."""
    if key in COURSE_TARGETS:
        return COURSE_TARGETS[key]
    from .lesson_config import for_number

    config = for_number(key.split(".")[0])
    return config.figures.get(key) if config is not None else None


def __getattr__(name: str):
    """``TARGETS`` (the old module-level table) is built on demand from the lesson files."""
    if name == "TARGETS":
        return targets()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        with locked(path, "a+") as handle:
            handle.seek(0)
            text = handle.read()
            data = json.loads(text) if text.strip() else {}
            data[key] = value
            handle.seek(0)
            handle.truncate()
            json.dump(data, handle, indent=2, sort_keys=True)
    print(f"[figure] {key} = {value:.4g}")
    return value


def _meets(found: Target, value: float) -> bool | None:
    if found is None:
        return None
    op, bound = found
    return {"<=": value <= bound, ">=": value >= bound, "<": value < bound, ">": value > bound}[op]


def meets_target(key: str, value: float) -> bool | None:
    """True/False against the figure's target (its lesson.toml, or the course-wide table), None without one."""
    return _meets(target(key), value)


def format_table(figures: dict[str, float]) -> str:
    """A plain-text table of figures with their targets and whether each is met."""
    known = targets()
    lines = [f"{'figure':40s} {'value':>12s}  {'target':>10s}  met"]
    for key in sorted(figures):
        value = figures[key]
        found = known.get(key)
        tgt = f"{found[0]} {found[1]:.3g}" if found else "-"
        met = _meets(found, value)
        lines.append(f"{key:40s} {value:12.4g}  {tgt:>10s}  {'-' if met is None else ('yes' if met else 'NO')}")
    return "\n".join(lines)
