"""Forecast metrics against hand computations; interval coverage on synthetic Gaussian data;
the Gaussian negative log-likelihood against the density written out in numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seqjax.train.forecast_metrics import gaussian_interval, interval_coverage, mase, seasonal_naive, smape
from seqjax.train.losses import gaussian_nll


def test_seasonal_naive_repeats_the_last_season():
    history = np.array([1.0, 2, 3, 4, 5, 6, 7])
    np.testing.assert_array_equal(seasonal_naive(history, 5, 3), [5, 6, 7, 5, 6])
    np.testing.assert_array_equal(seasonal_naive(history, 2, 1), [7, 7])


def test_mase_and_smape_by_hand():
    history = np.array([1.0, 3, 2, 6])  # season 2: |2-1|, |6-3| -> in-sample MAE 2
    actual, forecast = np.array([4.0, 8]), np.array([5.0, 5])
    assert mase(actual, forecast, history, season=2) == pytest.approx((1 + 3) / 2 / 2)
    assert smape(actual, forecast) == pytest.approx(100 * (2 * 1 / 9 + 2 * 3 / 13) / 2)
    assert smape(np.array([0.0, 1]), np.array([0.0, 1])) == 0.0  # both zero: no error
    assert smape(np.array([0.0]), np.array([1e-9])) == pytest.approx(200.0)


def test_gaussian_80_percent_interval_covers_80_percent_of_gaussian_draws():
    rng = np.random.default_rng(0)
    mean, scale = rng.normal(size=100_000), rng.uniform(0.5, 3.0, 100_000)
    actual = rng.normal(mean, scale)
    lower, upper = gaussian_interval(mean, scale, 0.8)
    assert interval_coverage(actual, lower, upper) == pytest.approx(0.8, abs=0.005)
    np.testing.assert_allclose(upper - mean, 1.2815515655446004 * scale, rtol=1e-12)  # z_0.9
    narrow = gaussian_interval(mean, 0.5 * scale, 0.8)
    assert interval_coverage(actual, *narrow) == pytest.approx(0.4784, abs=0.005)  # P(|Z| < 0.6408)


def test_coverage_counts_the_bounds_as_inside_and_checks_shapes():
    assert interval_coverage(np.array([0.0, 1, 2, 3]), np.array([0.0, 0, 0, 0]), np.array([2.0, 2, 2, 2])) == 0.75
    with pytest.raises(ValueError, match="forecast"):
        interval_coverage(np.zeros(3), np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="level"):
        gaussian_interval(np.zeros(1), np.ones(1), 1.5)


def test_gaussian_nll_matches_the_density():
    rng = np.random.default_rng(1)
    mean, scale, targets = rng.normal(size=(3, 5)), rng.uniform(0.1, 2, (3, 5)), rng.normal(size=(3, 5))
    density = np.exp(-0.5 * ((targets - mean) / scale) ** 2) / (scale * math.sqrt(2 * math.pi))
    assert float(gaussian_nll(mean, scale, targets)) == pytest.approx(-np.log(density).mean(), rel=1e-5)
