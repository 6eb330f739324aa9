"""Forecasting Airline, Uschange and solar with a recurrent forecaster, against seasonal naive,
a fixed-window MLP and each series' statistical model (``baselines``), measured in one run.

    python -m experiments.timeseries.forecast                   # all three series, 5 seeds
    python -m experiments.timeseries.forecast --series Airline

The last ``horizon`` steps of each series are held out (Airline 24 months, Uschange 8
quarters, solar one day of 48 half hours; see ``input_pipeline.SERIES``). The RNN (a GRU over
the context window) and the MLP (the window flattened) are trained on every window of the
history with the Gaussian negative log-likelihood, early-stopped on the validation windows
(those whose future lies in the history's last ``horizon`` steps), and forecast all
``horizon`` steps at once (direct multi-step), a mean and a standard deviation each, as
residuals from a baseline forecast made from the window (its last season, its level, or zero;
see ``input_pipeline``); the 80 % interval is the central one of that Gaussian. Reports MASE
(scaled by the in-sample seasonal naive error), sMAPE and the 80 % interval's coverage for
every method, mean ± std over the seeds for the two networks, with their parameter counts,
and the scores of the networks' baseline alone; writes ``<run_dir>/results.json`` and a plot
per series (history, held-out values, forecasts, the RNN's interval) to ``--figures-dir``.
"""

from __future__ import annotations

from experiments.timeseries.config import ForecastConfig
from experiments.timeseries.input_pipeline import SERIES
from seqjax import flags


def parse_config(argv: list[str] | None = None) -> ForecastConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    choices = {"series": ("all", *SERIES)}
    return flags.parse(ForecastConfig, argv, __doc__.splitlines()[0], choices, command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.timeseries.forecasting:run", parse_config)
