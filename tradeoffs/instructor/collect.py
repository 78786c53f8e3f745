"""Find submissions to grade and copy them into nbgrader's ``grading/submitted/`` layout.

Layouts accepted by ``--from PATH``:
  * class folder: ``PATH/<student>/<lesson>/<lesson>.ipynb`` (nbgrader's own layout), or the
    notebook directly in ``PATH/<student>/``;
  * flat folder:  ``PATH/<student>.ipynb``;
  * LMS export zip (Moodle, Canvas or timestamped names: see :mod:`lms_zip`).
Problems found on the way (no notebook, a renamed notebook, unreadable JSON, symbolic links,
hidden or extra files, clashing ids) are recorded on the submission, or for the class, in plain
words, and never stop the rest of the class. Nothing is ever read through a symbolic link, and only
the notebook itself is staged for grading: extra files are named, never copied.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat

from . import lms_zip
from .lms_zip import MAX_NOTEBOOK_BYTES, names_list, parse_timestamp  # noqa: F401  (parse_timestamp: public here too)

STUDENT_ID = re.compile(r"[^A-Za-z0-9_.-]+")
EXTRAS_NOTE = "(not graded, and not available to the notebook while it ran)"


@dataclass
class Submission:
    """One student's notebook for one lesson, plus anything worth telling the instructor."""

    student: str
    notebook: Path | None
    folder: Path | None = None
    timestamp: datetime | None = None
    problems: list[str] = field(default_factory=list)
    gradable: bool = True
    source_name: str = ""  # the folder, file or LMS id the student id was read from
    keep: Any = field(default=None, repr=False, compare=False)  # keeps an unpacked zip alive

    def problem(self, text: str, fatal: bool = False) -> None:
        self.problems.append(text)
        if fatal:
            self.gradable = False


@dataclass
class Collection:
    """Every submission found, problems that belong to no one student, and the unpacked zip (if any)."""

    submissions: list[Submission]
    problems: list[str] = field(default_factory=list)
    unpacked: tempfile.TemporaryDirectory | None = None

    def close(self) -> None:
        """Remove the unpacked zip folder (the submissions' notebooks in it are gone afterwards)."""
        if self.unpacked is not None:
            self.unpacked.cleanup()
            self.unpacked = None

    def __enter__(self) -> "Collection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def clean_student_id(raw: str) -> str:
    """A student id safe for folder names and the gradebook (letters, digits, ``_ . -``)."""
    cleaned = STUDENT_ID.sub("_", raw.strip()).strip("._-")
    return cleaned or "unknown"


def _link_text(path: Path) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return f"{path.name} -> {target[:120]!r}" if not target.isprintable() else f"{path.name} -> {target[:120]}"


