"""Handwriting, CI-sized: a tiny mixture-density LSTM predicts the pen of short synthetic words
far better than one Gaussian for every offset; samples and primed samples are drawn."""

from __future__ import annotations

import pytest

from experiments.handwriting.config import HandwritingConfig
from experiments.handwriting.experiment import run
from experiments.handwriting.train import parse_config

WORDS = ["on", "no", "noon", "moon", "mon", "nom"]


@pytest.mark.parametrize("conditional", [False, True])
def test_a_tiny_model_predicts_pen_offsets_below_the_independent_baseline(tmp_path, conditional):
    texts = [f"{a} {b}" for a in WORDS for b in WORDS]
    config = HandwritingConfig(train_lines=30, valid_lines=6, hidden_size=32, num_layers=2, num_components=4,
                               epochs=12, batch_size=6, learning_rate=1e-2, conditional=conditional,
                               window_components=3, sample_points=40, sample_text="moon", run_dir=str(tmp_path))
    results = run(config, texts)
    assert results["valid"]["nll_per_point"] < results["independent_baseline"]["nll_per_point"] - 1.0
    assert (tmp_path / "samples.png").stat().st_size > 0
    assert (tmp_path / "window.png").exists() == conditional


def test_options_are_checked_by_the_command_line():
    assert parse_config(["--num-components", "5"]).num_components == 5
    with pytest.raises(SystemExit):
        parse_config(["--bias", "high"])
