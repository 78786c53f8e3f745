"""``tradeoffs new-lesson``: a scaffolded lesson keeps the lesson contract from its first commit.

The lesson is scaffolded in a temporary copy of the course (``TRADEOFFS_ROOT`` points the package at
it, and the copy's own ``tradeoffs`` comes first on ``PYTHONPATH``), so the checkout is never touched.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tradeoffs.cli import main
from tradeoffs.instructor.scaffold import ScaffoldError, check_name, new_lesson

REPO = Path(__file__).resolve().parents[1]
LESSON = "11-scaffold-check"
# What the copy needs: the package, every lesson, its release, the grading config and mutants, the data,
# the docs the lessons point to, and the two contract test files (with conftest) to run there.
COPIED = ["tradeoffs", "solutions", "notebooks", "grading", "data", "docs", "pyproject.toml",
          "tests/conftest.py", "tests/test_lesson_contract.py", "tests/test_sources.py", "tests/test_lesson_config.py",
          "tests/test_checkpoints.py"]
# Git-ignored state that must not travel: nbgrader's class folders and gradebook, caches.
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "cache", "gradebook.db",
                                 "submitted", "autograded", "feedback", "reports", "imports", "work", "logs",
                                 "reference", "nbgrader.log")


def copy_course(target: Path) -> Path:
    for name in COPIED:
        src, dst = REPO / name, target / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=SKIPPED)
        else:
            shutil.copy2(src, dst)
    return target


def copy_env(root: Path, **extra: str) -> dict[str, str]:
    """The copy's package first on the path, the copy as the course root, its own grading state."""
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(root), "TRADEOFFS_ROOT": str(root), "TRADEOFFS_GRADING_DIR": str(root / "grading"),
                "TRADEOFFS_SCALE": "ci", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"})
    env.update(extra)
    return env


def run_in(root: Path, args: list[str], timeout: int, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=root, env=copy_env(root, **extra), capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    """A copy of the course in which ``tradeoffs new-lesson 11-scaffold-check`` has run."""
    root = copy_course(tmp_path_factory.mktemp("course"))
    made = run_in(root, ["-m", "tradeoffs.cli", "new-lesson", LESSON], timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"released {root / 'notebooks' / LESSON}" in made.stdout, made.stdout
    return root


def test_scaffold_writes_the_lesson_and_its_release(scaffolded):
    root = scaffolded
    for rel in (f"solutions/{LESSON}/{LESSON}.py", f"solutions/{LESSON}/{LESSON}.ipynb",
                f"solutions/{LESSON}/lesson.toml", f"grading/mutants/{LESSON}.toml"):
        assert (root / rel).is_file(), f"{rel} was not written"
    released = sorted(p.name for p in (root / "notebooks" / LESSON).rglob("*") if p.is_file())
    assert released == [f"{LESSON}.ipynb"], f"the release must hold only the notebook, got {released}"
    for lesson in sorted(p.name for p in (REPO / "notebooks").iterdir() if p.is_dir()):  # other lessons untouched
        assert (root / "notebooks" / lesson / f"{lesson}.ipynb").read_bytes() == \
            (REPO / "notebooks" / lesson / f"{lesson}.ipynb").read_bytes()
    assert not (REPO / "solutions" / LESSON).exists(), "the scaffold test wrote into the checkout"


def test_scaffolded_lesson_keeps_the_static_contract(scaffolded):
    """The contract's and the sources' tests, run in the copy on the new lesson only."""
    checked = run_in(scaffolded, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
                                  "tests/test_lesson_contract.py", "tests/test_sources.py",
                                  "tests/test_lesson_config.py", "tests/test_checkpoints.py", "-k", LESSON],
                     timeout=300)
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-2000:]
    summary = checked.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    assert int(summary.split(" passed")[0].split()[-1]) >= 12, f"too few contract tests ran: {summary}"


@pytest.mark.slow
def test_scaffolded_lesson_grades(scaffolded):
    """Perfect full, blank zero, the wrong mutant caught, the alternative full (nbgrader + replay, `ci`).

    Without the kernel sandbox: the venv's editable install maps ``tradeoffs`` to the checkout, which a
    sandboxed kernel of the copy cannot see (the sandbox mounts only the copy's package). The sandbox
    itself is tested on the real lessons (tests/test_sandbox.py, test_hostile_class.py).
    """
    script = ("import sys\nfrom tradeoffs.instructor.contract import check_lesson\n"
              f"result = check_lesson({LESSON!r}, full=False, repeats=1)\n"
              "print('\\n'.join(['ok   ' + l for l in result.lines] + ['FAIL ' + l for l in result.failures]))\n"
              "sys.exit(0 if result.ok else 1)\n")
    started = time.monotonic()
    graded = run_in(scaffolded, ["-c", script], timeout=600, TRADEOFFS_SANDBOX="off")
    print(f"check_lesson({LESSON!r}) in the copy: {time.monotonic() - started:.0f} s\n{graded.stdout}")
    assert graded.returncode == 0, graded.stdout[-4000:] + graded.stderr[-4000:]
    out = graded.stdout
    assert "ok   perfect" in out and "ok   blank: 0/" in out, out
    assert "accepts_zero_predictions" in out and "hours_first (alternative)" in out, out


# --- refusals (no notebook is built) ------------------------------------------------------------
@pytest.fixture
def tiny_course(tmp_path, monkeypatch) -> Path:
    """A course root holding one lesson, 03-tuning, with its release and mutants."""
    for rel in ("solutions/03-tuning/03-tuning.py", "notebooks/03-tuning/03-tuning.ipynb",
                "grading/mutants/03-tuning.toml", "grading/mutants/05-orphan.toml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    monkeypatch.setenv("TRADEOFFS_ROOT", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("name, message", [
    ("03-tuning", "lesson 03-tuning already exists"),
    ("05-orphan", "lesson 05-orphan already exists"),
    ("03-other", "lesson number 03 is taken by 03-tuning"),
    ("3-tuning", "is not a lesson name"),
    ("10-Upper", "is not a lesson name"),
    ("10-", "is not a lesson name"),
    ("10-two--hyphens", "is not a lesson name"),
    ("10_underscore", "is not a lesson name"),
])
def test_new_lesson_refuses(tiny_course, capsys, name, message):
    with pytest.raises(ScaffoldError, match=message):
        check_name(name)
    assert main(["new-lesson", name]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tradeoffs new-lesson: ") and message in err, err
    assert sorted(p.name for p in (tiny_course / "solutions").iterdir()) == ["03-tuning"], "a refusal wrote files"


def test_a_failed_build_leaves_nothing_behind(tiny_course, monkeypatch):
    import tradeoffs.instructor.release as release

    def broken(lessons):
        raise RuntimeError("nbgrader failed")

    monkeypatch.setattr(release, "release", broken)
    with pytest.raises(RuntimeError, match="nbgrader failed"):
        new_lesson("11-fresh")
    assert not (tiny_course / "solutions" / "11-fresh").exists()
    assert not (tiny_course / "grading" / "mutants" / "11-fresh.toml").exists()
    made = new_lesson("11-fresh", build=False)  # nothing left over: it can simply be rerun
    assert [p.name for p in made.written] == ["11-fresh.py", "lesson.toml", "11-fresh.toml"]
