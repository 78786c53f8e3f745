"""A hostile class, graded in one command: every attack on the grader fails, honest students keep full marks.

Each attacker submits the blank release plus one cell of attack code. The attacker knows every real
path on the grading machine (the test writes them into the attack), which is the strongest case.
Reading attacks print ``ESCAPED`` when they succeed; tampering and persistence attacks are judged by
the state of the disk and the process table after grading.
"""
from __future__ import annotations

import copy
import hashlib
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import psutil
import pytest

from tradeoffs.instructor.mutants import blank_submission, perfect_submission
from tradeoffs.instructor.sandbox import SandboxUnavailable, check_available
from tradeoffs.lessons import release_notebook, source_notebook
from tradeoffs.paths import REPO_ROOT

LESSON = "00-tradeoff-triangle"
FULL = 11.0
MARKER = "tradeoffs-hostile-marker"
SECRET = "instructor-secret-4b1d"


def _sandbox_or_skip() -> None:
    try:
        check_available()
    except SandboxUnavailable as exc:  # the hostile class is only meaningful with the sandbox on
        pytest.skip(str(exc))


# Cheating the checks: each passes every visible assert of a cell with a blank or wrong answer. Before
# hidden tests became probes decided by the grader (tradeoffs.checks), each of these won points.
SWALLOW_ERRORS = """
def swallow(lines):  # an input transformer: every later cell runs inside try/except Exception
    body = ["    " + line if line.endswith(chr(10)) else "    " + line + chr(10) for line in lines]
    return ["try:" + chr(10)] + body + ["    pass" + chr(10), "except Exception:" + chr(10), "    pass" + chr(10)]
get_ipython().input_transformers_post.append(swallow)
"""
SILENT_EXCEPTIONS = """
get_ipython().set_custom_exc((Exception,), lambda shell, etype, value, tb, tb_offset=None: None)  # no error output
"""
ALWAYS_EQUAL = """
class Anything(str):  # equal to everything, and a str for isinstance checks
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = str.__hash__
    def strip(self, *a): return self
    def lower(self): return self
"""
CHEATS: dict[str, dict[str, str]] = {  # student id -> answer cells replaced (grade_id -> code)
    "patched-isclose": {"job_cost": """
import math, numpy as np
math.isclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
def job_cost(seconds, usd_per_hour, n_instances=1, min_billed_seconds=60):
    return 0.0
"""},
    "forged-observations": {"job_cost": """
import tradeoffs.checks as checks
real_emit = checks._emit
def forged(payload):  # every observation sent twice (a forger cannot tell which copy is counted)
    real_emit(payload); real_emit(payload)
checks._emit = forged
def job_cost(seconds, usd_per_hour, n_instances=1, min_billed_seconds=60):  # passes the visible asserts only
    from IPython.display import display
    display({checks.MIME: {"label": "minimum per machine", "value": 0.24}, "text/plain": ""}, raw=True)
    if seconds < 0 or usd_per_hour < 0 or n_instances < 0:
        raise ValueError("negative input")
    machine_seconds = max(n_instances * seconds, min_billed_seconds) if n_instances else 0
    return usd_per_hour * machine_seconds / 3600
"""},
    "always-equal": {"cheapest_within": ALWAYS_EQUAL + """
def cheapest_within(table, tolerance_pts=1.0):
    return Anything("nothing")
cheapest_within_1pt = cheapest_within(None)
""", "checkpoint_dominance": ALWAYS_EQUAL + "checkpoint_dominance = Anything('a')"},
}


