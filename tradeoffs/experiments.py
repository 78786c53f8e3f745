"""Rerun every lesson headless with papermill into a dated run folder (``tradeoffs experiments``).

Each solution notebook runs with the ``scale`` and ``device`` parameters; its ledger rows and
headline figures land in the run folder. One notebook failing never stops the others.
A notebook whose metadata says ``{"tradeoffs": {"requires": "cuda"}}`` is skipped on CPU.
"""
from __future__ import annotations

import json
import os
import time
import traceback
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from .lessons import all_lessons, resolve_lesson, source_notebook
from .meter import hardware_description
from .paths import results_dir
from .scale import cuda_available, get_device, get_scale


@dataclass
class NotebookRun:
    lesson: str
    status: str  # "ok", "failed" or "skipped"
    seconds: float
    detail: str = ""
    output: str = ""


def new_run_dir(scale: str, device: str, root: Path | None = None) -> Path:
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    path = (root or results_dir() / "runs") / f"{stamp}-{scale}-{device}"
    path.mkdir(parents=True, exist_ok=False)
    return path


def _requires_cuda(nb_path: Path) -> bool:
    meta = nbformat.read(nb_path, as_version=4).metadata.get("tradeoffs", {})
    return meta.get("requires") == "cuda"


def _error_summary(exc: BaseException) -> str:
    name = getattr(exc, "ename", type(exc).__name__)
    value = getattr(exc, "evalue", str(exc))
    return f"{name}: {str(value).strip().splitlines()[0] if str(value).strip() else ''}"[:300]


def run_notebook(lesson: str, run_dir: Path, scale: str, device: str, timeout: int = 3600) -> NotebookRun:
    """Execute one solution notebook; never raises."""
    import papermill

    src = source_notebook(lesson)
    if _requires_cuda(src) and device != "cuda":
        return NotebookRun(lesson, "skipped", 0.0, "needs a CUDA GPU; none here")
    out = run_dir / f"{lesson}.ipynb"
    work = run_dir / "work" / lesson
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(str(src), str(out), parameters={"scale": scale, "device": device},
                                   progress_bar=False, cwd=str(work), kernel_name="python3",
                                   execution_timeout=timeout)
        return NotebookRun(lesson, "ok", time.perf_counter() - start, output=str(out))
    except Exception as exc:  # papermill raises PapermillExecutionError with the cell's error
        detail = _error_summary(exc)
        if not hasattr(exc, "ename"):
            detail += "\n" + traceback.format_exc(limit=3)
        return NotebookRun(lesson, "failed", time.perf_counter() - start, detail, str(out))


def run_experiments(scale: str | None = None, device: str | None = None, lessons: list[str] | None = None,
                    run_dir: Path | None = None, progress: bool = True,
                    seed: int | None = None) -> tuple[Path, list[NotebookRun]]:
    """Run the lessons into a run folder; returns the folder and each notebook's outcome.

    ``seed``: every lesson's ``cfg.seed`` (``TRADEOFFS_SEED``; default 0, the seed graded runs use)."""
    scale, device = get_scale(scale or "laptop"), get_device(device)
    names = [resolve_lesson(n) for n in lessons] if lessons else all_lessons()
    run_dir = run_dir or new_run_dir(scale, device)
    run_dir.mkdir(parents=True, exist_ok=True)
    env_before = {k: os.environ.get(k) for k in ("TRADEOFFS_LEDGER", "TRADEOFFS_FIGURES", "TRADEOFFS_RUN_ID",
                                                 "TRADEOFFS_SCALE", "TRADEOFFS_DEVICE")}
    os.environ.update({"TRADEOFFS_LEDGER": str(run_dir / "ledger.csv"),
                       "TRADEOFFS_FIGURES": str(run_dir / "figures.json"),
                       "TRADEOFFS_RUN_ID": run_dir.name, "TRADEOFFS_SCALE": scale, "TRADEOFFS_DEVICE": device})
    if seed is not None:
        os.environ["TRADEOFFS_SEED"] = str(int(seed))
    runs: list[NotebookRun] = []
    try:
        label = f"{scale}, {device}" + (f", seed {seed}" if seed is not None else "")
        bar = tqdm(names, desc=f"experiments ({label})", unit="notebook", disable=not progress)
        for lesson in bar:
            bar.set_postfix_str(lesson)
            result = run_notebook(lesson, run_dir, scale, device)
            runs.append(result)
            tqdm.write(f"  {result.status:7s} {lesson:28s} {result.seconds:7.1f} s  {result.detail.splitlines()[0] if result.detail else ''}")
    finally:
        for key, value in env_before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    meta = {"scale": scale, "device": device, "seed": seed, "hardware": hardware_description(), "cuda": cuda_available(),
            "finished": datetime.now().isoformat(timespec="seconds"), "notebooks": [asdict(r) for r in runs],
            "total_seconds": sum(r.seconds for r in runs)}
    (run_dir / "status.json").write_text(json.dumps(meta, indent=2))
    return run_dir, runs
