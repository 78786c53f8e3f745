"""Read scores out of nbgrader's gradebook into plain rows."""
from __future__ import annotations

from typing import Any

from nbgrader.api import Gradebook, MissingEntry

from ..settings import active
from .nbgrader_cli import grading_dir


def db_url() -> str:
    """The active settings' gradebook (``grading_dir/gradebook.db`` unless ``TRADEOFFS_GRADEBOOK_URL`` says otherwise)."""
    grading_dir()  # made if missing
    return active().gradebook_url


def grade_cells(lesson: str) -> list[tuple[str, float, bool]]:
    """(grade_id, max points, is autograded) for every graded cell of the lesson, in notebook order."""
    with Gradebook(db_url()) as gb:
        nb = gb.find_notebook(lesson, lesson)
        cells = []
        for cell in nb.grade_cells:
            cells.append((cell.name, float(cell.max_score), cell.cell_type == "code" and not _is_manual(gb, cell)))
        return cells


def _is_manual(gb: Gradebook, cell: Any) -> bool:
    try:
        gb.find_solution_cell(cell.name, cell.notebook.name, cell.notebook.assignment.name)
        return True  # a cell that is both graded and a solution is a manually graded answer
    except MissingEntry:
        return False


def student_scores(lesson: str, student: str) -> dict[str, Any] | None:
    """grade_id -> score for one student's submission (None when it was never graded)."""
    with Gradebook(db_url()) as gb:
        try:
            sub = gb.find_submission_notebook(lesson, lesson, student)
        except MissingEntry:
            return None
        scores: dict[str, Any] = {}
        for grade in sub.grades:
            scores[grade.name] = grade.score if (grade.auto_score is not None or grade.manual_score is not None) else None
        scores["_auto_total"] = sum((g.auto_score or 0.0) for g in sub.grades)
        scores["_total"] = float(sub.score)
        scores["_max"] = float(sub.max_score)
        scores["_needs_manual"] = bool(sub.needs_manual_grade)
        return scores


def graded_students(lesson: str) -> list[str]:
    """Ids of every student with a submission of ``lesson`` in the gradebook (empty for a new gradebook)."""
    try:
        with Gradebook(db_url()) as gb:
            return [s.student.id for s in gb.find_assignment(lesson).submissions]
    except MissingEntry:
        return []