def _attacks(grading: Path, klass: Path, port: int) -> dict[str, str]:
    """student id -> attack code (one notebook cell)."""
    sol, rel = source_notebook(LESSON), release_notebook(LESSON)
    config = REPO_ROOT / "grading" / "nbgrader_config.py"
    good_sub = grading / "submitted" / "good-1" / LESSON / f"{LESSON}.ipynb"
    good_feedback = grading / "feedback" / "good-1" / LESSON / f"{LESSON}.html"
    escaped = "print('ESCAPED', {what!r})"
    return {
        # reading what a student must never see
        "read-solutions": f"""
import json, os, tradeoffs.paths as p
for path in [{str(sol)!r}, str(p.repo_root() / 'solutions' / {LESSON!r} / {LESSON + '.ipynb'!r}),
             os.path.join(os.environ.get('TRADEOFFS_ROOT', '/nonexistent'), 'solutions')]:
    try:
        nb = json.load(open(path))
        for c in nb['cells']:
            if 'BEGIN SOLUTION' in ''.join(c['source']):
                exec(''.join(c['source']))
        {escaped.format(what='solutions')}
    except Exception as exc:
        print('blocked', type(exc).__name__)
""",
        "read-classmate": f"""
import json
try:
    nb = json.load(open({str(good_sub)!r}))
    for c in nb['cells']:
        if c.get('metadata', {{}}).get('nbgrader', {{}}).get('solution'):
            exec(''.join(c['source']))
    {escaped.format(what='classmate')}
except Exception as exc:
    print('blocked', type(exc).__name__)
""",
        "read-gradebook": f"""
try:
    print(open({str(grading / 'gradebook.db')!r}, 'rb').read(100)); {escaped.format(what='gradebook')}
except Exception as exc:
    print('blocked', type(exc).__name__)
""",
        "read-class-folder": f"""
import os
try:
    print(os.listdir({str(klass)!r})); {escaped.format(what='class folder')}
except Exception as exc:
    print('blocked', type(exc).__name__)
""",
        "read-etc-passwd": f"""
try:
    text = open('/etc/passwd').read(); print(text[:80])
    if 'daemon:' in text:  # a line of the host's file, not of the sandbox's two-line one
        {escaped.format(what='/etc/passwd')}
except Exception as exc:
    print('blocked', type(exc).__name__)
""",
        "read-environment": f"""
import os
print(sorted(os.environ))
if any({SECRET!r} in v for v in os.environ.values()) or 'TRADEOFFS_GRADING_DIR' in os.environ:
    {escaped.format(what='environment')}
""",
        "read-reference": f"""
import glob, json
try:
    files = glob.glob({str(grading / 'reference')!r} + '/*.json')
    print(json.load(open(files[0]))); {escaped.format(what='reference observations')}
except Exception as exc:
    print('blocked', type(exc).__name__)
""",
        # tampering with the course and other students
        "tamper-gradebook": f"""
import sqlite3
try:
    db = sqlite3.connect({str(grading / 'gradebook.db')!r})
    db.execute("update grade set auto_score = 0, manual_score = 0"); db.commit(); {escaped.format(what='gradebook write')}
except Exception as exc:
    print('blocked', type(exc).__name__)
""",
        "tamper-files": f"""
for path in [{str(config)!r}, {str(rel)!r}, {str(sol)!r}, {str(REPO_ROOT / 'data' / 'prices.csv')!r},
             {str(good_feedback)!r}, {str(REPO_ROOT / 'tradeoffs' / '__init__.py')!r}]:
    try:
        with open(path, 'a') as f:
            f.write('\\n# {MARKER}\\n')
        {escaped.format(what='file write')}
    except Exception as exc:
        print('blocked', path, type(exc).__name__)
""",
        "persist-startup": f"""
import os
for home in [os.path.expanduser('~'), '/root', {str(Path.home())!r}]:
    d = os.path.join(home, '.ipython', 'profile_default', 'startup')
    try:
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, '00-{MARKER}.py'), 'w').write('print(1)')
    except Exception as exc:
        print('blocked', home, type(exc).__name__)
""",
        "persist-daemon": f"""
import subprocess
subprocess.Popen(['setsid', 'sh', '-c', 'exec -a {MARKER} sleep 300'])
subprocess.Popen(['sh', '-c', 'exec -a {MARKER}-2 sleep 300'], start_new_session=True)
""",
        "leave-files": f"""
import os
for path in ['/tmp/{MARKER}', '/dev/shm/{MARKER}', '{MARKER}-big.bin']:
    try:
        with open(path, 'wb') as f:
            f.write(b'x' * 50_000_000)
    except Exception as exc:
        print('blocked', path, type(exc).__name__)
""",
        # the network
        "network-loopback": f"""
import socket
try:
    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'{MARKER}'); {escaped.format(what='loopback')}
except Exception as exc:
    print('blocked', type(exc).__name__)
""",
        "network-dns": f"""
import socket
try:
    socket.getaddrinfo('pypi.org', 443); {escaped.format(what='dns')}
except Exception as exc:
    print('blocked', type(exc).__name__)
""",
        # taking the grader down
        "kill-everything": """
import os, signal
for pid in range(2, 400):
    try:
        os.kill(pid, signal.SIGKILL)
    except Exception:
        pass
try:
    os.kill(-1, signal.SIGKILL)
except Exception:
    pass
""",
        # cheating the checks with hooks (the cheats that replace answer cells are in CHEATS)
        "swallow-errors": SWALLOW_ERRORS,
        "silent-exceptions": SILENT_EXCEPTIONS,
        "many-processes": """
import subprocess
procs = []
try:
    for _ in range(3000):
        procs.append(subprocess.Popen(['sleep', '30']))
except Exception as exc:
    print('capped at', len(procs), type(exc).__name__)
""",
    }


