"""The page an instructor looks at first: score histogram and per-exercise pass rates."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def write_summary(lesson: str, cells: list[tuple[str, float, bool]], results: list[Any], out_dir: Path) -> Path:
    """Write ``<lesson>-summary.png`` and ``<lesson>-summary.md``; returns the Markdown path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    graded = [r for r in results if r.graded]
    auto = [(gid, pts) for gid, pts, is_auto in cells if is_auto]
    max_auto = sum(p for _, p in auto)
    totals = [r.scores["_auto_total"] for r in graded]
    rates = {gid: (sum(1 for r in graded if (r.scores.get(gid) or 0) >= pts) / len(graded) if graded else 0.0)
             for gid, pts in auto}

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.hist(totals, bins=min(20, int(max_auto) + 1), range=(0, max_auto), color="tab:blue", edgecolor="white")
    left.set_xlabel(f"automatic score (out of {max_auto:g})")
    left.set_ylabel("students")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_title(f"{lesson}: {len(graded)} graded, {len(results) - len(graded)} not graded")
    names = list(rates)
    right.barh(names, [100 * rates[n] for n in names], color="tab:green")
    right.set_xlim(0, 100)
    right.set_xlabel("% of graded students with full points")
    right.invert_yaxis()
    right.set_title("pass rate per exercise")
    fig.tight_layout()
    png = out_dir / f"{lesson}-summary.png"
    fig.savefig(png, dpi=100)
    plt.close(fig)

    mean = sum(totals) / len(totals) if totals else 0.0
    problems = [r for r in results if r.problems]
    lines = [f"# {lesson}: grading summary", "",
             f"- submissions: {len(results)}; graded: {len(graded)}; with problems: {len(problems)}",
             f"- mean automatic score: {mean:.2f} / {max_auto:g}", "",
             f"![summary]({png.name})", "", "| exercise (test cell) | points | full marks |", "|---|---|---|"]
    lines += [f"| {gid} | {pts:g} | {100 * rates[gid]:.0f}% |" for gid, pts in auto]
    lines += ["", f"Problems per student: see `{lesson}-problems.md`."]
    md = out_dir / f"{lesson}-summary.md"
    md.write_text("\n".join(lines) + "\n")
    return md
