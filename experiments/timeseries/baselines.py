"""The statistical forecasting baselines (statsmodels), each series' textbook model, with its
own prediction intervals:

- Airline: Box & Jenkins' "airline model", SARIMA(0,1,1)(0,1,1)12 of the log passengers
  (intervals exponentiated);
- Uschange: regression of consumption growth on the other four series with AR(1) errors
  (SARIMAX with exogenous inputs, given the same known future inputs as the networks);
- solar: ETS(A,N,A) with the daily season of 48 half hours (zeros at night rule out
  multiplicative forms).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.statespace.sarimax import SARIMAX

from experiments.timeseries.input_pipeline import SeriesSpec

STATISTICAL_MODELS = {
    "Airline": "SARIMA(0,1,1)(0,1,1)12 of log",
    "Uschange": "regression on the 4 inputs, AR(1) errors",
    "solar": "ETS(A,N,A) m=48",
}


def statistical_forecast(spec: SeriesSpec, columns: dict[str, np.ndarray], level: float = 0.8) -> dict[str, np.ndarray]:
    """``{"mean", "lower", "upper"}`` ``[horizon]`` of ``spec``'s statistical model fitted by
    maximum likelihood to the history of ``columns`` (all but the last ``horizon`` steps); the
    interval holds ``level``."""
    target = np.asarray(columns[spec.target], np.float64)
    cut = len(target) - spec.horizon
    history = target[:cut]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter from the optimisers
        if spec.name in ("Airline", "Uschange"):
            if spec.name == "Airline":
                model = SARIMAX(np.log(history), order=(0, 1, 1), seasonal_order=(0, 1, 1, spec.season))
                exogenous = None
            else:
                inputs = np.stack([columns[c] for c in spec.inputs], axis=-1)
                model = SARIMAX(history, exog=inputs[:cut], order=(1, 0, 0), trend="c")
                exogenous = inputs[cut:]
            prediction = model.fit(disp=False).get_forecast(spec.horizon, exog=exogenous)
            mean, interval = prediction.predicted_mean, prediction.conf_int(alpha=1.0 - level)
            if spec.log:
                mean, interval = np.exp(mean), np.exp(interval)
            return {"mean": mean, "lower": interval[:, 0], "upper": interval[:, 1]}
        seasonal = {"seasonal": "add", "seasonal_periods": spec.season} if spec.name == "solar" else {}
        fitted = ETSModel(pd.Series(history), error="add", trend=None, **seasonal).fit(disp=False)
        frame = fitted.get_prediction(start=cut, end=len(target) - 1).summary_frame(alpha=1.0 - level)
    return {"mean": frame["mean"].to_numpy(), "lower": frame["pi_lower"].to_numpy(),
            "upper": frame["pi_upper"].to_numpy()}
