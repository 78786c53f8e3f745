"""Turn one or more results ledgers into a report page with the course-wide Pareto frontier.

``tradeoffs report results/runs/*/ledger.csv --out results/report`` writes ``report.md`` and
``frontier.png`` (quality vs training cost, one panel per lesson and quality metric), plus a CPU-vs-GPU table when the
ledgers hold runs on both.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .ledger import read_ledger  # noqa: E402
from .plots import frontier_2d  # noqa: E402



def quality_by_lesson() -> dict[str, set[str]]:
    """Lesson number (``"03"``) -> the quality metrics it logs: ``[ledger] quality`` in its lesson.toml.

    Quality metrics are those where higher is better; the others a lesson logs (rmse, loss, seconds...)
    are left out of the frontier plot.
    """
    from .lesson_config import load_all

    return {config.number: set(config.quality) for config in load_all().values()}


def quality_metrics() -> set[str]:
    """Every lesson's quality metrics together (what the module-level ``QUALITY`` set used to hold)."""
    return set().union(*quality_by_lesson().values())


def __getattr__(name: str):
    if name == "QUALITY":
        return quality_metrics()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def quality_rows(df: pd.DataFrame) -> pd.Series:
    """True for the ledger rows whose metric is a quality metric of their lesson (rows of a lesson the
    course does not know count when any lesson calls their metric a quality)."""
    by_lesson = quality_by_lesson()
    anyone = set().union(*by_lesson.values())
    numbers = df["lesson"].astype(str).str.zfill(2)
    metrics = df["metric"].astype(str)
    return pd.Series([metric in by_lesson.get(number, anyone) for number, metric in zip(numbers, metrics)],
                     index=df.index, dtype=bool)


def _table(df: pd.DataFrame) -> str:
    """A Markdown table without needing the optional 'tabulate' package."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        cells = [f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def frontier_points(df: pd.DataFrame) -> pd.DataFrame:
    """The points of the course-wide frontier: one row per (lesson, metric, name, scale, device).

    Each lesson's quality metric is its own task (lessons 00 and 07 both log "accuracy", on different
    data), so points are only compared within a (lesson, metric) group. Reruns of the same model at the
    same scale and device (several ledgers) become one point, at their median cost and quality; rows
    without a positive cost (a free baseline, a failed timing) are left out: a log axis cannot show them.
    ``on_frontier`` marks the points no other point of their group beats on both cost and quality.
    """
    rows = df[quality_rows(df)].copy()
    rows["lesson"] = rows["lesson"].astype(str).str.zfill(2)
    rows["cost_usd"] = pd.to_numeric(rows["cost_usd"], errors="coerce")
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    rows = rows.dropna(subset=["cost_usd", "value"])
    rows = rows[rows["cost_usd"] > 0]
    keys = ["lesson", "metric", "name", "scale", "device"]
    for key in keys:
        rows[key] = rows[key].fillna("").astype(str)
    points = rows.groupby(keys, as_index=False).agg(cost_usd=("cost_usd", "median"), value=("value", "median"),
                                                     runs=("value", "size"))
    points["on_frontier"] = False
    for _, group in points.groupby(["lesson", "metric"]):
        points.loc[group.index, "on_frontier"] = frontier_2d(group["cost_usd"], group["value"])
    return points


def plot_course_frontier(df: pd.DataFrame, path: Path) -> Path:
    """One panel per lesson and quality metric: quality vs training cost, with that task's frontier."""
    points = frontier_points(df)
    groups = list(points.groupby(["lesson", "metric"]))
    ncols = min(4, max(1, len(groups)))
    nrows = max(1, -(-len(groups) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.9 * nrows), squeeze=False)
    if not groups:
        axes[0][0].text(0.5, 0.5, "no quality rows in the ledger", ha="center", va="center")
    for ax, ((lesson, metric), group) in zip(axes.flat, groups):
        for (scale, device), part in group.groupby(["scale", "device"]):
            ax.scatter(part["cost_usd"], part["value"], s=22, alpha=0.75, label=f"{scale}, {device}")
        front = group[group["on_frontier"]].sort_values("cost_usd")
        ax.step(front["cost_usd"], front["value"], where="post", color="k", alpha=0.5, linewidth=1)
        ax.set_xscale("log")
        ax.set_title(f"lesson {lesson}: {metric}", fontsize=9)
        ax.tick_params(which="both", labelsize=7)
        ax.grid(alpha=0.3)
        if group[["scale", "device"]].drop_duplicates().shape[0] > 1:
            ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    fig.supxlabel("training cost per run (USD, log scale)", fontsize=9)
    fig.supylabel("quality (higher is better)", fontsize=9)
    fig.suptitle("Quality vs training cost, one task per panel; the line is the task's frontier", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def build_report(ledgers: list[Path], out_dir: Path, title: str = "ML Tradeoffs results") -> Path:
    """Write ``report.md`` and ``frontier.png`` under ``out_dir``; returns the Markdown path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    df = read_ledger(ledgers)
    if df.empty:
        raise ValueError("The ledgers hold no rows; run `make experiments` (or a lesson) first.")
    plot_course_frontier(df, out_dir / "frontier.png")
    df["lesson"] = df["lesson"].astype(str).str.zfill(2)
    keep = ["lesson", "name", "metric", "value", "train_seconds", "cost_usd", "latency_ms", "size_bytes", "device"]
    summary = df[keep].copy()
    lines = [f"# {title}", "", f"Ledgers: {', '.join(str(p) for p in ledgers)}", "",
             f"Hardware: {'; '.join(sorted(set(map(str, df['hardware'].dropna()))))}", "",
             f"Scales: {', '.join(sorted(set(map(str, df['scale'].dropna()))))}; "
             f"devices: {', '.join(sorted(set(map(str, df['device'].dropna()))))}; {len(df)} measured runs.", "",
             "![frontier](frontier.png)", ""]
    devices = sorted(set(df["device"].dropna().astype(str)))
    if len(devices) > 1:
        pivot = df.pivot_table(index=["lesson", "name", "metric"], columns="device",
                               values=["value", "train_seconds", "cost_usd"], aggfunc="median")
        pivot.columns = [f"{a} ({b})" for a, b in pivot.columns]
        lines += ["## CPU vs GPU, side by side", "", _table(pivot.reset_index()), ""]
    for lesson, group in summary.groupby("lesson"):
        lines += [f"## Lesson {lesson}", "", _table(group.drop(columns=["lesson"])), ""]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines))
    return path
