"""tradeoffs.projection: the power-law fit recovers a known exponent; projections carry its uncertainty."""
from __future__ import annotations

import numpy as np
import pytest

from tradeoffs.prices import hourly_rate
from tradeoffs.projection import fit_scaling, project


def test_an_exact_power_law_is_recovered_with_a_tight_interval():
    sizes = np.array([1e3, 4e3, 1.6e4, 6.4e4])
    fit = fit_scaling(sizes, 2e-5 * sizes ** 1.3)
    assert fit.exponent == pytest.approx(1.3)
    assert fit.exponent_low == pytest.approx(1.3) and fit.exponent_high == pytest.approx(1.3)
    estimate, low, high = fit.seconds_at(1e7)
    assert estimate == pytest.approx(2e-5 * 1e7 ** 1.3) and low == pytest.approx(high)


def test_noisy_times_widen_the_projection_not_the_estimate():
    rng = np.random.default_rng(0)
    sizes = np.array([1e3, 2e3, 4e3, 8e3, 1.6e4])
    fit = fit_scaling(sizes, 1e-4 * sizes * rng.lognormal(0, 0.2, sizes.size))
    assert fit.exponent_low < fit.exponent < fit.exponent_high
    estimate, low, high = fit.seconds_at(1e7)
    assert low < estimate < high and high / low > 2  # extrapolating three decades multiplies the doubt


def test_projection_prices_hours_on_the_price_table():
    fit = fit_scaling([1e3, 1e4, 1e5], [1.0, 10.0, 100.0])  # linear: 1 ms per row
    p = project(fit, 3.6e6, "aws-m7i.large", speedup=2.0, runs_per_month=30)
    assert p.hours[0] == pytest.approx(0.5)
    assert p.usd_per_run[0] == pytest.approx(0.5 * hourly_rate("aws-m7i.large"))
    assert p.usd_per_month[0] == pytest.approx(30 * p.usd_per_run[0])


@pytest.mark.parametrize("sizes, seconds, match", [([1, 2], [1, 2], "three different sizes"),
                                                   ([1, 1, 2], [1, 1, 2], "three different sizes"),
                                                   ([1, 2, 3], [1, 0, 3], "positive"),
                                                   ([1, 2, 3], [1, 2], "one time per size")])
def test_bad_measurements_say_what_to_do(sizes, seconds, match):
    with pytest.raises(ValueError, match=match):
        fit_scaling(sizes, seconds)


def test_a_bad_speedup_is_refused():
    with pytest.raises(ValueError, match="speedup"):
        project(fit_scaling([1, 2, 4], [1, 2, 4]), 10, "aws-m7i.large", speedup=0)
