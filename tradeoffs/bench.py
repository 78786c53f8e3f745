"""The course benchmark (``make bench``): every lesson's headline figures plus grading speed.

1. Runs every solution notebook at ``laptop`` scale (``tradeoffs experiments``); the notebooks record
   their figures (``record_figure``) and the total time becomes ``course.laptop_minutes``.
2. Grades a class of 20 submissions of lesson 00 sequentially and with ``--jobs 2``:
   ``grading.seconds_per_student`` and ``grading.seconds_per_student_jobs2``.
3. Prints the claims table of this run (each claim held or not, :mod:`tradeoffs.claims`), with
   ``claims.count`` and ``claims.hold_rate_laptop`` over this one run.
4. Writes ``results/bench.json`` (a flat object of named figures) and prints them with targets.

``tradeoffs bench 03 07`` reruns only those lessons and updates their figures in ``bench.json``.

``tradeoffs bench --claims`` instead reruns the lessons at ``grade`` and ``laptop`` scale over 3 seeds and
reports how often each claim their prose makes (:mod:`tradeoffs.claims`) held: ``claims.hold_rate_grade``,
``claims.hold_rate_laptop`` and ``claims.count`` (to ``bench.json``; the table to the run folder's ``claims.txt``).
"""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from .claims import format_rates, hold_rates, read_claims, summary_figures
from .experiments import run_experiments
from .figures import format_table
from .lessons import resolve_lesson
from .paths import results_dir
from .settings import Settings

GRADING_CLASS_SIZE = 20


def grading_class(folder: Path, lesson: str, size: int = GRADING_CLASS_SIZE) -> Path:
    """A realistic class: perfect, blank and mutant submissions, cycled to ``size`` students."""
    from .instructor.mutants import build_class

    seed = folder / "seed"
    students = list(build_class(lesson, seed))
    out = folder / "class"
    for i in range(size):
        src = seed / students[i % len(students)]
        shutil.copytree(src, out / f"student{i + 1:03d}")
    return out


def bench_grading(lesson: str = "00-tradeoff-triangle",
                  size: int = GRADING_CLASS_SIZE) -> tuple[dict[str, float], list[str]]:
    """Seconds per student for sequential and 2-worker grading of the same class, sandboxed, and the
    sandbox's overhead: sequential grading of the same class with ``--no-sandbox`` as the baseline.
    Also returns the runs in which some student could not be graded (their figure is not comparable)."""
    from .instructor.autograde import grade_class

    figures: dict[str, float] = {}
    incomplete: list[str] = []
    runs = (("grading.seconds_per_student", 1, "on"), ("grading.seconds_per_student_jobs2", 2, "on"),
            ("grading.seconds_per_student_no_sandbox", 1, "off"))
    with tempfile.TemporaryDirectory() as tmp:
        klass = grading_class(Path(tmp), lesson, size)
        for key, jobs, sandbox in runs:
            settings = (Settings.from_env().grading_in(Path(tmp) / f"grading-jobs{jobs}-sandbox-{sandbox}")
                        .with_sandbox(sandbox == "on"))
            start = time.perf_counter()
            report = grade_class(lesson, klass, jobs=jobs, progress=True, settings=settings)
            seconds = time.perf_counter() - start
            graded = sum(r.graded for r in report.results)
            figures[key] = seconds / max(graded, 1)
            if graded < size:
                incomplete.append(f"{key}: {size - graded} of {size} students not graded")
            print(f"graded {graded} students with --jobs {jobs}, sandbox {sandbox}, in {seconds:.0f} s "
                  f"({60 * graded / seconds:.1f} students/minute)")
    figures["grading.sandbox_overhead"] = (figures["grading.seconds_per_student"]
                                           / figures["grading.seconds_per_student_no_sandbox"])
    return figures, incomplete


