"""Time-series experiments, CI-sized on the real data: classification well above chance,
forecasting below the seasonal naive error, results and plots written."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from experiments.timeseries import classification, forecasting
from experiments.timeseries.config import ClassifyConfig, ForecastConfig
from experiments.timeseries.input_pipeline import SERIES, prepare
from seqjax.data import DataError, data_dir
from seqjax.data.timeseries import load_forecasting

pytestmark = pytest.mark.skipif(not (data_dir() / "timeseries" / "Airline.csv").is_file(),
                                reason="../shared/data is absent")


@pytest.mark.parametrize(("problem", "epochs", "chance", "margin"), [
    ("JapaneseVowels", 40, 1 / 9, 0.6),  # 9 speakers, variable lengths
    ("ItalyPowerDemand", 40, 0.5, 0.3),
])
def test_classification_beats_chance_clearly(tmp_path, problem, epochs, chance, margin):
    config = ClassifyConfig(problem=problem, epochs=epochs, seeds=1, run_dir=str(tmp_path))
    results = classification.run(config)
    assert results["problems"][problem]["mean_accuracy"] > chance + margin
    assert json.loads((tmp_path / "results.json").read_text())["problems"][problem]["epochs"] == epochs


def test_presets_fill_only_unset_options():
    config = classification.with_preset(ClassifyConfig(), "ItalyPowerDemand")
    assert (config.pooling, config.epochs, config.learning_rate) == ("last", 100, 3e-3)
    config = classification.with_preset(ClassifyConfig(pooling="mean", epochs=7), "BasicMotions")
    assert (config.pooling, config.epochs, config.learning_rate) == ("mean", 7, 1e-3)


def test_airline_forecast_beats_seasonal_naive_and_writes_a_plot(tmp_path):
    config = ForecastConfig(series="Airline", steps=400, seeds=1, run_dir=str(tmp_path / "run"),
                                     figures_dir=str(tmp_path / "figures"))
    result = forecasting.run(config)["series"]["Airline"]
    assert result["rnn"]["mase"] < result["seasonal_naive"]["mase"]
    assert 0.0 <= result["rnn"]["coverage80"] <= 1.0 and result["rnn"]["parameters"] > 0
    assert result["networks_baseline"]["mase"] == pytest.approx(result["seasonal_naive"]["mase"])
    assert (tmp_path / "figures" / "forecast_Airline.png").stat().st_size > 10_000


def test_windows_see_only_the_history_and_validation_is_its_last_horizon():
    spec = SERIES["Uschange"]
    columns = load_forecasting("Uschange")
    prepared = prepare(spec, columns)
    np.testing.assert_array_equal(prepared.future, columns["Consumption"][-spec.horizon:])
    history_steps = len(columns["Consumption"]) - spec.horizon
    assert len(prepared.fit.contexts) + len(prepared.valid.contexts) == history_steps - spec.context - spec.horizon + 1
    assert len(prepared.valid.contexts) == spec.horizon
    # the statistics are the history's: the held-out steps never enter them
    np.testing.assert_allclose(prepared.standardizer.mean[0], columns["Consumption"][:history_steps].mean())
    # known future inputs of the last window are the held-out quarters' inputs, standardised
    income = (columns["Income"][history_steps:] - prepared.standardizer.mean[1]) / prepared.standardizer.std[1]
    np.testing.assert_allclose(prepared.last.future_inputs[0, :, 0], income, rtol=1e-5)
    with pytest.raises(DataError, match="no fitting window"):
        prepare(dataclasses.replace(spec, context=170), columns)
