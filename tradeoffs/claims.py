"""Claims as code: each sentence a lesson writes about its own measurements is a check on that run.

A lesson never states in fixed markdown what its run showed. It declares the claim where the numbers
are, with the sentence for either outcome::

    claim("03.halving_cheapest_within_half_point", winner == "successive halving",
          holds=f"Successive halving was the cheapest search within 0.5 points ({ratio:.2f} of grid's compute).",
          fails=f"On this run {winner} was cheaper than successive halving: ... (why that can happen).")

The learner reads the sentence that is true of *their* run (rendered as markdown in a notebook, printed
elsewhere). Outside grading the outcome is also recorded in ``claims.json`` beside the run's figures file,
with the scale and seed, so that ``tradeoffs bench --claims`` can rerun lessons over seeds and scales and
report how often each claim holds (:func:`hold_rates`). ``hedged=True`` marks a claim the prose states as
"usually" (its hold rate is reported, with no target); every other claim must hold on every run.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .figures import figures_path
from .locking import locked

KEY = re.compile(r"^[0-9]{2}\.[a-z0-9_]+$")


@dataclass(frozen=True)
class Claim:
    """One claim's outcome on one run."""

    key: str
    holds: bool
    sentence: str
    hedged: bool = False

    def _ipython_display_(self) -> None:
        """Nothing: :func:`claim` has already shown the sentence (a claim as a cell's last line shows it once)."""


def claims_path() -> Path | None:
    """``claims.json`` beside the figures file (``TRADEOFFS_FIGURES``); None while nbgrader grades."""
    figures = figures_path()
    return None if figures is None else figures.with_name("claims.json")


def _show(sentence: str) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython ships with the course
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(sentence))
    else:
        print(sentence)


def claim(key: str, holds: bool, *, holds_text: str, fails_text: str, hedged: bool = False,
          show: bool = True) -> Claim:
    """Check a claim about this run's numbers, show the sentence that is true, record the outcome.

    ``key``: ``"NN.what_the_claim_says"``; ``holds``: the condition, computed from this run's numbers;
    ``holds_text`` / ``fails_text``: what to tell the learner in each case (``fails_text`` says what the
    run showed instead and why that can happen); ``hedged``: the lesson only says it *usually* holds.
    """
    if not KEY.match(key):
        raise ValueError(f"Claim keys look like 'NN.what_it_says' (lesson number, lowercase words); got {key!r}.")
    result = Claim(key, bool(holds), holds_text if holds else fails_text, hedged)
    if show:
        _show(result.sentence)
    _record(result)
    return result


def _record(result: Claim) -> None:
    path = claims_path()
    if path is None:
        return
    from .scale import active_setup

    setup = active_setup()
    entry = {"holds": result.holds, "hedged": result.hedged,
             "scale": setup.scale if setup else None, "seed": setup.seed if setup else None}
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path, "a+") as handle:
        handle.seek(0)
        text = handle.read()
        data = json.loads(text) if text.strip() else {}
        data[result.key] = entry
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(data, indent=2, sort_keys=True))


def read_claims(path: Path) -> dict[str, dict]:
    """One run's recorded claims (empty when the run recorded none)."""
    return json.loads(path.read_text()) if path.exists() else {}


@dataclass(frozen=True)
class HoldRate:
    """How often one claim held over a set of runs at one scale."""

    key: str
    scale: str
    held: int
    runs: int
    hedged: bool

    @property
    def rate(self) -> float:
        return self.held / self.runs if self.runs else float("nan")


def hold_rates(runs: Iterable[tuple[str, Mapping[str, Mapping]]]) -> list[HoldRate]:
    """Per claim and scale, from ``(scale, claims of one run)`` pairs, over the runs that recorded the claim.

    A lesson may declare a claim only when it applies (the one-standard-error rule picked a stronger
    alpha, say), so a run without it is not counted against it. A notebook that failed records nothing
    after the failure: the bench lists failed runs separately and exits non-zero.
    """
    runs = list(runs)
    keys = sorted({k for _, claims in runs for k in claims})
    out = []
    for scale in sorted({s for s, _ in runs}):
        for key in keys:
            seen = [claims[key] for s, claims in runs if s == scale and key in claims]
            if seen:
                hedged = any(bool(e.get("hedged")) for e in seen)
                out.append(HoldRate(key, scale, sum(bool(e.get("holds")) for e in seen), len(seen), hedged))
    return out


def summary_figures(rates: Iterable[HoldRate]) -> dict[str, float]:
    """``claims.hold_rate_<scale>`` (share of unhedged claim-runs that held) and ``claims.count``."""
    rates = list(rates)
    figures: dict[str, float] = {"claims.count": float(len({r.key for r in rates}))}
    for scale in sorted({r.scale for r in rates}):
        firm = [r for r in rates if r.scale == scale and not r.hedged]
        runs = sum(r.runs for r in firm)
        figures[f"claims.hold_rate_{scale}"] = sum(r.held for r in firm) / runs if runs else float("nan")
    return figures


def format_rates(rates: Iterable[HoldRate]) -> str:
    """The claims table ``tradeoffs bench --claims`` prints: one row per claim, one column per scale."""
    rates = list(rates)
    scales = sorted({r.scale for r in rates})
    by = {(r.key, r.scale): r for r in rates}
    keys = sorted({r.key for r in rates})
    width = max([len(k) for k in keys] + [5])
    lines = [f"{'claim':<{width}}  " + "  ".join(f"{s:>8}" for s in scales) + "  target"]
    for key in keys:
        cells = []
        hedged = False
        for s in scales:
            r = by.get((key, s))
            cells.append(f"{r.held}/{r.runs}".rjust(8) if r else " " * 8)
            hedged = hedged or bool(r and r.hedged)
        worst = min((by[(key, s)].rate for s in scales if (key, s) in by), default=float("nan"))
        verdict = "hedged" if hedged else ("ok" if worst == 1.0 else "MISSED")
        lines.append(f"{key:<{width}}  " + "  ".join(cells) + f"  {'-' if hedged else 'all':>6}  {verdict}")
    return "\n".join(lines)
