"""What is specific to one lesson, read from ``solutions/NN-slug/lesson.toml`` beside its text source.

A lesson's folder holds everything that belongs to it: the text source, the source notebook built from
it, and this small file::

    # solutions/03-tuning/lesson.toml
    device = "cpu"                        # "cpu", "cuda-optional" or "cuda" (see DEVICES)
    data = ["prices.csv", "bikeshare.csv"]  # files under data/ the lesson reads

    [ledger]                              # metric names the lesson logs to the results ledger
    quality = ["cv_accuracy", "test_r2"]  # higher is better: drawn on the report's frontier
    other = []                            # also logged, but not a quality (rmse, loss, seconds...)

    [figures]                             # headline figures (record_figure) and their targets
    "03.search_compute_ratio" = ["<=", 0.3333333333333333]
    "03.something_reported" = "reported"  # no target: reported only

:func:`load` reads and checks one file (:class:`LessonConfigError` names the file and the fix);
``tradeoffs.figures``, ``tradeoffs.report`` and ``tradeoffs.data`` read their lesson-specific settings
from here. ``solutions/`` is not visible to sandboxed graded kernels, so nothing a notebook calls while
it is graded may read these files (``record_figure`` does not; targets are looked up by ``make bench``).
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .lessons import LESSON_DIR, all_lessons, solutions_dir

FILE_NAME = "lesson.toml"
# "cpu": runs on the CPU only (a `device` parameter is accepted and ignored); "cuda-optional": uses a
# CUDA GPU when one is present, and runs everything on the CPU otherwise; "cuda": needs a GPU.
DEVICES = ("cpu", "cuda-optional", "cuda")
OPS = ("<=", ">=", "<", ">")
REPORTED = "reported"
FIGURE_KEY = re.compile(r"^[0-9a-z_]+\.[0-9a-z_]+$")  # the same rule as tradeoffs.figures.KEY
METRIC = re.compile(r"^[a-z][a-z0-9_]*$")
KEYS = {"device": str, "data": list, "ledger": dict, "figures": dict}
LEDGER_KEYS = ("quality", "other")

Target = tuple[str, float] | None


class LessonConfigError(ValueError):
    """A ``lesson.toml`` that is missing or malformed; the message names the file and what to fix."""


@dataclass(frozen=True)
class LessonConfig:
    """One lesson's settings (see the module docstring for the file format)."""

    lesson: str
    device: str
    data: tuple[str, ...] = ()
    quality: tuple[str, ...] = ()
    other_metrics: tuple[str, ...] = ()
    figures: dict[str, Target] = field(default_factory=dict)
    path: Path | None = None

    @property
    def number(self) -> str:
        """The lesson's two digits, e.g. ``"03"`` (figure keys and ledger rows use them)."""
        return self.lesson[:2]

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric name the lesson logs to the ledger (quality first)."""
        return self.quality + self.other_metrics


def config_path(lesson: str) -> Path:
    """``solutions/NN-slug/lesson.toml`` (the file may not exist yet)."""
    return solutions_dir() / lesson / FILE_NAME


def _strings(value: object, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LessonConfigError(f"{where}: {what} must be a list of strings, e.g. [\"a\", \"b\"]; got {value!r}")
    repeated = sorted({v for v in value if value.count(v) > 1})
    if repeated:
        raise LessonConfigError(f"{where}: {what} lists {repeated} more than once")
    return tuple(value)


def _target(key: str, value: object, where: str) -> Target:
    fix = f'write "{key}" = ["<=", 0.5] (one of {", ".join(OPS)} and a number) or "{key}" = "{REPORTED}"'
    if value == REPORTED:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        raise LessonConfigError(f"{where}: figure {key!r} has target {value!r}; {fix}")
    op, bound = value
    if op not in OPS:
        raise LessonConfigError(f"{where}: figure {key!r} has an unknown comparison {op!r}; {fix}")
    if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
        raise LessonConfigError(f"{where}: figure {key!r} needs a finite number as its bound, got {bound!r}; {fix}")
    return op, float(bound)


def parse(text: str, lesson: str, where: str | None = None) -> LessonConfig:
    """Check and read the TOML ``text`` of ``lesson``'s file (``where`` names it in error messages)."""
    where = where or f"solutions/{lesson}/{FILE_NAME}"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LessonConfigError(f"{where}: not valid TOML ({err})") from err
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise LessonConfigError(f"{where}: unknown key(s) {unknown}; a lesson.toml holds only {sorted(KEYS)} "
                                "(format: tradeoffs/lesson_config.py)")
    for key, kind in KEYS.items():
        if key in raw and not isinstance(raw[key], kind):
            raise LessonConfigError(f"{where}: {key} must be a {'table' if kind is dict else kind.__name__}, "
                                    f"got {raw[key]!r}")
    if "device" not in raw:
        raise LessonConfigError(f"{where}: say which device the lesson needs: device = one of {list(DEVICES)}")
    if raw["device"] not in DEVICES:
        raise LessonConfigError(f"{where}: device = {raw['device']!r}; choose one of {list(DEVICES)}")

    data = _strings(raw.get("data", []), where, "data")
    for name in data:
        if not name or name.startswith("/") or ".." in Path(name).parts:
            raise LessonConfigError(f"{where}: data file {name!r} must be a file name under data/")

    ledger = raw.get("ledger", {})
    unknown = sorted(set(ledger) - set(LEDGER_KEYS))
    if unknown:
        raise LessonConfigError(f"{where}: unknown key(s) {unknown} in [ledger]; use {list(LEDGER_KEYS)}")
    quality = _strings(ledger.get("quality", []), where, "ledger.quality")
    other = _strings(ledger.get("other", []), where, "ledger.other")
    for name in quality + other:
        if not METRIC.match(name):
            raise LessonConfigError(f"{where}: metric {name!r} must be a lowercase identifier like 'roc_auc'")
    both = sorted(set(quality) & set(other))
    if both:
        raise LessonConfigError(f"{where}: metrics {both} are in both ledger.quality and ledger.other")

    number = lesson[:2]
    figures: dict[str, Target] = {}
    for key, value in raw.get("figures", {}).items():
        if not FIGURE_KEY.match(key):
            raise LessonConfigError(f"{where}: figure key {key!r} must look like '{number}.figure_name' "
                                    "(lowercase, digits, underscores)")
        if key.split(".")[0] != number:
            raise LessonConfigError(f"{where}: figure {key!r} belongs to lesson {key.split('.')[0]}, not {number}: "
                                    f"a lesson's figure keys start with its number ({number}.)")
        figures[key] = _target(key, value, where)
    return LessonConfig(lesson=lesson, device=raw["device"], data=data, quality=quality, other_metrics=other,
                        figures=figures)


