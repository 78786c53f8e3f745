"""Grade a class: import submissions, autograde each student, write feedback and a grade sheet.

One student's broken notebook is reported and skipped; the rest of the class is still graded.
Re-running for one student (``students=[...]``) regrades only that student.
"""
from __future__ import annotations

import csv
import multiprocessing
import os
import subprocess
import tempfile
import time
import tomllib
from datetime import datetime
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from ..lessons import release_notebook, resolve_lesson
from ..processes import kill_process_tree
from . import collect, diagnose, normalise, observations, output_limits, worker
from .gradebook import grade_cells, graded_students, student_scores
from .nbgrader_cli import config_dir, grading_dir, nbgrader_env
from .release import generate
from ..settings import Settings, use
from .sandbox import SubmissionCgroup, check_available, remove_runtime_folders
from .summary import write_summary

STUDENT_TIMEOUT_S = 30 * 60  # whole-notebook guard on top of the per-cell c.Execute.timeout


@dataclass
class StudentResult:
    student: str
    scores: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    feedback: Path | None = None

    @property
    def graded(self) -> bool:
        return self.scores is not None


@dataclass
class ClassReport:
    lesson: str
    results: list[StudentResult]
    cells: list[tuple[str, float, bool]]
    grades_csv: Path
    problems_md: Path
    seconds: float
    summary_md: Path | None = None
    class_problems: list[str] = field(default_factory=list)  # about the class folder or zip, not one student

    def by_student(self) -> dict[str, StudentResult]:
        return {r.student: r for r in self.results}


def _explain_failure(output: str) -> str:
    """Turn nbgrader's log into one plain sentence for the instructor."""
    text = output.lower()
    if "kernel died" in text or "dead kernel" in text or "deadkernel" in text:
        return ("the Python kernel crashed while running the notebook (for example os._exit or a segfault); "
                "no automatic points could be given")
    if "timeout" in text or "timed out" in text:
        return "the notebook ran past its time limit and could not be graded"
    if "notjson" in text or ("json" in text and "decode" in text):
        return "the notebook file is not valid notebook JSON"
    lines = [ln for ln in output.strip().splitlines() if ln.strip()]
    return "nbgrader could not grade it: " + (lines[-1][:300] if lines else "no output")


def _grading_context() -> Any:
    """A forkserver with nbgrader already imported: each student still gets a fresh process."""
    ctx = multiprocessing.get_context("forkserver")  # one per interpreter; started on first use
    ctx.set_forkserver_preload(["tradeoffs.instructor.worker", "nbgrader.apps"])
    return ctx


def student_log(lesson: str, student: str) -> Path:
    """nbgrader's log of one student's last grading: ``grading/logs/<lesson>/<student>.log``."""
    folder = grading_dir() / "logs" / lesson
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{student}.log"


def _keep_log(log_path: Path, outcome: dict[str, Any] | None) -> None:
    """Append what nbgrader's API reported to the process's own output, for the instructor to read."""
    if not outcome:
        return
    with open(log_path, "a", errors="replace") as handle:
        for key in ("autograde_log", "autograde_error", "feedback_log"):
            if outcome.get(key):
                handle.write(f"\n--- {key} ---\n{outcome[key]}\n")


