"""Confidence intervals for figures measured on a small test split (a bootstrap over its rows)."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import bootstrap


def bootstrap_interval(statistic: Callable[..., float], *samples, n_resamples: int = 1000, seed: int = 0,
                       confidence: float = 0.95):
    """Percentile bootstrap interval (``.low``, ``.high``) of ``statistic(*samples)``.

    The samples are resampled together, row by row (paired: labels and each model's scores stay
    aligned), with ``scipy.stats.bootstrap``; ``statistic`` takes one resample of every sample.
    """
    return bootstrap(tuple(np.asarray(s) for s in samples), statistic, paired=True, vectorized=False,
                     n_resamples=n_resamples, confidence_level=confidence, method="percentile",
                     rng=np.random.default_rng(seed)).confidence_interval
