"""The demo job learns: its loss falls well below chance on the delayed-echo task."""

from __future__ import annotations

import dataclasses
import math

from experiments.delayed_echo import experiment
from experiments.delayed_echo.config import Config


def test_delayed_echo_loss_falls_below_half_of_chance(capsys):
    config = dataclasses.replace(Config(), steps=300, log_every=100)
    final_loss = experiment.main(config)
    assert final_loss < 0.5 * math.log(config.vocab_size)
    assert "step   300" in capsys.readouterr().out
