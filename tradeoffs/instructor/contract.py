"""Check a lesson's grading contract end to end (docs/lesson-contract.md).

:func:`check_lesson` grades a throw-away class with the real pipeline (nbgrader, sandbox, hidden
checks, feedback) in a temporary grading folder: perfect submissions, the blank release and, with
``full=True``, every mutant. Without ``full``, the mutants are scored by the replay harness
(:mod:`.replay`: one kernel, each mutant replayed from its first changed cell, a canary rerun of
the perfect tests at the end), minutes instead of half an hour for the course.
"""
from __future__ import annotations

import html
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..lessons import resolve_lesson, source_notebook
from ..settings import Settings, use
from .autograde import ClassReport, grade_class
from .markers import hidden_blocks
from .mutants import Mutant, build_class, family_counts, family_problems
from .observations import store_reference
from .replay import LessonReplay, replay_lesson


@dataclass
class ContractResult:
    lesson: str
    report: ClassReport
    failures: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    replay: LessonReplay | None = None
    families: dict[str, int] = field(default_factory=dict)  # wrong mutants per mistake family

    @property
    def ok(self) -> bool:
        return not self.failures


def hidden_test_lines(lesson: str) -> list[str]:
    """Non-trivial code lines inside hidden-test blocks of the source notebook."""
    nb = nbformat.read(source_notebook(lesson), as_version=4)
    return [line.strip() for cell in nb.cells for block in hidden_blocks(cell.source) for line in block.splitlines()
            if len(line.strip()) > 12 and not line.strip().startswith("#")]


def page_text(path: Path) -> str:
    """Visible text of an HTML page (tags dropped, entities decoded, whitespace squeezed)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(errors="replace")))
    return re.sub(r"\s+", " ", text)


def check_lesson(lesson: str, workdir: Path | None = None, jobs: int = 2, repeats: int = 2,
                 full: bool = True, settings: Settings | None = None) -> ContractResult:
    """Grade perfect x repeats and blank of ``lesson`` with nbgrader, and its mutants; collect failures.

    ``full``: every mutant through the whole pipeline too. Otherwise the mutants are replayed
    (:mod:`.replay`) first, and the replay's perfect run, a trusted run of the solution like the
    reference run, also gives nbgrader its reference observations (one notebook run fewer).
    """
    lesson = resolve_lesson(lesson)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(workdir or tmp)
        students = build_class(lesson, base / "class", repeats=repeats, mutants=full)
        class_settings = (settings or Settings.from_env()).grading_in(base / "grading")
        with use(class_settings):
            replay = None if full else replay_lesson(lesson)
            if replay is not None:
                store_reference(lesson, replay.reference)
            report = grade_class(lesson, base / "class", jobs=jobs, progress=False, settings=class_settings)
        result = ContractResult(lesson, report, replay=replay)
        _judge(result, students, hidden_test_lines(lesson))
        if replay is not None:
            _judge_replay(result, replay)
        _check_coverage(result, [m for m in students.values() if m is not None] if replay is None
                        else [r.mutant for r in replay.results if r.mutant is not None])
    return result


def _judge(result: ContractResult, students: dict[str, Mutant | None], hidden: list[str]) -> None:
    auto_cells = {gid: pts for gid, pts, is_auto in result.report.cells if is_auto}
    max_auto = sum(auto_cells.values())
    fail, say = result.failures.append, result.lines.append
    by = result.report.by_student()
    for student, mutant in students.items():
        r = by.get(student)
        if r is None or not r.graded:
            fail(f"{student}: was not graded ({'; '.join(r.problems) if r else 'missing'})")
            continue
        scores = {g: float(v or 0) for g, v in (r.scores or {}).items()}
        shown = f"{scores['_auto_total']:g}/{max_auto:g}"
        if student == "blank":
            (fail if scores["_auto_total"] > 0 else say)(f"blank: {shown} (must be 0)")
        else:
            _verdict(result, student, mutant, scores, auto_cells, shown)
        if r.feedback is not None and hidden:
            text = page_text(r.feedback)
            leaked = [ln for ln in hidden if re.sub(r"\s+", " ", ln) in text]
            if leaked:
                fail(f"{student}: feedback shows hidden-test source, e.g. {leaked[0]!r}")


def _verdict(result: ContractResult, student: str, mutant: Mutant | None, points: dict[str, float],
             max_points: dict[str, float], shown_total: str, why: dict[str, str] | None = None) -> None:
    """One line (or failure) for a student: full marks, an alternative's full marks, or a mutant caught."""
    fail, say = result.failures.append, result.lines.append
    if mutant is None or mutant.kind == "alternative":
        lost = [g for g, p in max_points.items() if points.get(g, 0) < p]
        label = f"{student} (alternative)" if mutant is not None else student
        reasons = "".join(f"\n        {g}: {(why or {})[g]}" for g in lost if g in (why or {}))
        (fail if lost else say)(f"{label}: {shown_total}" + (f" but lost points on {lost}{reasons}" if lost else ""))
        return
    unknown = [g for g in mutant.loses if g not in max_points]
    caught = [g for g in mutant.loses if g in max_points and points.get(g, max_points[g]) < max_points[g]]
    missed = [g for g in mutant.loses if g in max_points and g not in caught]
    if unknown:
        fail(f"{student}: 'loses' names unknown test cells {unknown}")
    unknown_keeps = [g for g in mutant.keeps if g not in max_points]
    if unknown_keeps:
        fail(f"{student}: 'keeps' names unknown test cells {unknown_keeps}")
    # an upstream mistake must not cost points again on a test that builds on it
    punished = [g for g in mutant.keeps if g in max_points and points.get(g, 0) < max_points[g]]
    reasons = "".join(f"\n        {g}: {(why or {})[g]}" for g in punished if g in (why or {}))
    (fail if missed or punished else say)(
        f"{student}: {shown_total}, caught by {caught}" + (f", NOT caught by {missed}" if missed else "")
        + (f", but also lost points on {punished}, which must keep them{reasons}" if punished else ""))


def _judge_replay(result: ContractResult, replay: LessonReplay) -> None:
    """Verdicts of the replay harness: perfect and canary full, wrong mutants caught, alternatives full."""
    for r in replay.results:
        if r.mutant is not None and r.mutant.kind == "wrong":
            shown = ", ".join(f"{g} {r.points[g]:g}/{replay.max_points[g]:g}" for g in r.mutant.loses if g in r.points)
        else:
            shown = f"{sum(r.points.values()):g}/{sum(replay.max_points.values()):g}"
        _verdict(result, f"replay {r.student}", r.mutant, r.points, replay.max_points, shown + f" ({r.seconds:.1f} s)",
                 r.why)


def _check_coverage(result: ContractResult, mutants: list[Mutant]) -> None:
    auto_cells = [gid for gid, _, is_auto in result.report.cells if is_auto]
    covered = {g for m in mutants if m.kind == "wrong" for g in m.loses}
    uncovered = [g for g in auto_cells if g not in covered]
    if uncovered:
        result.failures.append(f"no wrong mutant targets these test cells: {uncovered}")
    result.failures.extend(family_problems(result.lesson, mutants, auto_cells))
    result.families = family_counts(mutants)
