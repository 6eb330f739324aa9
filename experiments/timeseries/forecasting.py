"""The run behind ``python -m experiments.timeseries.forecast`` (forecast.py parses its flags,
before JAX loads).

Forecasting Airline, Uschange and solar with a recurrent forecaster, against seasonal naive,
"""

from __future__ import annotations

import pathlib
import time
from typing import Any

import jax
import matplotlib
import numpy as np

from experiments.timeseries.config import ForecastConfig
from experiments.timeseries.baselines import STATISTICAL_MODELS, statistical_forecast
from experiments.timeseries.input_pipeline import SERIES, Prepared, Windows, prepare
from seqjax import core, train
from seqjax.data.timeseries import load_forecasting
from seqjax.models.forecaster import RecurrentForecaster, WindowMLP
from seqjax.train.forecast_metrics import gaussian_interval, interval_coverage, mase, seasonal_naive, smape
from seqjax.train.losses import gaussian_nll

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LEVEL = 0.8


def fit_network(config: ForecastConfig, model: Any, prepared: Prepared, seed: int, run_dir: pathlib.Path) -> dict:
    """Trains ``model`` (full batch: every fitting window), keeps the parameters with the best
    validation likelihood (checked every ``config.eval_every`` steps) and returns their forecast
    in the series' units: ``{"mean", "lower", "upper"}`` ``[horizon]`` and ``"parameters"``."""

    def nll(params: Any, windows: Windows, rng: jax.Array | None = None) -> jax.Array:
        forecast = model.apply(params, windows.contexts, windows.future_inputs, deterministic=rng is None,
                               rngs=None if rng is None else {"dropout": rng})
        return gaussian_nll(forecast.mean, forecast.scale, windows.residuals)

    valid_nll = jax.jit(nll)
    loop = train.LoopConfig(steps=config.steps, log_every=config.steps // 5, eval_every=config.eval_every,
                            progress=False)
    fitted = train.fit(
        lambda key: model.init(key, prepared.last.contexts, prepared.last.future_inputs), nll,
        lambda step: prepared.fit, run_dir, loop=loop, seed=seed,
        optimizer=train.OptimizerConfig("adamw" if config.weight_decay else "adam", config.learning_rate,
                                        config.max_grad_norm, weight_decay=config.weight_decay),
        evaluate=lambda params: {"loss": float(valid_nll(params, prepared.valid))},
        tokens_in=lambda batch: batch.contexts.shape[0],
    )
    forecast = model.apply(fitted.params, *prepared.last[:2])
    lower, upper = gaussian_interval(forecast.mean[0], forecast.scale[0], LEVEL)
    return {"mean": prepared.to_original(forecast.mean[0]), "lower": prepared.to_original(lower),
            "upper": prepared.to_original(upper),
            "parameters": core.count_parameters(fitted.params)}


def scores(prepared: Prepared, forecast: dict) -> dict[str, float]:
    spec = prepared.spec
    result = {"mase": mase(prepared.future, forecast["mean"], prepared.history, spec.season),
              "smape": smape(prepared.future, forecast["mean"])}
    if "lower" in forecast:
        result["coverage80"] = interval_coverage(prepared.future, forecast["lower"], forecast["upper"])
    return result


def summarise(runs: list[dict]) -> dict[str, Any]:
    """Mean and std over seeds of each score."""
    summary = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
    summary.update({f"{k}_std": float(np.std([r[k] for r in runs])) for k in runs[0]})
    return summary


def plot(prepared: Prepared, forecasts: dict[str, dict], path: pathlib.Path) -> None:
    """History (the last 4 horizons), held-out values, each forecast, the RNN's 80 % interval."""
    spec, cut = prepared.spec, len(prepared.history)
    shown = min(cut, 4 * spec.horizon)
    before, after = np.arange(cut - shown, cut), np.arange(cut, cut + spec.horizon)
    figure, axes = plt.subplots(figsize=(8, 3.2), dpi=100)
    axes.plot(before, prepared.history[-shown:], color="black", lw=1, label="history")
    axes.plot(after, prepared.future, color="black", lw=1, ls=":", label="held out")
    rnn = forecasts["rnn"]
    axes.fill_between(after, rnn["lower"], rnn["upper"], color="tab:blue", alpha=0.2, label="RNN 80 % interval")
    styles = {"rnn": ("tab:blue", "RNN"), "mlp": ("tab:orange", "MLP"), "statistical": ("tab:green", "statistical"),
              "seasonal_naive": ("tab:gray", "seasonal naive")}
    for name, (color, label) in styles.items():
        axes.plot(after, forecasts[name]["mean"], color=color, lw=1.2, label=label)
    axes.set_title(f"{spec.name}: {spec.target}, {spec.horizon} steps ahead")
    axes.legend(fontsize=7, ncol=3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def forecast_series(config: ForecastConfig, prepared: Prepared, columns: dict[str, np.ndarray],
                    run_dir: pathlib.Path) -> tuple[dict[str, Any], dict[str, dict]]:
    spec = prepared.spec
    networks = {
        "rnn": RecurrentForecaster(spec.horizon, config.hidden_size, config.cell, dropout_rate=config.dropout_rate),
        "mlp": WindowMLP(spec.horizon, config.mlp_hidden_size, dropout_rate=config.dropout_rate),
    }
    result: dict[str, Any] = {}
    forecasts: dict[str, dict] = {}
    for name, model in networks.items():
        began = time.perf_counter()
        runs = [fit_network(config, model, prepared, seed, run_dir / name / f"seed-{seed}")
                for seed in range(config.seeds)]
        forecasts[name] = runs[0]
        result[name] = {**summarise([scores(prepared, r) for r in runs]), "parameters": runs[0]["parameters"],
                        "wall_s": time.perf_counter() - began}
    forecasts["seasonal_naive"] = {"mean": seasonal_naive(prepared.history, spec.horizon, spec.season)}
    result["networks_baseline"] = scores(prepared, {"mean": prepared.to_original(np.zeros(spec.horizon))})
    forecasts["statistical"] = statistical_forecast(spec, columns, LEVEL)
    result["seasonal_naive"] = scores(prepared, forecasts["seasonal_naive"])
    result["statistical"] = {**scores(prepared, forecasts["statistical"]), "model": STATISTICAL_MODELS[spec.name]}
    return result, forecasts


def run(config: ForecastConfig, data: dict[str, dict[str, np.ndarray]] | None = None) -> dict[str, Any]:
    """Forecasts every series (``data``: name -> columns; else the shared data's)."""
    names = tuple(SERIES) if config.series == "all" else (config.series,)
    run_dir = pathlib.Path(config.run_dir)
    results: dict[str, Any] = {"series": {}}
    for name in names:
        began = time.perf_counter()
        columns = data[name] if data is not None else load_forecasting(name, config.data_dir)
        prepared = prepare(SERIES[name], columns)
        result, forecasts = forecast_series(config, prepared, columns, run_dir / name)
        result["wall_s"] = time.perf_counter() - began
        results["series"][name] = result
        if config.figures_dir:
            plot(prepared, forecasts, pathlib.Path(config.figures_dir) / f"forecast_{name}.png")
        for method in ("rnn", "mlp", "statistical", "seasonal_naive"):
            r = result[method]
            coverage = f", 80 % coverage {100 * r['coverage80']:.0f} %" if "coverage80" in r else ""
            print(f"{name:9s} {method:15s} MASE {r['mase']:.3f}  sMAPE {r['smape']:6.2f}{coverage}", flush=True)
    train.write_results(run_dir, results, config)
    return results