def run_bench(lessons: list[str] | None = None, grading: bool = True,
              scale: str = "laptop") -> tuple[dict[str, float], list[str]]:
    """Run the benchmark; writes ``results/bench.json``; returns the figures and what failed (empty: all ran)."""
    out = results_dir() / "bench.json"
    # A partial run (some lessons) updates their figures and keeps the others from the last run.
    previous = json.loads(out.read_text()) if (lessons and out.exists()) else {}
    start = time.perf_counter()
    run_dir = results_dir() / ("bench-run" if not lessons else "bench-run-" + "-".join(l[:2] for l in lessons))
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir, runs = run_experiments(scale=scale, lessons=lessons, run_dir=run_dir, progress=True)
    elapsed = time.perf_counter() - start
    figures: dict[str, float] = dict(previous)
    fig_file = run_dir / "figures.json"
    if fig_file.exists():
        figures.update(json.loads(fig_file.read_text()))
    if not lessons and scale == "laptop":
        figures["course.laptop_minutes"] = elapsed / 60
    claims_table, claims_figures = claims_of_run(run_dir, scale)
    figures.update(claims_figures)
    failed = [r.lesson for r in runs if r.status == "failed"]
    if grading:
        grading_figures, incomplete = bench_grading()
        figures.update(grading_figures)
        failed += incomplete
    out.write_text(json.dumps(figures, indent=2, sort_keys=True))
    if claims_table:
        print(f"claims on this run ({scale} scale, one seed; make bench-claims: 3 seeds at grade and laptop scale)")
        print(claims_table + "\n")
    print(format_table(figures))
    print(f"\nwrote {out}; notebooks in {run_dir}")
    if failed:
        print(f"FAILED (their figures are missing or wrong): {', '.join(failed)}")
    return figures, failed


def claims_of_run(run_dir: Path, scale: str) -> tuple[str, dict[str, float]]:
    """The claims table of one run folder (also written to ``claims.txt`` there) and its figures.

    One run gives each claim 1/1 or 0/1: ``claims.hold_rate_<scale>`` is the share of unhedged claims
    that held on it, ``claims.count`` how many claims it made. Empty when the run recorded none.
    """
    claims = read_claims(run_dir / "claims.json")
    if not claims:
        return "", {}
    rates = hold_rates([(scale, claims)])
    table = format_rates(rates)
    (run_dir / "claims.txt").write_text(table + "\n")
    return table, summary_figures(rates)


CLAIM_SCALES = ("grade", "laptop")


def run_claims(lessons: list[str] | None = None, seeds: int = 3,
               scales: tuple[str, ...] = CLAIM_SCALES) -> tuple[dict[str, float], list[str]]:
    """Rerun lessons at each scale over ``seeds`` seeds; the claims' hold rates into ``results/bench.json``."""
    names = [resolve_lesson(n) for n in lessons] if lessons else None
    root = results_dir() / ("claims-run" if not names else "claims-run-" + "-".join(n[:2] for n in names))
    if root.exists():
        shutil.rmtree(root)
    observed: list[tuple[str, dict]] = []
    failed: list[str] = []
    for scale in scales:
        for seed in range(seeds):
            run_dir, runs = run_experiments(scale=scale, lessons=lessons, run_dir=root / f"{scale}-seed{seed}",
                                            progress=True, seed=seed)
            failed += [f"{r.lesson} ({scale}, seed {seed})" for r in runs if r.status == "failed"]
            observed.append((scale, read_claims(run_dir / "claims.json")))
    rates = hold_rates(observed)
    figures = summary_figures(rates)
    table = format_rates(rates)
    out = results_dir() / "bench.json"
    merged = json.loads(out.read_text()) if out.exists() else {}
    merged.update(figures)
    out.write_text(json.dumps(merged, indent=2, sort_keys=True))
    (root / "claims.txt").write_text(table + "\n")
    print(table)
    print(format_table(figures))
    print(f"\nwrote {out} and {root / 'claims.txt'}; notebooks in {root}")
    if failed:
        print(f"FAILED (their claims count as not holding): {', '.join(failed)}")
    return figures, failed
