"""Grade one student in this process: autograde, then feedback (``python -m tradeoffs.instructor.worker``).

Run as a subprocess per student so that nothing a submission does can take the batch down;
prints one JSON line with the outcome.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time

from traitlets.config.loader import PyFileConfigLoader

from .nbgrader_cli import config_dir


def grade_one(lesson: str, student: str) -> dict:
    from nbgrader.apps import NbGraderAPI

    config = PyFileConfigLoader("nbgrader_config.py", path=str(config_dir())).load_config()
    api = NbGraderAPI(config=config)
    t0 = time.perf_counter()
    auto = api.autograde(lesson, student, force=True, create=True)
    t1 = time.perf_counter()
    feedback = api.generate_feedback(lesson, student, force=True) if auto.get("success") else {"success": False}
    return {"student": student, "autograde_ok": bool(auto.get("success")), "autograde_log": auto.get("log", ""),
            "autograde_error": auto.get("error", ""), "feedback_ok": bool(feedback.get("success")),
            "feedback_log": feedback.get("log", ""), "autograde_s": t1 - t0, "feedback_s": time.perf_counter() - t1}


def limit_memory() -> None:
    """Cap this process and the kernels it starts (rlimits are inherited) so a memory bomb fails alone.

    ``TRADEOFFS_KERNEL_MEMORY_MB`` (default 6144) bounds each process's data segment, which on
    Linux includes anonymous memory maps, i.e. NumPy/PyTorch allocations.
    """
    limit = int(os.environ.get("TRADEOFFS_KERNEL_MEMORY_MB", "6144")) * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def main(argv: list[str]) -> int:
    lesson, student = argv
    limit_memory()
    print(json.dumps(grade_one(lesson, student)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
