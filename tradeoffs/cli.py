"""The ``tradeoffs`` command: create and release lessons, grade a class, run the benchmark and experiments."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import Settings


def _cmd_lessons(args: argparse.Namespace) -> int:
    from .lessons import all_lessons

    print("\n".join(all_lessons()))
    return 0


def _cmd_release(args: argparse.Namespace) -> int:
    from .instructor.release import release

    for folder in release(args.lessons or None):
        print(f"released {folder}")
    return 0


def _cmd_new_lesson(args: argparse.Namespace) -> int:
    from .instructor.scaffold import new_lesson

    made = new_lesson(args.name, title=args.title)
    for path in made.written:
        print(f"wrote {path}")
    for folder in made.released:
        print(f"released {folder}")
    print(f"next: rewrite {made.written[0]}, then `make release LESSON={made.lesson[:2]}`, "
          f"`tradeoffs mutants {made.lesson[:2]}` and `make test-fast` (docs/authoring.md, 'Add a lesson')")
    return 0


NO_SANDBOX_WARNING = ("WARNING: --no-sandbox: student code runs as you, with your files (solutions/, the "
                      "gradebook, other students), your environment variables and the network. Grade this "
                      "way only submissions you trust.")


def _settings(args: argparse.Namespace) -> Settings:
    """The run's settings, read once from the environment; ``--no-sandbox`` turns the sandbox off, loudly."""
    from .settings import Settings

    settings = Settings.from_env()
    if getattr(args, "no_sandbox", False):
        settings = settings.with_sandbox(False)
        print(NO_SANDBOX_WARNING, file=sys.stderr)
    return settings


def _cmd_grade(args: argparse.Namespace) -> int:
    from .instructor.autograde import format_report, grade_class

    report = grade_class(args.lesson, Path(args.source), students=args.student or None,
                         progress=not args.no_progress, jobs=args.jobs, due=args.due, settings=_settings(args))
    print(format_report(report))
    not_graded = [r.student for r in report.results if not r.graded]
    if not_graded or report.class_problems:
        print(f"tradeoffs grade: {len(not_graded)} of {len(report.results)} submissions could not be graded "
              f"(see {report.problems_md}); exit status 1", file=sys.stderr)
        return 1
    return 0


def _print_family_table(lessons: list[str]) -> int:
    """Wrong mutants per lesson and mistake family, and the (cell, family) pairs still missing; grades nothing."""
    from .instructor.mutants import FAMILIES, auto_test_cells, family_counts, family_problems, load_mutants

    used = [*FAMILIES, ""]
    print("lesson".ljust(22) + "".join((f or "untagged")[:10].rjust(11) for f in used) + "      total   missing")
    missing = 0
    for lesson in lessons:
        mutants = load_mutants(lesson)
        counts = family_counts(mutants)
        gaps = family_problems(lesson, mutants, auto_test_cells(lesson))
        missing += len(gaps)
        print(lesson.ljust(22) + "".join(str(counts.get(f, 0)).rjust(11) for f in used)
              + str(sum(counts.values())).rjust(11) + str(len(gaps)).rjust(10))
        for gap in gaps:
            print(f"    missing: {gap}")
    return 1 if missing else 0


def _cmd_mutants(args: argparse.Namespace) -> int:
    from .instructor.contract import check_lesson
    from .lessons import all_lessons

    if args.families:
        from .lessons import resolve_lesson
        return _print_family_table([resolve_lesson(x) for x in args.lessons] if args.lessons else all_lessons())
    settings = _settings(args)

    failed = 0
    for lesson in args.lessons or all_lessons():
        result = check_lesson(lesson, jobs=args.jobs, full=args.full, settings=settings)
        replayed = f", mutants replayed in {result.replay.seconds:.0f} s" if result.replay else ""
        print(f"== {result.lesson} (nbgrader {result.report.seconds:.0f} s{replayed})")
        print("   wrong mutants by family: " + ", ".join(f"{f or 'untagged'} {n}" for f, n in result.families.items()))
        for line in result.lines:
            print(f"   ok   {line}")
        for line in result.failures:
            print(f"   FAIL {line}")
        failed += not result.ok
    return 1 if failed else 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_bench, run_claims

    if args.claims:
        if args.seeds < 1:
            raise SystemExit("--seeds must be at least 1 (the claims' hold rate is over that many seeded runs)")
        _, failed = run_claims(lessons=args.lessons or None, seeds=args.seeds)
        return 1 if failed else 0
    _, failed = run_bench(lessons=args.lessons or None, grading=not args.skip_grading)
    return 1 if failed else 0


def _cmd_gpu_check(args: argparse.Namespace) -> int:
    from .gpu_check import run_gpu_check

    _, problems = run_gpu_check(lessons=args.lessons or None)
    return 1 if problems else 0