def load(lesson: str) -> LessonConfig:
    """Read ``solutions/<lesson>/lesson.toml`` (``lesson`` as in ``solutions/``, e.g. ``"03-tuning"``)."""
    name = str(lesson).strip().rstrip("/").split("/")[-1]
    if not LESSON_DIR.match(name):
        from .lessons import resolve_lesson

        name = resolve_lesson(name)
    path = config_path(name)
    if not path.exists():
        raise LessonConfigError(f"{path} is missing: every lesson folder holds a {FILE_NAME} with its device, "
                                "data files, ledger metrics and figure targets (copy one from another lesson; "
                                "`tradeoffs new-lesson` writes one for a new lesson)")
    config = parse(path.read_text(encoding="utf-8"), name, where=str(path))
    return replace(config, path=path)


def load_all() -> dict[str, LessonConfig]:
    """Every lesson's settings, by lesson name."""
    return {lesson: load(lesson) for lesson in all_lessons()}


def for_number(number: str) -> LessonConfig | None:
    """The settings of the lesson numbered ``number`` (``"3"`` or ``"03"``), or None if there is none."""
    digits = str(number).strip()
    if not digits.isdigit():
        return None
    matches = [lesson for lesson in all_lessons() if lesson.startswith(f"{int(digits):02d}-")]
    return load(matches[0]) if len(matches) == 1 else None
