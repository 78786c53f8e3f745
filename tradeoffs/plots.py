"""Plotting helpers shared by the lessons and the report."""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def frontier_2d(x: Sequence[float], y: Sequence[float]) -> np.ndarray:
    """Boolean mask of points on the 2-D frontier where lower ``x`` (cost) and higher ``y`` (quality) win.

    Used to draw the course-wide frontier; lesson 00 asks learners to build the general
    (many-objective) version themselves.
    """
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    order = np.lexsort((-ys, xs))  # by cost ascending, then quality descending
    mask = np.zeros(len(xs), dtype=bool)
    best = -np.inf
    for i in order:
        if ys[i] > best:
            mask[i] = True
            best = ys[i]
    return mask


def plot_frontier(df: pd.DataFrame, x: str, y: str, label: str | None = None, on_front: Sequence[bool] | None = None,
                  ax: plt.Axes | None = None, logx: bool = False, title: str | None = None) -> plt.Axes:
    """Scatter every option, highlight the frontier (``on_front`` or the 2-D frontier) and join it with a step line."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2))
    mask = np.asarray(on_front if on_front is not None else frontier_2d(df[x], df[y]), dtype=bool)
    ax.scatter(df.loc[~mask, x], df.loc[~mask, y], color="0.6", label="dominated", zorder=2)
    front = df.loc[mask].sort_values(x)
    ax.scatter(front[x], front[y], color="tab:red", label="Pareto frontier", zorder=3)
    ax.step(front[x], front[y], where="post", color="tab:red", alpha=0.6, zorder=2)
    if label is not None:
        for _, row in df.iterrows():
            ax.annotate(str(row[label]), (row[x], row[y]), textcoords="offset points", xytext=(4, 4), fontsize=8)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    return ax


def plot_curves(history: pd.DataFrame, x: str, ys: Sequence[str], ax: plt.Axes | None = None,
                title: str | None = None, mark_x: float | None = None) -> plt.Axes:
    """Line plot of several columns against ``x`` (learning curves), with an optional vertical marker."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2))
    for col in ys:
        ax.plot(history[x], history[col], label=col)
    if mark_x is not None:
        ax.axvline(mark_x, color="k", linestyle="--", alpha=0.6)
    ax.set_xlabel(x)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax
