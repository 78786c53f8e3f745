"""Check a lesson's grading contract end to end (DESIGN.md section 3, items 3-5 and 7).

Grades a throw-away class (perfect submissions, the blank release, every mutant) with the real
pipeline in a temporary grading folder, then compares scores with what each student should get.
"""
from __future__ import annotations

import html
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..lessons import resolve_lesson, source_notebook
from .autograde import ClassReport, grade_class
from .mutants import Mutant, build_class


@dataclass
class ContractResult:
    lesson: str
    report: ClassReport
    failures: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def hidden_test_lines(lesson: str) -> list[str]:
    """Non-trivial code lines inside hidden-test blocks of the source notebook."""
    nb = nbformat.read(source_notebook(lesson), as_version=4)
    lines, inside = [], False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            tag = line.strip().upper()
            if tag.startswith("### BEGIN HIDDEN TESTS"):
                inside = True
            elif tag.startswith("### END HIDDEN TESTS"):
                inside = False
            elif inside and len(line.strip()) > 12 and not line.strip().startswith("#"):
                lines.append(line.strip())
    return lines


def page_text(path: Path) -> str:
    """Visible text of an HTML page (tags dropped, entities decoded, whitespace squeezed)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(errors="replace")))
    return re.sub(r"\s+", " ", text)


def check_lesson(lesson: str, workdir: Path | None = None, jobs: int = 2, repeats: int = 2) -> ContractResult:
    """Grade perfect x repeats, blank and every mutant of ``lesson``; collect contract failures."""
    lesson = resolve_lesson(lesson)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(workdir or tmp)
        students = build_class(lesson, base / "class", repeats=repeats)
        old = os.environ.get("TRADEOFFS_GRADING_DIR")
        os.environ["TRADEOFFS_GRADING_DIR"] = str(base / "grading")
        try:
            report = grade_class(lesson, base / "class", jobs=jobs, progress=False)
        finally:
            if old is None:
                os.environ.pop("TRADEOFFS_GRADING_DIR", None)
            else:
                os.environ["TRADEOFFS_GRADING_DIR"] = old
        result = ContractResult(lesson, report)
        _judge(result, students, hidden_test_lines(lesson))
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
        scores = r.scores or {}
        auto = scores["_auto_total"]
        if student.startswith("perfect"):
            lost = [g for g, p in auto_cells.items() if (scores.get(g) or 0) < p]
            (fail if lost else say)(f"{student}: {auto:g}/{max_auto:g}" + (f" lost points on {lost}" if lost else ""))
        elif student == "blank":
            (fail if auto > 0 else say)(f"blank: {auto:g}/{max_auto:g} (must be 0)")
        elif mutant is not None and mutant.kind == "alternative":
            lost = [g for g, p in auto_cells.items() if (scores.get(g) or 0) < p]
            (fail if lost else say)(f"{student} (alternative): {auto:g}/{max_auto:g}"
                                    + (f" but lost points on {lost}" if lost else ""))
        elif mutant is not None:
            unknown = [g for g in mutant.loses if g not in auto_cells]
            caught = [g for g in mutant.loses if g in auto_cells and (scores.get(g) or 0) < auto_cells[g]]
            missed = [g for g in mutant.loses if g in auto_cells and g not in caught]
            if unknown:
                fail(f"{student}: 'loses' names unknown test cells {unknown}")
            (fail if missed else say)(f"{student}: {auto:g}/{max_auto:g}, caught by {caught}"
                                      + (f", NOT caught by {missed}" if missed else ""))
        if r.feedback is not None and hidden:
            text = page_text(r.feedback)
            leaked = [ln for ln in hidden if re.sub(r"\s+", " ", ln) in text]
            if leaked:
                fail(f"{student}: feedback shows hidden-test source, e.g. {leaked[0]!r}")
    covered = {g for m in students.values() if m is not None and m.kind == "wrong" for g in m.loses}
    uncovered = [g for g in auto_cells if g not in covered]
    if uncovered:
        fail(f"no wrong mutant targets these test cells: {uncovered}")