def _cmd_experiments(args: argparse.Namespace) -> int:
    from .experiments import run_experiments
    from .report import build_report

    run_dir, runs = run_experiments(scale=args.scale, device=args.device, lessons=args.lessons or None)
    ledger = run_dir / "ledger.csv"
    if ledger.exists():
        report = build_report([ledger], run_dir / "report", title=f"ML Tradeoffs run {run_dir.name}")
        print(f"report: {report}")
    print(f"run folder: {run_dir}")
    for r in runs:
        print(f"  {r.status:7s} {r.lesson:28s} {r.seconds:7.1f} s  {r.detail.splitlines()[0] if r.detail else ''}")
    return 1 if any(r.status == "failed" for r in runs) else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .paths import results_dir
    from .report import build_report

    ledgers = [Path(p) for p in args.ledgers] or sorted(results_dir().glob("runs/*/ledger.csv"))
    if not ledgers:
        raise FileNotFoundError("No ledgers given and none under results/runs/: run `make experiments` first.")
    print(f"report: {build_report(ledgers, Path(args.out))}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradeoffs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("lessons", help="list the lessons")
    p.set_defaults(func=_cmd_lessons)

    p = sub.add_parser("release", help="regenerate notebooks/ (student release) from solutions/")
    p.add_argument("lessons", nargs="*", help="lessons to release, e.g. 00 or 00-tradeoff-triangle (default: all)")
    p.set_defaults(func=_cmd_release)

    p = sub.add_parser("new-lesson", help="create solutions/NN-slug/ (text source, lesson.toml), its mutants "
                                          "and its release, already keeping the lesson contract")
    p.add_argument("name", help="the new lesson's folder name: two digits, a hyphen and a slug, e.g. 10-data-drift")
    p.add_argument("--title", help="the chapter's title (default: from the slug)")
    p.set_defaults(func=_cmd_new_lesson)

    p = sub.add_parser("grade", help="autograde a class and write feedback and a grade sheet under grading/")
    p.add_argument("lesson", help="lesson to grade, e.g. 00")
    p.add_argument("--from", dest="source", required=True, metavar="PATH",
                   help="submissions: PATH/<student>/<lesson>/<lesson>.ipynb, PATH/<student>.ipynb, or an LMS .zip")
    p.add_argument("--student", action="append", metavar="ID", help="grade only this student (repeatable)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="grade N students at once (default 1)")
    p.add_argument("--due", metavar="ISO_TIME", help="due date, e.g. 2026-12-01T23:59:00 (or grading/due_dates.toml)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run student kernels without the bubblewrap sandbox (only for trusted submissions)")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("mutants", help="grade a lesson's perfect, blank and mutant submissions; show what was caught")
    p.add_argument("lessons", nargs="*", help="lessons to check (default: all)")
    p.add_argument("--full", action="store_true",
                   help="grade every mutant with the whole nbgrader pipeline (slow) instead of replaying them")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="students graded at once (default 2)")
    p.add_argument("--no-sandbox", action="store_true", help="grade without the kernel sandbox")
    p.add_argument("--families", action="store_true",
                   help="only print the wrong mutants per mistake family and what [applies] still misses (fast)")
    p.set_defaults(func=_cmd_mutants)

    p = sub.add_parser("bench", help="run the course benchmark; writes results/bench.json")
    p.add_argument("lessons", nargs="*", help="only these lessons (default: all, and course.laptop_minutes)")
    p.add_argument("--skip-grading", action="store_true", help="skip the grading-speed benchmark")
    p.add_argument("--claims", action="store_true",
                   help="instead: rerun the lessons at grade and laptop scale over --seeds seeds and report how "
                        "often each claim their prose makes held (claims.hold_rate_grade/_laptop, claims.count)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per scale for --claims (default 3)")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("gpu-check", help="every lesson at full scale on CUDA into results/reference/gpu-<name>/ "
                                         "(skips cleanly without a GPU)")
    p.add_argument("lessons", nargs="*", help="only these lessons (default: all)")
    p.set_defaults(func=_cmd_gpu_check)

    p = sub.add_parser("experiments", help="rerun every lesson headless (papermill) into results/runs/<date>")
    p.add_argument("lessons", nargs="*", help="only these lessons (default: all)")
    p.add_argument("--scale", default="laptop", help="ci, grade, laptop or full (default laptop)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    p.set_defaults(func=_cmd_experiments)

    p = sub.add_parser("report", help="report page + Pareto frontier from one or more ledgers")
    p.add_argument("ledgers", nargs="*", help="ledger CSVs (default: results/runs/*/ledger.csv)")
    p.add_argument("--out", default="results/report", help="output folder (default results/report)")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .instructor.sandbox import SandboxUnavailable

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, KeyError, SandboxUnavailable) as exc:
        print(f"tradeoffs {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