def _run_worker(lesson: str, student: str, settings: Settings) -> dict[str, Any]:
    """Autograde + feedback for one student in a fresh process; returns the worker's outcome."""
    ctx = _grading_context()
    receive, send = ctx.Pipe(duplex=False)
    log_path = student_log(lesson, student)
    outcome: dict[str, Any] | None = None
    cgroup = SubmissionCgroup(f"{student}-{os.getpid()}", settings.limits)
    proc = ctx.Process(target=worker.grade_in_child, name=f"grade-{student}",
                       args=(lesson, student, settings, nbgrader_env(), str(config_dir()), str(log_path), send,
                             cgroup))
    try:
        proc.start()
        send.close()
        if not receive.poll(STUDENT_TIMEOUT_S):  # the finally clause kills it
            raise subprocess.TimeoutExpired(f"grading {student}", STUDENT_TIMEOUT_S)
        try:
            outcome = receive.recv()
        except EOFError:  # the process died without reporting (killed, segfault in nbgrader...)
            pass
        proc.join(timeout=60)
        if outcome is None:
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
            outcome = {"autograde_ok": False, "autograde_log": log,
                       "autograde_error": f"grading process exited with code {proc.exitcode}"}
        outcome["memory_cap_hit"] = cgroup.memory_exceeded()
        return outcome
    finally:
        kill_process_tree(proc.pid)  # the process and its kernel (own session): nothing outlives grading
        cgroup.destroy()             # and whatever escaped the tree (setsid daemons) inside the cgroup
        if proc.pid is not None:
            remove_runtime_folders(proc.pid)
        receive.close()
        _keep_log(log_path, outcome)


def autograde_student(lesson: str, sub: collect.Submission, submitted_root: Path, settings: Settings) -> StudentResult:
    """Stage, autograde and write feedback for one submission; never raises, whatever the notebook holds."""
    res = StudentResult(student=sub.student, problems=list(sub.problems))
    if not sub.gradable:
        return res
    start = time.perf_counter()
    try:
        staged = collect.stage(sub, lesson, submitted_root) / f"{lesson}.ipynb"
        release = release_notebook(lesson)
        res.problems += normalise.normalise_file(staged, release)
        res.problems += diagnose.before_grading(staged, release)
    except Exception as exc:  # whatever the file holds, the class goes on
        res.problems.append(f"the notebook could not be prepared for grading ({type(exc).__name__}: "
                            f"{str(exc)[:200]}): nothing was graded")
        res.seconds = time.perf_counter() - start
        return res
    try:
        for attempt in range(3):  # a busy SQLite gradebook under --jobs is retried
            outcome = _run_worker(lesson, sub.student, settings)
            log = f"{outcome.get('autograde_log', '')}\n{outcome.get('autograde_error', '')}"
            if "database is locked" not in log:
                break
            time.sleep(1 + attempt)
        if not outcome.get("autograde_ok"):
            log_file = student_log(lesson, sub.student).relative_to(grading_dir())
            res.problems.append(f"{_explain_failure(log)} (nbgrader's log: {log_file})")
        if outcome.get("memory_cap_hit"):
            limit = settings.limits.memory_mb + 1024
            res.problems.append(f"the submission as a whole reached its memory cap ({limit} MB for the notebook "
                                "and everything it started); whatever ran then was stopped")
        autograded = grading_dir() / "autograded" / sub.student / lesson / f"{lesson}.ipynb"
        too_large = output_limits.cap_file(autograded)  # the feedback page was capped by LimitOutputBytes
        res.problems += [too_large] if too_large else []
        res.problems += diagnose.after_grading(autograded)
        page = grading_dir() / "feedback" / sub.student / lesson / f"{lesson}.html"
        if outcome.get("feedback_ok") and page.exists():
            res.feedback = page
        elif outcome.get("autograde_ok"):
            res.problems.append("feedback could not be generated")
    except subprocess.TimeoutExpired:
        res.problems.append(f"grading took longer than {STUDENT_TIMEOUT_S // 60} minutes and was stopped")
    except Exception as exc:
        res.problems.append(f"grading stopped on an unexpected error ({type(exc).__name__}: {str(exc)[:200]}); "
                            "the rest of the class was graded")
    try:
        res.scores = student_scores(lesson, sub.student)
    except Exception as exc:
        res.problems.append(f"its scores could not be read from the gradebook ({type(exc).__name__}: {exc})")
    res.seconds = time.perf_counter() - start
    return res


