"""Read an LMS export zip safely: who sent which file, with only the notebooks unpacked.

Names understood (a wrapping top folder is allowed):
  * Moodle: ``<Full Name>_<id>_assignsubmission_<plugin>_/<file>`` (one folder per student) or
    ``<Full Name>_<id>_assignsubmission_<plugin>_<file>``; the student id is ``<id>``;
  * Canvas: ``<name>_[LATE_]<id>_<submission>_<file>`` (``<name>`` may hold any letters but ``_``);
  * timestamped: ``<id>_<YYYY-MM-DD[T _-]HH[-:]MM[-:]SS>_<file>`` (read here to the second).
Every member's size is checked before anything is unpacked: a notebook over :data:`MAX_NOTEBOOK_BYTES`
is refused, unpacking stops once :data:`MAX_TOTAL_BYTES` have been written, and each notebook is read
in chunks with the cap enforced (a member's header is not trusted). Members with unsafe paths
(absolute, ``..``) or stored as symbolic links are refused and named; other files are only named.
"""
from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

MAX_NOTEBOOK_BYTES = 100 * 2**20  # refused outright; a smaller notebook with big saved outputs has them cleared
MAX_TOTAL_BYTES = 2 * 2**30
MAX_MEMBERS = 20_000
_CHUNK = 2**20

MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$")
TIMESTAMPED = re.compile(
    r"^(?P<id>[^_]+)_(?P<ts>\d{4}-\d{2}-\d{2}[T _-]\d{2}[-:]\d{2}[-:]\d{2})_(?P<file>.+)$")
CANVAS = re.compile(r"^(?P<name>[^_]+)_(?:(?P<late>late)_)?(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.IGNORECASE)


@dataclass
class Member:
    """One file of the export: whose it is, under which name they sent it, and where it was unpacked."""

    name: str                      # the member's name in the zip
    student: str | None            # raw student id read from the name (None: no pattern matched)
    file: str                      # the file as the student named it
    layout: str                    # "moodle", "canvas", "timestamped" or "plain"
    timestamp: datetime
    late: bool = False
    path: Path | None = None       # where the notebook was unpacked (None for other files and refusals)
    refused: str | None = None     # why it was not unpacked

    @property
    def is_notebook(self) -> bool:
        return self.file.endswith(".ipynb")


def parse_timestamp(text: str) -> datetime:
    """``2026-11-28-14-05-09``, ``2026-11-28T14:05:09`` or ``2026-11-28 14-05-09`` -> exact datetime."""
    digits = re.findall(r"\d+", text)
    if len(digits) != 6:
        raise ValueError(f"cannot read the timestamp {text!r}; expected YYYY-MM-DD-HH-MM-SS")
    return datetime(*map(int, digits))


def unsafe_name(name: str) -> bool:
    """True for member names that point outside the folder they would be unpacked in."""
    posix = name.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    return posix.startswith("/") or ".." in parts or bool(re.match(r"^[A-Za-z]:", posix)) or "\x00" in name


def is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def hidden(name: str) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in PurePosixPath(name.replace("\\", "/")).parts)


def parse_member(info: zipfile.ZipInfo) -> Member:
    """Who sent this member and under which file name, from the LMS naming pattern."""
    parts = PurePosixPath(info.filename.replace("\\", "/")).parts
    when = datetime(*info.date_time)
    for depth, part in enumerate(parts):
        m = MOODLE.match(part)
        if m:
            inner = "/".join(parts[depth + 1:]) if depth + 1 < len(parts) else m["file"]
            return Member(info.filename, m["id"], inner, "moodle", when)
    base = parts[-1] if parts else info.filename
    m = TIMESTAMPED.match(base)
    if m:
        try:
            return Member(info.filename, m["id"], m["file"], "timestamped", parse_timestamp(m["ts"]))
        except ValueError:  # a date that does not exist (month 13): treat the name as plain
            pass
    m = CANVAS.match(base)
    if m:
        return Member(info.filename, m["id"], m["file"], "canvas", when, late=bool(m["late"]))
    return Member(info.filename, None, base, "plain", when)


class _TooLarge(Exception):
    pass


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, limit: int) -> int:
    """Copy one member to ``dest`` in chunks, stopping past ``limit`` bytes whatever its header says."""
    written = 0
    with zf.open(info) as src, open(dest, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                raise _TooLarge(written)
            out.write(chunk)
    return written


def read_zip(archive: Path, into: Path) -> tuple[list[Member], list[str]]:
    """Members of ``archive`` (notebooks unpacked under ``into``) and class-level problems."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{archive} is not a readable zip file ({exc}); export the submissions again from the LMS.")
    members: list[Member] = []
    problems: list[str] = []
    unsafe, skipped_hidden = [], []
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ValueError(f"{archive} holds {len(infos)} files, more than the {MAX_MEMBERS} one class export "
                             "may hold; export one assignment at a time.")
        notebooks_total = sum(i.file_size for i in infos if i.filename.endswith(".ipynb") and not i.is_dir())
        written_total = 0
        for number, info in enumerate(infos):
            name = info.filename
            if info.is_dir():
                continue
            if unsafe_name(name):
                unsafe.append(name)
                continue
            if hidden(name):
                skipped_hidden.append(name)
                continue
            member = parse_member(info)
            members.append(member)
            if is_link(info):
                member.refused = "it is stored as a symbolic link; refused (links are never followed)"
                continue
            if not member.is_notebook:
                continue
            if info.file_size > MAX_NOTEBOOK_BYTES:
                member.refused = (f"it is {info.file_size / 2**20:.0f} MB uncompressed, over the "
                                  f"{MAX_NOTEBOOK_BYTES // 2**20} MB limit for one notebook; not unpacked")
                continue
            if written_total + info.file_size > MAX_TOTAL_BYTES:
                member.refused = (f"not unpacked: the notebooks in the zip add up to {notebooks_total / 2**30:.1f} GB "
                                  f"uncompressed, over the {MAX_TOTAL_BYTES // 2**30} GB limit for one class "
                                  "(unpacking stopped here; export the class in parts)")
                continue
            dest = into / f"{number}.ipynb"
            try:
                written_total += _extract(zf, info, dest, min(MAX_NOTEBOOK_BYTES, MAX_TOTAL_BYTES - written_total))
                member.path = dest
            except _TooLarge:
                dest.unlink(missing_ok=True)
                member.refused = (f"it unpacks to more than {MAX_NOTEBOOK_BYTES // 2**20} MB (more than its "
                                  "header says); not unpacked")
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError) as exc:
                dest.unlink(missing_ok=True)
                member.refused = f"it could not be unpacked ({type(exc).__name__}: {exc}); export it again"
    if unsafe:
        problems.append("zip members with unsafe paths (absolute or with '..') were refused: " + names_list(unsafe))
    if skipped_hidden:
        problems.append("hidden files in the zip were not graded: " + names_list(skipped_hidden))
    return members, problems


def names_list(names: list[str], most: int = 10) -> str:
    """``a, b, c and 4 more``; odd names are quoted."""
    shown = ", ".join(repr(n) if not n.isprintable() else n for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
