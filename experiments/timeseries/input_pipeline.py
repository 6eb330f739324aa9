"""The forecasting series, their transforms and their training windows.

Each series (``SERIES``) forecasts one target column ``horizon`` steps past the end of its
history; the last ``horizon`` steps are held out. The model sees a window of ``context``
steps of the target and of the ``inputs`` columns (past values only), all standardised with
statistics of the history alone, the target first logged when ``log`` is set. Each window's
mean target level is subtracted from its target context, so a trending series looks
stationary to the model, and the model learns the future's residual from a ``baseline``
forecast made from the context alone: ``"level"`` (that mean, repeated), ``"seasonal"``
(the context's last season, repeated: seasonal naive) or ``"none"`` (zero: the model
forecasts the standardised values themselves). The forecast is the baseline plus the
model's residual.
The windows whose future reaches into the history's last ``horizon`` steps are kept apart for
validation (early stopping); the others are for fitting.

With ``known_future_inputs`` (Uschange) the inputs over the horizon are given to the model
as well: an ex-post forecast, consumption given the quarters' income, production, savings
and unemployment, as in Hyndman & Athanasopoulos' regression chapter (FPP2 §5).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from seqjax.data.files import DataError
from seqjax.data.timeseries import Standardizer
from seqjax.data.windows import sliding_windows


@dataclasses.dataclass(frozen=True)
class SeriesSpec:
    """How one series is forecast (see the module's docstring)."""

    name: str
    target: str
    inputs: tuple[str, ...]
    season: int
    horizon: int
    context: int
    log: bool = False
    baseline: str = "level"
    known_future_inputs: bool = False


SERIES = {
    "Airline": SeriesSpec("Airline", "Passengers", (), season=12, horizon=24, context=36, log=True,
                          baseline="seasonal"),
    "Uschange": SeriesSpec("Uschange", "Consumption", ("Income", "Production", "Savings", "Unemployment"),
                           season=4, horizon=8, context=16, baseline="none", known_future_inputs=True),
    "solar": SeriesSpec("solar", "solar_gen", (), season=48, horizon=48, context=96, baseline="seasonal"),
}
BASELINES = ("level", "seasonal", "none")


class Windows(NamedTuple):
    """Windows on the model's scale: ``contexts [n, context, features]`` (target first, each
    window's target mean subtracted), ``future_inputs [n, horizon, inputs]`` (the inputs over
    the horizon when they are known, else None) and ``residuals [n, horizon]`` (the target's
    future minus the baseline forecast; None where the future is not to be seen)."""

    contexts: np.ndarray
    future_inputs: np.ndarray | None
    residuals: np.ndarray | None


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A series ready for training and forecasting.

    Attributes:
      history, future: the target's observed values before and in the held-out horizon.
      fit, valid: the fitting windows and the ``horizon`` validation windows, cut from the
        history alone.
      last: the one window that ends the history (its residuals None).
      last_baseline: ``[horizon]`` its baseline forecast (model scale).
      standardizer: the history's statistics (target first).
    """

    spec: SeriesSpec
    history: np.ndarray
    future: np.ndarray
    fit: Windows
    valid: Windows
    last: Windows
    last_baseline: np.ndarray
    standardizer: Standardizer

    def to_original(self, residuals: np.ndarray) -> np.ndarray:
        """Residuals ``[horizon]`` of the last window (model scale) to forecasts in the series' units."""
        values = (np.asarray(residuals, np.float64) + self.last_baseline) * self.standardizer.std[0]
        values = values + self.standardizer.mean[0]
        return np.exp(values) if self.spec.log else values


def _centred(contexts: np.ndarray, spec: SeriesSpec) -> tuple[np.ndarray, np.ndarray]:
    """``(contexts with each window's target mean subtracted, baselines [n, horizon])``."""
    target = contexts[:, :, 0]
    if spec.baseline == "seasonal":
        baselines = target[:, len(target[0]) - spec.season + np.arange(spec.horizon) % spec.season]
    elif spec.baseline == "level":
        baselines = np.repeat(target.mean(axis=1, keepdims=True), spec.horizon, axis=1)
    else:
        baselines = np.zeros((len(target), spec.horizon), target.dtype)
    centred = contexts.copy()
    centred[:, :, 0] -= target.mean(axis=1, keepdims=True)
    return centred, baselines


def _known(futures: np.ndarray, spec: SeriesSpec) -> np.ndarray | None:
    return futures[:, :, 1:] if spec.known_future_inputs else None


def prepare(spec: SeriesSpec, columns: dict[str, np.ndarray]) -> Prepared:
    """Splits ``columns`` (``seqjax.data.timeseries.load_forecasting``) and cuts the windows."""
    if spec.baseline not in BASELINES or not 1 <= spec.season <= spec.context:
        raise DataError(f"{spec.name}: expected baseline in {BASELINES} and 1 <= season <= context, received "
                        f"{spec.baseline!r}, season={spec.season}, context={spec.context}")
    target = np.asarray(columns[spec.target], np.float64)
    table = np.stack([np.log(target) if spec.log else target, *(columns[c] for c in spec.inputs)], axis=-1)
    cut = len(target) - spec.horizon
    standardizer = Standardizer.fit(table[None, :cut])
    scaled = standardizer(table[None])[0]
    contexts, futures = sliding_windows(scaled[:cut], spec.context, spec.horizon)
    if len(contexts) <= spec.horizon:
        raise DataError(f"{spec.name}: {len(target)} steps leave no fitting window for context={spec.context} "
                        f"and horizon={spec.horizon} (expected at least {3 * spec.horizon + spec.context})")
    contexts, baselines = _centred(contexts, spec)
    residuals = (futures[:, :, 0] - baselines).astype(np.float32)
    known = _known(futures, spec)
    last_context, last_baseline = _centred(scaled[None, cut - spec.context : cut], spec)
    fit = len(contexts) - spec.horizon
    part = lambda rows: Windows(contexts[rows], None if known is None else known[rows], residuals[rows])  # noqa: E731
    return Prepared(spec, target[:cut], target[cut:], part(slice(0, fit)), part(slice(fit, None)),
                    Windows(last_context, _known(scaled[None, cut:], spec), None), last_baseline[0], standardizer)
