"""Point and interval accuracy of forecasts (numpy; float64).

``mase``: mean absolute scaled error (Hyndman & Koehler 2006), the forecast's mean absolute
error over the in-sample mean absolute error of the seasonal naive forecast on the history.
``smape``: symmetric mean absolute percentage error in percent, ``200 |y - f| / (|y| + |f|)``
averaged, a step where both are zero counting as zero error. ``interval_coverage``: the
fraction of actual values inside ``[lower, upper]``. ``gaussian_interval``: the central
interval of a Gaussian forecast holding ``level`` of its probability.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from seqjax.core import bad_argument


def _as_pair(actual: np.ndarray, forecast: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    actual, forecast = np.asarray(actual, np.float64), np.asarray(forecast, np.float64)
    if actual.shape != forecast.shape:
        raise bad_argument("forecast", f"the shape of actual {actual.shape}", f"{forecast.shape}")
    return actual, forecast


def seasonal_naive(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """``[horizon]``: each future step takes the value one (or more) seasons before it."""
    history = np.asarray(history, np.float64)
    if not 1 <= season <= len(history):
        raise bad_argument("season", f"a period between 1 and the history's {len(history)} steps", str(season))
    steps = np.arange(horizon)
    return history[len(history) - season + steps % season]


def mase(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season: int = 1) -> float:
    actual, forecast = _as_pair(actual, forecast)
    history = np.asarray(history, np.float64)
    if len(history) <= season:
        raise bad_argument("history", f"more than season={season} steps", f"{len(history)}")
    scale = np.mean(np.abs(history[season:] - history[:-season]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    actual, forecast = _as_pair(actual, forecast)
    denominator = np.abs(actual) + np.abs(forecast)
    safe = np.where(denominator > 0, denominator, 1.0)
    terms = np.where(denominator > 0, 2.0 * np.abs(actual - forecast) / safe, 0.0)
    return float(100.0 * np.mean(terms))


def interval_coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    actual, lower = _as_pair(actual, lower)
    _, upper = _as_pair(actual, upper)
    return float(np.mean((actual >= lower) & (actual <= upper)))


def gaussian_interval(mean: np.ndarray, scale: np.ndarray, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)`` = ``mean ∓ z scale`` with ``z`` the standard normal's ``(1 + level) / 2`` quantile."""
    if not 0.0 < level < 1.0:
        raise bad_argument("level", "a probability in (0, 1)", str(level))
    z = NormalDist().inv_cdf((1.0 + level) / 2.0)
    mean, scale = np.asarray(mean, np.float64), np.asarray(scale, np.float64)
    return mean - z * scale, mean + z * scale