def _kind(path: Path) -> str:
    """'link', 'dir', 'file' or 'other' (fifo, socket, device), never following a link."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "other"
    if stat.S_ISLNK(mode):
        return "link"
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def check_notebook(sub: Submission) -> None:
    """Mark a submission ungradable when its notebook is too large, empty or not a readable notebook."""
    if sub.notebook is None:
        return
    if _kind(sub.notebook) != "file":
        sub.problem(f"{sub.notebook.name} is not a regular file: nothing to grade", fatal=True)
        return
    size = sub.notebook.lstat().st_size
    if size == 0:
        sub.problem("the notebook file is empty (0 bytes): nothing to grade", fatal=True)
        return
    if size > MAX_NOTEBOOK_BYTES:
        sub.problem(f"the notebook is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit for "
                    "one submission: not graded (clear its outputs and submit it again)", fatal=True)
        return
    try:
        nbformat.read(sub.notebook, as_version=4)
    except Exception as exc:  # nbformat raises several types for broken files
        sub.problem(f"the notebook is not valid notebook JSON ({type(exc).__name__}): "
                    "it could not be opened, so nothing was graded", fatal=True)


def choose_notebook(names: list[str], lesson: str) -> tuple[str | None, str | None]:
    """The notebook to grade among ``names`` (``lesson.ipynb``, else the only one) and a problem to report."""
    expected = f"{lesson}.ipynb"
    if expected in names:
        return expected, None
    if len(names) == 1:
        return names[0], f"notebook was renamed to {names[0]!r}; graded it as {expected}"
    if not names:
        return None, f"no notebook found (expected {expected})"
    return None, f"several notebooks ({', '.join(sorted(names))}) and none named {expected}: nothing graded"


def _report_folder(sub: Submission, links: list[str], hidden: list[str], extras: list[str]) -> None:
    if links:
        sub.problem("symbolic links refused (never followed): " + names_list(links))
    if hidden:
        sub.problem("hidden files not graded: " + names_list(hidden))
    if extras:
        sub.problem(f"extra files ignored: {names_list(extras)} {EXTRAS_NOTE}")


def _student_folder(student_dir: Path, lesson: str) -> Submission:
    """The submission in ``student_dir/lesson/`` (or directly in ``student_dir/``)."""
    sub = Submission(student=clean_student_id(student_dir.name), notebook=None, source_name=student_dir.name)
    lesson_dir = student_dir / lesson
    kind = _kind(lesson_dir)
    if kind == "link":
        sub.problem(f"the {lesson}/ folder is a symbolic link ({_link_text(lesson_dir)}); refused (links are never "
                    "followed): nothing graded", fatal=True)
        return sub
    folder = lesson_dir if kind == "dir" else student_dir
    if folder is student_dir:
        sub.problem(f"no {lesson}/ folder; looked for the notebook directly in {student_dir.name}/")
    sub.folder = folder
    links, hidden, notebooks, others = [], [], [], []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        kind = _kind(entry)
        if entry.name.startswith("."):
            hidden.append(entry.name + ("/" if kind == "dir" else ""))
        elif kind == "link":
            links.append(_link_text(entry))
        elif kind == "file" and entry.name.endswith(".ipynb"):
            notebooks.append(entry.name)
        else:
            others.append(entry.name + ("/" if kind == "dir" else ""))
    expected = f"{lesson}.ipynb"
    if _kind(folder / expected) == "link":
        sub.problem(f"{expected} is a symbolic link ({_link_text(folder / expected)}); refused (links are never "
                    "followed): nothing graded", fatal=True)
        links = [t for t in links if not t.startswith(expected + " ->")]
    else:
        chosen, note = choose_notebook(notebooks, lesson)
        if note:
            sub.problem(note, fatal=chosen is None)
        if chosen is not None:
            sub.notebook = folder / chosen
            others += [n for n in notebooks if n != chosen]
    _report_folder(sub, links, hidden, others)
    check_notebook(sub)
    return sub


def _scan_folder(source: Path, lesson: str) -> Collection:
    """A class folder or a flat folder of notebooks (both may be mixed)."""
    subs: list[Submission] = []
    links, hidden, others = [], [], []
    for entry in sorted(source.iterdir(), key=lambda p: p.name):
        kind = _kind(entry)
        if entry.name.startswith("."):
            hidden.append(entry.name + ("/" if kind == "dir" else ""))
        elif kind == "link" and entry.name.endswith(".ipynb"):
            stem = entry.name[:-len(".ipynb")]
            sub = Submission(student=clean_student_id(stem), notebook=None, source_name=stem)
            sub.problem(f"{entry.name} is a symbolic link ({_link_text(entry)}); refused (links are never "
                        "followed): nothing graded", fatal=True)
            subs.append(sub)
        elif kind == "link":
            links.append(_link_text(entry))
        elif kind == "file" and entry.name.endswith(".ipynb"):
            stem = entry.name[:-len(".ipynb")]
            sub = Submission(student=clean_student_id(stem), notebook=entry, source_name=stem)
            check_notebook(sub)
            subs.append(sub)
        elif kind == "dir":
            try:
                subs.append(_student_folder(entry, lesson))
            except OSError as exc:  # unreadable folder: report it, grade the others
                sub = Submission(student=clean_student_id(entry.name), notebook=None, source_name=entry.name)
                sub.problem(f"the folder {entry.name}/ could not be read ({exc.strerror or exc}): nothing graded",
                            fatal=True)
                subs.append(sub)
        else:
            others.append(entry.name)
    problems = []
    if links:
        problems.append("symbolic links in the class folder were refused (never followed): " + names_list(links))
    if hidden:
        problems.append("hidden entries in the class folder were not graded: " + names_list(hidden))
    if others:
        problems.append("files in the class folder that are neither a notebook nor a student folder were "
                        "ignored: " + names_list(others))
    return Collection(subs, problems)


def _from_zip(archive: Path, lesson: str, workdir: Path | None) -> Collection:
    """Submissions from an LMS export zip; the newest notebook per student wins when several were sent."""
    tmp = tempfile.TemporaryDirectory(prefix="lms-", dir=workdir)
    try:
        members, problems = lms_zip.read_zip(archive, Path(tmp.name))
    except BaseException:
        tmp.cleanup()
        raise
    out: dict[str, Submission] = {}
    extras: dict[str, list[str]] = {}
    refused: dict[str, list[str]] = {}
    loose: list[str] = []
    moodle: dict[str, list[lms_zip.Member]] = {}
    for m in members:
        raw = m.student if m.student is not None else (m.file[:-len(".ipynb")] if m.is_notebook else None)
        if raw is None:
            loose.append(m.name + (f" ({m.refused})" if m.refused else ""))
            continue
        if m.refused:
            refused.setdefault(raw, []).append(f"{m.name}: {m.refused}")
        elif m.layout == "moodle":
            moodle.setdefault(raw, []).append(m)
        elif not m.is_notebook:
            extras.setdefault(raw, []).append(m.file)
        else:
            sub = Submission(student=clean_student_id(raw), notebook=m.path, timestamp=m.timestamp, source_name=raw)
            if m.layout == "plain":
                sub.problem(f"file name {m.file!r} has no student id pattern; used the file name as the id")
            if m.late:
                sub.problem("the LMS marked this submission late")
            if m.file != f"{lesson}.ipynb":
                sub.problem(f"notebook was renamed to {m.file!r}; graded it as {lesson}.ipynb")
            check_notebook(sub)
            previous = out.get(raw)
            if previous is None or (sub.timestamp or datetime.min) >= (previous.timestamp or datetime.min):
                if previous is not None:
                    sub.problem(f"several submissions; graded the newest ({sub.timestamp:%Y-%m-%d %H:%M:%S})")
                out[raw] = sub
    for raw, files in moodle.items():
        notebooks = {m.file: m for m in files if m.is_notebook}
        chosen, note = choose_notebook(list(notebooks), lesson)
        pick = notebooks.get(chosen) if chosen else None
        sub = Submission(student=clean_student_id(raw), notebook=pick.path if pick else None,
                         timestamp=pick.timestamp if pick else None, source_name=raw)
        if note:
            sub.problem(note, fatal=pick is None)
        extras.setdefault(raw, []).extend(m.file for m in files if m is not pick)
        check_notebook(sub)
        out[raw] = sub
    for raw in list(extras) + list(refused):
        if raw not in out:
            sub = Submission(student=clean_student_id(raw), notebook=None, source_name=raw)
            if raw not in refused:
                sub.problem(f"no notebook found (expected {lesson}.ipynb)", fatal=True)
            out[raw] = sub
    for raw, sub in out.items():
        for text in refused.get(raw, []):
            sub.problem(f"refused {text}", fatal=sub.notebook is None)
        if extras.get(raw):
            sub.problem(f"extra files ignored: {names_list(sorted(set(extras[raw])))} {EXTRAS_NOTE}")
    if loose:
        problems.append("files in the zip with no student id in their name were ignored: " + names_list(loose))
    subs = list(out.values())
    for sub in subs:
        sub.keep = tmp
    return Collection(subs, problems, tmp)


def make_ids_unique(subs: list[Submission]) -> None:
    """Rename clashing ids ``id-2``, ``id-3``... never to an id (cleaned or raw) that any submission has."""
    reserved = {s.student for s in subs} | {s.source_name for s in subs if s.source_name}
    groups: dict[str, list[Submission]] = {}
    for sub in subs:
        groups.setdefault(sub.student, []).append(sub)
    for student, group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda s: (s.source_name != student, s.source_name))  # an exact name keeps the id
        sources = ", ".join(repr(s.source_name) for s in group)
        n = 2
        for sub in group[1:]:
            while f"{student}-{n}" in reserved:
                n += 1
            sub.student = f"{student}-{n}"
            reserved.add(sub.student)
            sub.problem(f"duplicate student id: {sources} all read as {student!r}; this one (from "
                        f"{sub.source_name!r}) was graded as {sub.student}")


def flag_late(subs: list[Submission], due: datetime | None) -> None:
    """Add a 'late' problem to every submission whose timestamp is after ``due``."""
    if due is None:
        return
    for sub in subs:
        if sub.timestamp is not None and sub.timestamp > due:
            late = sub.timestamp - due
            hours = late.total_seconds() / 3600
            sub.problem(f"late: submitted {sub.timestamp:%Y-%m-%d %H:%M:%S}, {hours:.1f} h after the due date")


def collect_class(source: Path, lesson: str, workdir: Path | None = None) -> Collection:
    """Every submission for ``lesson`` under ``source`` (class folder, flat folder or LMS zip).

    A zip is unpacked in a temporary folder under ``workdir`` (default: the system's), removed by
    :meth:`Collection.close`.
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist. Pass --from a class folder "
                                "(PATH/<student>/<lesson>/<lesson>.ipynb) or a flat folder of <student>.ipynb files.")
    if source.is_file() and source.suffix == ".zip":
        found = _from_zip(source, lesson, workdir)
    elif source.is_dir():
        found = _scan_folder(source, lesson)
    else:
        raise ValueError(f"{source} is a file but not a .zip; pass a folder or an LMS export zip.")
    make_ids_unique(found.submissions)
    return found


def find_submissions(source: Path, lesson: str) -> list[Submission]:
    """The submissions of :func:`collect_class` (an unpacked zip lives as long as they do)."""
    return collect_class(source, lesson).submissions


def _copy_no_follow(src: Path, dest: Path) -> None:
    """Copy a regular file, refusing (OSError) if it is a symbolic link by now."""
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as inp, open(dest, "wb") as out:
        shutil.copyfileobj(inp, out, 2**20)


def stage(sub: Submission, lesson: str, submitted_root: Path) -> Path:
    """Copy one submission's notebook (only it) into ``submitted/<student>/<lesson>/<lesson>.ipynb``."""
    dest = submitted_root / sub.student / lesson
    if dest.is_symlink():
        dest.unlink()
    elif dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    assert sub.notebook is not None
    _copy_no_follow(sub.notebook, dest / f"{lesson}.ipynb")
    if sub.timestamp is not None:
        (dest / "timestamp.txt").write_text(sub.timestamp.isoformat())
    return dest
