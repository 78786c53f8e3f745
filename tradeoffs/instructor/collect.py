"""Find submissions to grade and copy them into nbgrader's ``grading/submitted/`` layout.

Layouts accepted by ``--from PATH``:
  * class folder: ``PATH/<student>/<lesson>/<lesson>.ipynb`` (nbgrader's own layout)
  * flat folder:  ``PATH/<student>.ipynb``
  * LMS export zip: Canvas names ``<name>_[LATE_]<id>_<submission>_<file>.ipynb`` or
    timestamped names ``<id>_<YYYY-MM-DD[T ]HH[-:]MM[-:]SS>_<file>.ipynb`` (Moodle-style exports);
    timestamps are parsed here, to the second (dateutil drops minutes of dash-separated times).
Problems found on the way (no notebook, a renamed notebook, unreadable JSON) are recorded
on the submission, in plain words, and never stop the rest of the class.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat

STUDENT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class Submission:
    """One student's notebook for one lesson, plus anything worth telling the instructor."""

    student: str
    notebook: Path | None
    folder: Path | None = None
    timestamp: datetime | None = None
    problems: list[str] = field(default_factory=list)
    gradable: bool = True

    def problem(self, text: str, fatal: bool = False) -> None:
        self.problems.append(text)
        if fatal:
            self.gradable = False


def clean_student_id(raw: str) -> str:
    """A student id safe for folder names and the gradebook (letters, digits, ``_ . -``)."""
    cleaned = STUDENT_ID.sub("_", raw.strip()).strip("._")
    return cleaned or "unknown"


def check_notebook(sub: Submission) -> None:
    """Mark a submission ungradable when its notebook is empty or not a readable notebook."""
    if sub.notebook is None:
        return
    if sub.notebook.stat().st_size == 0:
        sub.problem("the notebook file is empty (0 bytes): nothing to grade", fatal=True)
        return
    try:
        nbformat.read(sub.notebook, as_version=4)
    except Exception as exc:  # nbformat raises several types for broken files
        sub.problem(f"the notebook is not valid notebook JSON ({type(exc).__name__}): "
                    "it could not be opened, so nothing was graded", fatal=True)


def _pick_notebook(folder: Path, lesson: str, sub: Submission) -> Path | None:
    expected = folder / f"{lesson}.ipynb"
    if expected.exists():
        return expected
    candidates = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if len(candidates) == 1:
        sub.problem(f"notebook was renamed to {candidates[0].name!r}; graded it as {lesson}.ipynb")
        return candidates[0]
    if not candidates:
        sub.problem(f"no notebook found (expected {lesson}.ipynb)", fatal=True)
    else:
        names = ", ".join(p.name for p in candidates)
        sub.problem(f"several notebooks ({names}) and none named {lesson}.ipynb: nothing graded", fatal=True)
    return None


TIMESTAMPED = re.compile(
    r"^(?P<id>[^_]+)_(?P<ts>\d{4}-\d{2}-\d{2}[T _-]\d{2}[-:]\d{2}[-:]\d{2})_(?P<file>.+)$")