def write_grade_sheet(path: Path, lesson: str, cells: list[tuple[str, float, bool]],
                      results: list[StudentResult]) -> Path:
    """CSV: one row per student, one column per graded exercise, totals and problems."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ["student", "lesson", "auto_score", "max_score", "needs_manual_grading"]
    header += [f"{gid} (/{pts:g})" for gid, pts, _ in cells] + ["problems"]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for r in sorted(results, key=lambda r: r.student):
            s = r.scores or {}
            row = [r.student, lesson, f"{s.get('_auto_total', 0.0):g}" if r.graded else "",
                   f"{s.get('_max', sum(p for _, p, _ in cells)):g}", s.get("_needs_manual", "")]
            row += ["" if s.get(gid) is None else f"{s[gid]:g}" for gid, _, _ in cells]
            row.append(" | ".join(r.problems))
            writer.writerow(row)
    return path


def write_problems(path: Path, lesson: str, results: list[StudentResult],
                   class_problems: list[str] | None = None) -> Path:
    """Markdown list of every student with a problem (and of problems with the class folder), in plain words."""
    lines = [f"# Problems found while grading {lesson}", ""]
    if class_problems:
        lines += ["## The class folder or export", ""] + [f"- {p}" for p in class_problems] + ["", "## Students", ""]
    flagged = [r for r in sorted(results, key=lambda r: r.student) if r.problems]
    if not flagged:
        lines.append("None: every submission was graded normally." if results else "No submissions were found.")
    for r in flagged:
        lines.append(f"- **{r.student}**: " + "; ".join(r.problems))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def due_date(lesson: str, due: str | None = None) -> datetime | None:
    """The due date from ``--due`` or from ``grading/due_dates.toml`` (``"00-tradeoff-triangle" = "2026-12-01T23:59:00"``)."""
    if due is None:
        path = config_dir() / "due_dates.toml"
        if path.exists():
            due = tomllib.loads(path.read_text()).get(lesson)
    if due is None:
        return None
    if isinstance(due, datetime):
        return due
    try:
        return datetime.fromisoformat(str(due))
    except ValueError:
        raise ValueError(f"due date {due!r} is not ISO 8601; write it like 2026-12-01T23:59:00")


def grade_class(lesson: str, source: Path, students: list[str] | None = None,
                progress: bool = True, jobs: int = 1, due: str | None = None,
                settings: Settings | None = None) -> ClassReport:
    """Import every submission under ``source`` for ``lesson``, autograde it, and write the reports.

    ``settings`` (default: read from the environment, once) say where the class is graded, whether
    kernels are sandboxed and with which caps; every grading process receives them as an argument.

    Each student is graded in a fresh process forked from a server with nbgrader preloaded
    (multiprocessing's ``forkserver``), so a script that calls this must guard its entry point
    with ``if __name__ == "__main__":``, as every multiprocessing program must.
    """
    settings = settings or Settings.from_env()
    with use(settings):
        return _grade_class(lesson, Path(source), students, progress, jobs, due, settings)


def _grade_class(lesson: str, source: Path, students: list[str] | None, progress: bool, jobs: int,
                 due: str | None, settings: Settings) -> ClassReport:
    lesson = resolve_lesson(lesson)
    if settings.sandbox:
        check_available()  # refuse, naming the fix, rather than run student code unsandboxed
    start = time.perf_counter()
    found = collect.collect_class(Path(source), lesson, workdir=_work_dir())
    results: list[StudentResult] = []
    try:  # the unpacked zip (if any) is removed however grading ends
        subs = found.submissions
        collect.flag_late(subs, due_date(lesson, due))
        if students:
            wanted = {collect.clean_student_id(s) for s in students}
            subs = [s for s in subs if s.student in wanted]
            missing = wanted - {s.student for s in subs}
            if missing:
                raise ValueError(f"No submission found for {', '.join(sorted(missing))} under {source}.")
        with tempfile.TemporaryDirectory() as tmp:  # records the lesson in the gradebook, leaves notebooks/ alone
            generate(lesson, Path(tmp))
        observations.reference_observations(lesson)  # the trusted run hidden probes are judged against (cached)
        submitted_root = grading_dir() / "submitted"
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each worker drives its own process
            futures = {pool.submit(autograde_student, lesson, sub, submitted_root, settings): sub for sub in subs}
            for fut in tqdm(as_completed(futures), total=len(futures), desc=f"grading {lesson}", unit="student",
                            disable=not progress):
                try:
                    results.append(fut.result())
                except Exception as exc:  # autograde_student reports its own failures; this is the last net
                    sub = futures[fut]
                    results.append(StudentResult(student=sub.student, problems=sub.problems + [
                        f"grading stopped on an unexpected error ({type(exc).__name__}: {str(exc)[:200]}); "
                        "the rest of the class was graded"]))
    finally:
        found.close()
    class_problems = list(found.problems)
    cells = grade_cells(lesson)
    reports = grading_dir() / "reports"
    everyone = _merge_previous(reports, lesson, results)
    grades_csv = write_grade_sheet(reports / f"{lesson}-grades.csv", lesson, cells, everyone)
    try:
        summary_md = write_summary(lesson, cells, everyone, reports)
    except Exception as exc:  # the sheet and the problems page are written regardless
        summary_md = None
        class_problems.append(f"the class summary could not be drawn ({type(exc).__name__}: {exc})")
    problems_md = write_problems(reports / f"{lesson}-problems.md", lesson, everyone, class_problems)
    return ClassReport(lesson, results, cells, grades_csv, problems_md, time.perf_counter() - start, summary_md,
                       class_problems)


def _work_dir() -> Path:
    """``grading/work/``: where an LMS zip is unpacked while grading (git-ignored, emptied afterwards)."""
    path = grading_dir() / "work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _merge_previous(reports: Path, lesson: str, results: list[StudentResult]) -> list[StudentResult]:
    """Everyone graded or reported before for this lesson stays in the sheet; fresh results replace their rows."""
    fresh = {r.student for r in results}
    merged = list(results)
    others = [s for s in graded_students(lesson) if s not in fresh]
    previous_problems: dict[str, str] = {}
    sheet = reports / f"{lesson}-grades.csv"
    if sheet.exists():
        with open(sheet, newline="") as handle:
            for row in csv.DictReader(handle):
                previous_problems[row["student"]] = row.get("problems", "")
    for student in others:
        problems = [p for p in previous_problems.get(student, "").split(" | ") if p]
        merged.append(StudentResult(student=student, scores=student_scores(lesson, student), problems=problems))
    known = fresh | set(others)
    for student, problems in previous_problems.items():  # reported but never graded (e.g. not a notebook)
        if student not in known:
            merged.append(StudentResult(student=student, problems=[p for p in problems.split(" | ") if p]))
    return merged


def format_report(report: ClassReport) -> str:
    """The grade table printed after grading, with where the files are."""
    auto = [(gid, pts) for gid, pts, is_auto in report.cells]
    width = max([len(r.student) for r in report.results] + [7])
    head = f"{'student':{width}s}  {'score':>9s}  " + "  ".join(gid for gid, _ in auto)
    lines = [head, "-" * len(head)]
    for r in sorted(report.results, key=lambda r: r.student):
        if not r.graded:
            lines.append(f"{r.student:{width}s}  {'not graded':>9s}  " + "; ".join(r.problems))
            continue
        s = r.scores or {}
        total = f"{s['_auto_total']:g}/{s['_max']:g}"
        cols = "  ".join(f"{('-' if s.get(gid) is None else format(s[gid], 'g')):>{len(gid)}s}" for gid, _ in auto)
        flag = ("  ! " + "; ".join(r.problems)) if r.problems else ""
        lines.append(f"{r.student:{width}s}  {total:>9s}  {cols}{flag}")
    per_min = 60 * len(report.results) / report.seconds if report.seconds else 0.0
    lines += ["", f"graded {sum(r.graded for r in report.results)}/{len(report.results)} submissions "
              f"in {report.seconds:.0f} s ({per_min:.1f} students/minute)",
              f"grade sheet: {report.grades_csv}", f"problems:    {report.problems_md}",
              f"summary:     {report.summary_md} (+ .png)",
              f"feedback:    {grading_dir() / 'feedback'}/<student>/{report.lesson}/{report.lesson}.html"]
    return "\n".join(lines)
