"""Grade one student in a process of its own: autograde, then feedback.

Every student gets a fresh process, so that nothing a submission does can take the batch down.
``autograde.py`` forks it from a server that has already imported nbgrader (:func:`grade_in_child`,
about 3 s faster per student than starting Python) and receives the outcome through a pipe.
"""
from __future__ import annotations

import os
import resource
import time
import traceback
from multiprocessing.connection import Connection
from typing import Mapping

from ..settings import SandboxLimits, Settings, use
from .course_config import course_config
from .sandbox import SubmissionCgroup


def grade_one(lesson: str, student: str, settings: Settings) -> dict:
    """Autograde and write feedback for one staged submission, with nbgrader configured from ``settings``."""
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=course_config(settings))
    t0 = time.perf_counter()
    auto = api.autograde(lesson, student, force=True, create=True)
    t1 = time.perf_counter()
    feedback = api.generate_feedback(lesson, student, force=True) if auto.get("success") else {"success": False}
    return {"student": student, "autograde_ok": bool(auto.get("success")), "autograde_log": auto.get("log", ""),
            "autograde_error": auto.get("error", ""), "feedback_ok": bool(feedback.get("success")),
            "feedback_log": feedback.get("log", ""), "autograde_s": t1 - t0, "feedback_s": time.perf_counter() - t1}


def limit_memory(limits: SandboxLimits) -> None:
    """Cap this process and the kernels it starts (rlimits are inherited) so a memory bomb fails alone.

    ``limits.memory_mb`` bounds each process's data segment, which on Linux includes anonymous
    memory maps, i.e. NumPy/PyTorch allocations.
    """
    limit = limits.memory_mb * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def grade_in_child(lesson: str, student: str, settings: Settings, env: Mapping[str, str], cwd: str,
                   log_path: str, conn: Connection, cgroup: SubmissionCgroup | None = None) -> None:
    """Entry point of a forked grading process: own process group, own environment, output to a log file.

    It joins the student's cgroup first, so its kernel and everything that starts are capped together.
    """
    if cgroup is not None:
        cgroup.join()
    os.setsid()                      # a timeout can then kill this process and its kernel together
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    limit_memory(settings.limits)
    try:
        with use(settings):
            outcome = grade_one(lesson, student, settings)
    except BaseException as exc:  # report, never hang the parent
        outcome = {"student": student, "autograde_ok": False, "autograde_log": traceback.format_exc(),
                   "autograde_error": f"{type(exc).__name__}: {exc}", "feedback_ok": False}
    conn.send(outcome)
    conn.close()