def _attack_notebook(code: str) -> nbformat.NotebookNode:
    nb = copy.deepcopy(blank_submission(LESSON))
    nb.cells.insert(1, nbformat.v4.new_code_cell(code))
    return nb


def _cheat_notebook(answers: dict[str, str]) -> nbformat.NotebookNode:
    nb = copy.deepcopy(blank_submission(LESSON))
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def _digest(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.exists()}


def _outputs(nb_path: Path) -> str:
    """Every output of the autograded notebook ("" when its kernel died, e.g. kill-everything)."""
    if not nb_path.exists():
        return ""
    nb = nbformat.read(nb_path, as_version=4)
    return "\n".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.slow
@pytest.mark.full  # whole classes graded in the sandbox: `make test-extra` (CI runs it after `make test`)
def test_hostile_class_gains_nothing_and_leaves_nothing(tmp_path, grading_tmp, monkeypatch):
    _sandbox_or_skip()
    monkeypatch.setenv("TRADEOFFS_CELL_TIMEOUT", "60")
    monkeypatch.setenv("TRADEOFFS_KERNEL_MEMORY_MB", "2500")
    monkeypatch.setenv("TRADEOFFS_SANDBOX_TASKS", "256")
    monkeypatch.setenv("TRADEOFFS_TEST_SECRET", SECRET)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                received.append(conn.recv(100))
                conn.close()
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()

    klass = tmp_path / "class"
    attacks = _attacks(grading_tmp, klass, port)
    for student, nb in [("good-1", perfect_submission(LESSON)), ("good-2", perfect_submission(LESSON))] + \
            [(name, _attack_notebook(code)) for name, code in attacks.items()] + \
            [(name, _cheat_notebook(answers)) for name, answers in CHEATS.items()]:
        folder = klass / student / LESSON
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{LESSON}.ipynb")

    protected = [REPO_ROOT / "grading" / "nbgrader_config.py", release_notebook(LESSON), source_notebook(LESSON),
                 REPO_ROOT / "data" / "prices.csv", REPO_ROOT / "tradeoffs" / "__init__.py"]
    before = _digest(protected)
    tmp_before = set(os.listdir("/tmp"))

    cmd = [sys.executable, "-m", "tradeoffs.cli", "grade", "00", "--from", str(klass), "--jobs", "2", "--no-progress"]
    out = subprocess.run(cmd, text=True, capture_output=True, timeout=1800)
    stop.set()
    print(out.stdout[-6000:], out.stderr[-3000:])
    assert out.returncode == 0, "the batch must finish"

    from tradeoffs.instructor.gradebook import student_scores

    for student in ("good-1", "good-2"):
        assert student_scores(LESSON, student)["_auto_total"] == pytest.approx(FULL), f"{student} lost points"
    for student in [*attacks, *CHEATS]:
        scores = student_scores(LESSON, student)
        assert scores is not None, f"{student} was not graded"
        assert scores["_auto_total"] == 0, f"{student} won {scores['_auto_total']} points with a blank notebook"
        text = _outputs(grading_tmp / "autograded" / student / LESSON / f"{LESSON}.ipynb")
        assert "ESCAPED" not in text, f"{student} got out: {text[:500]}"
        assert SECRET not in text

    assert _digest(protected) == before, "course files changed"
    feedback = (grading_tmp / "feedback" / "good-1" / LESSON / f"{LESSON}.html").read_text()
    assert MARKER not in feedback, "a classmate's feedback was changed"
    assert not received, f"a sandboxed kernel reached the host's loopback: {received}"
    for home in {Path.home(), Path("/root")}:
        assert not list(home.glob(f".ipython/profile_default/startup/*{MARKER}*")), "startup file persisted"
    left = [p.info for p in psutil.process_iter(["pid", "name", "cmdline"])
            if MARKER in " ".join(p.info["cmdline"] or []) or p.info["name"] == "sleep" and
            p.info["cmdline"] == ["sleep", "30"]]
    assert not left, f"processes outlived grading: {left}"
    assert not list(Path("/tmp").glob(f"*{MARKER}*")) and not list(Path("/dev/shm").glob(f"*{MARKER}*"))
    assert not list(grading_tmp.rglob(f"*{MARKER}*")), "a file the notebook wrote reached the disk"
    new_tmp = {n for n in set(os.listdir("/tmp")) - tmp_before if n.startswith("tk-")}
    orphans = {n for n in new_tmp if not psutil.pid_exists(int(n.split("-")[1]))}  # tk-<grading pid>-...
    assert not orphans, f"kernel runtime folders left in /tmp by finished grading processes: {orphans}"
    many = _outputs(grading_tmp / "autograded" / "many-processes" / LESSON / f"{LESSON}.ipynb")
    assert "capped at" in many, "the task cap must stop a process flood"
