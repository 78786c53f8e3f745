"""Project a measured training time to a production workload: fit ``seconds = a * size ** b`` and extrapolate.

A lesson times the same fit at three or more data sizes, fits a power law on log-log axes
(:func:`scipy.stats.linregress`), and projects to the workload it is really priced for (say 10 million
transactions retrained nightly). The exponent's confidence interval gives the projection's range, so a
sentence like "about 3 hours, between 1.5 and 6" comes from the measurements and says how sure it is.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ScalingFit:
    """``seconds ~ coefficient * size ** exponent``, with the exponent's confidence interval."""

    exponent: float
    exponent_low: float
    exponent_high: float
    coefficient: float
    largest_size: float     # projections are anchored at the largest measured size
    largest_seconds: float  # the fitted time there
    confidence: float

    def seconds_at(self, size: float) -> tuple[float, float, float]:
        """(estimate, low, high) seconds at ``size``; the range comes from the exponent's interval."""
        ratio = float(size) / self.largest_size
        estimate = self.coefficient * float(size) ** self.exponent
        ends = [self.largest_seconds * ratio ** e for e in (self.exponent_low, self.exponent_high)]
        return estimate, min(ends), max(ends)


def fit_scaling(sizes: Sequence[float], seconds: Sequence[float], confidence: float = 0.9) -> ScalingFit:
    """Fit ``seconds = a * size ** b`` to at least three measured sizes (log-log least squares)."""
    from scipy import stats

    x, y = np.asarray(sizes, dtype=float), np.asarray(seconds, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"Give one time per size: got {x.size} sizes and {y.size} times.")
    if len(np.unique(x)) < 3:
        raise ValueError(f"Measure at least three different sizes to fit an exponent and its uncertainty; "
                         f"got {sorted(set(x.tolist()))}.")
    if (x <= 0).any() or (y <= 0).any():
        raise ValueError("Sizes and times must be positive (a zero time means the timer was too coarse: "
                         "repeat the fit and take the median).")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence is a fraction between 0 and 1, e.g. 0.9; got {confidence!r}.")
    fit = stats.linregress(np.log(x), np.log(y))
    t = stats.t.ppf(0.5 + confidence / 2, df=len(x) - 2)
    coefficient = float(np.exp(fit.intercept))
    largest = float(x.max())
    return ScalingFit(exponent=float(fit.slope), exponent_low=float(fit.slope - t * fit.stderr),
                      exponent_high=float(fit.slope + t * fit.stderr), coefficient=coefficient,
                      largest_size=largest, largest_seconds=coefficient * largest ** float(fit.slope),
                      confidence=confidence)


@dataclass(frozen=True)
class Projection:
    """One workload priced on one instance: hours and dollars per run and per month, with ranges."""

    instance: str
    size: float
    hours: tuple[float, float, float]          # estimate, low, high
    usd_per_run: tuple[float, float, float]
    runs_per_month: int

    @property
    def usd_per_month(self) -> tuple[float, float, float]:
        return tuple(v * self.runs_per_month for v in self.usd_per_run)  # type: ignore[return-value]


def project(fit: ScalingFit, size: float, instance: str, speedup: float = 1.0,
            runs_per_month: int = 30) -> Projection:
    """Price ``size`` rows on ``instance`` (price table), the measured machine's time divided by ``speedup``."""
    from .prices import hourly_rate

    if speedup <= 0:
        raise ValueError(f"speedup must be positive (1.0: as fast as the machine that was measured); got {speedup!r}.")
    rate = hourly_rate(instance)
    hours = tuple(s / speedup / 3600 for s in fit.seconds_at(size))
    return Projection(instance, float(size), hours, tuple(h * rate for h in hours), int(runs_per_month))
