"""The ``tradeoffs`` command: release lessons, grade a class, run the benchmark and experiments."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_lessons(args: argparse.Namespace) -> int:
    from .lessons import all_lessons

    print("\n".join(all_lessons()))
    return 0


def _cmd_release(args: argparse.Namespace) -> int:
    from .instructor.release import release

    for folder in release(args.lessons or None):
        print(f"released {folder}")
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    from .instructor.autograde import format_report, grade_class

    report = grade_class(args.lesson, Path(args.source), students=args.student or None,
                         progress=not args.no_progress, jobs=args.jobs)
    print(format_report(report))
    return 0


def _cmd_mutants(args: argparse.Namespace) -> int:
    from .instructor.contract import check_lesson
    from .lessons import all_lessons

    failed = 0
    for lesson in args.lessons or all_lessons():
        result = check_lesson(lesson, jobs=args.jobs)
        print(f"== {result.lesson} ({result.report.seconds:.0f} s)")
        for line in result.lines:
            print(f"   ok   {line}")
        for line in result.failures:
            print(f"   FAIL {line}")
        failed += not result.ok
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradeoffs", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("lessons", help="list the lessons")
    p.set_defaults(func=_cmd_lessons)

    p = sub.add_parser("release", help="regenerate notebooks/ (student release) from solutions/")
    p.add_argument("lessons", nargs="*", help="lessons to release, e.g. 00 or 00-tradeoff-triangle (default: all)")
    p.set_defaults(func=_cmd_release)

    p = sub.add_parser("grade", help="autograde a class and write feedback and a grade sheet under grading/")
    p.add_argument("lesson", help="lesson to grade, e.g. 00")
    p.add_argument("--from", dest="source", required=True, metavar="PATH",
                   help="submissions: PATH/<student>/<lesson>/<lesson>.ipynb or PATH/<student>.ipynb")
    p.add_argument("--student", action="append", metavar="ID", help="grade only this student (repeatable)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="grade N students at once (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("mutants", help="grade a lesson's perfect, blank and mutant submissions; show what was caught")
    p.add_argument("lessons", nargs="*", help="lessons to check (default: all)")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="students graded at once (default 2)")
    p.set_defaults(func=_cmd_mutants)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        print(f"tradeoffs {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