CANVAS = re.compile(r"^(?P<name>[a-z]+)_(?P<late>LATE_)?(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
_UNPACKED: list[tempfile.TemporaryDirectory] = []  # kept alive until the process ends


def parse_timestamp(text: str) -> datetime:
    """``2026-11-28-14-05-09``, ``2026-11-28T14:05:09`` or ``2026-11-28 14-05-09`` -> exact datetime."""
    digits = re.findall(r"\d+", text)
    if len(digits) != 6:
        raise ValueError(f"cannot read the timestamp {text!r}; expected YYYY-MM-DD-HH-MM-SS")
    return datetime(*map(int, digits))


def unpack_lms_zip(archive: Path, lesson: str) -> list[Submission]:
    """Submissions from an LMS export zip; the newest file per student wins when several were sent."""
    tmp = tempfile.TemporaryDirectory(prefix="lms-")
    _UNPACKED.append(tmp)
    out: dict[str, Submission] = {}
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise ValueError(f"{archive} is not a readable zip file; export the submissions again from the LMS.")
    with zf:
        for info in zf.infolist():
            base = Path(info.filename).name
            if info.is_dir() or not base.endswith(".ipynb") or base.startswith("."):
                continue
            m_ts, m_canvas = TIMESTAMPED.match(base), CANVAS.match(base)
            sub = Submission(student="unknown", notebook=None)
            if m_ts:
                sub.student = clean_student_id(m_ts["id"])
                sub.timestamp = parse_timestamp(m_ts["ts"])
            elif m_canvas:
                sub.student = clean_student_id(m_canvas["id"])
                sub.timestamp = datetime(*info.date_time)
                if m_canvas["late"]:
                    sub.problem("the LMS marked this submission late")
            else:
                sub.student = clean_student_id(Path(base).stem)
                sub.timestamp = datetime(*info.date_time)
                sub.problem(f"file name {base!r} has no student id pattern; used the file name as the id")
            target = Path(tmp.name) / sub.student / f"{len(out)}-{base}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            sub.notebook = target
            expected = f"{lesson}.ipynb"
            original = (m_ts or m_canvas)["file"] if (m_ts or m_canvas) else base
            if original != expected:
                sub.problem(f"notebook was renamed to {original!r}; graded it as {expected}")
            check_notebook(sub)
            previous = out.get(sub.student)
            if previous is None or (sub.timestamp or datetime.min) >= (previous.timestamp or datetime.min):
                if previous is not None:
                    sub.problem(f"several submissions; graded the newest ({sub.timestamp:%Y-%m-%d %H:%M:%S})")
                out[sub.student] = sub
    return list(out.values())


def flag_late(subs: list[Submission], due: datetime | None) -> None:
    """Add a 'late' problem to every submission whose timestamp is after ``due``."""
    if due is None:
        return
    for sub in subs:
        if sub.timestamp is not None and sub.timestamp > due:
            late = sub.timestamp - due
            hours = late.total_seconds() / 3600
            sub.problem(f"late: submitted {sub.timestamp:%Y-%m-%d %H:%M:%S}, {hours:.1f} h after the due date")


def find_submissions(source: Path, lesson: str) -> list[Submission]:
    """Discover every submission for ``lesson`` under ``source`` (class folder or flat folder)."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist. Pass --from a class folder "
                                "(PATH/<student>/<lesson>/<lesson>.ipynb) or a flat folder of <student>.ipynb files.")
    subs: list[Submission] = []
    if source.is_file() and source.suffix == ".zip":
        subs = unpack_lms_zip(source, lesson)
    elif source.is_dir():
        flat = sorted(p for p in source.glob("*.ipynb") if p.is_file())
        for nb in flat:
            sub = Submission(student=clean_student_id(nb.stem), notebook=nb)
            check_notebook(sub)
            subs.append(sub)
        for student_dir in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")):
            folder = student_dir / lesson if (student_dir / lesson).is_dir() else student_dir
            sub = Submission(student=clean_student_id(student_dir.name), notebook=None, folder=folder)
            if folder is student_dir:
                sub.problem(f"no {lesson}/ folder; looked for the notebook directly in {student_dir.name}/")
            sub.notebook = _pick_notebook(folder, lesson, sub)
            check_notebook(sub)
            subs.append(sub)
    else:
        raise ValueError(f"{source} is a file but not a .zip; pass a folder or an LMS export zip.")
    seen: dict[str, int] = {}
    for sub in subs:
        if sub.student in seen:
            seen[sub.student] += 1
            sub.problem(f"duplicate student id; graded as {sub.student}-{seen[sub.student]}")
            sub.student = f"{sub.student}-{seen[sub.student]}"
        else:
            seen[sub.student] = 1
    return subs


def stage(sub: Submission, lesson: str, submitted_root: Path) -> Path:
    """Copy one submission into ``submitted/<student>/<lesson>/<lesson>.ipynb`` (replacing an older copy)."""
    dest = submitted_root / sub.student / lesson
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if sub.folder is not None:
        extras = [p for p in sub.folder.iterdir() if p.is_file() and p != sub.notebook and p.suffix != ".ipynb"]
        for extra in extras:
            shutil.copy2(extra, dest / extra.name)
    assert sub.notebook is not None
    shutil.copy2(sub.notebook, dest / f"{lesson}.ipynb")
    if sub.timestamp is not None:
        (dest / "timestamp.txt").write_text(sub.timestamp.isoformat())
    return dest
