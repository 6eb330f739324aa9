"""The options of the time-series runs: each field of ``ClassifyConfig`` is a flag of ``python -m
experiments.timeseries.classify``, each of ``ForecastConfig`` one of ``python -m
experiments.timeseries.forecast``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses

from seqjax.choices import CellName, PoolingName


@dataclasses.dataclass(frozen=True)
class ClassifyConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      problem: a classification problem of seqjax.data.timeseries, or all.
      pooling: how the outputs become one vector (none: the problem's preset).
      epochs: passes over the training data (none: the problem's preset).
      learning_rate: Adam's learning rate (none: the problem's preset).
    """

    problem: str = "all"
    cell: CellName = "gru"
    hidden_size: int = 64
    pooling: PoolingName | None = None  # None: the problem's preset
    epochs: int | None = None  # None: the problem's preset
    batch_size: int = 16
    learning_rate: float | None = None  # None: the problem's preset
    max_grad_norm: float = 1.0
    seeds: int = 5
    data_dir: str | None = None
    run_dir: str = "runs/timeseries-classify"


@dataclasses.dataclass(frozen=True)
class ForecastConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      series: a forecasting series of seqjax.data.timeseries, or all.
      mlp_hidden_size: units of the MLP baseline.
      weight_decay: AdamW's weight decay.
      figures_dir: where the forecast figures go.
    """

    series: str = "all"
    cell: CellName = "gru"
    hidden_size: int = 16
    mlp_hidden_size: int = 64
    dropout_rate: float = 0.5
    steps: int = 1500
    eval_every: int = 10
    learning_rate: float = 1e-3
    weight_decay: float = 0.1
    max_grad_norm: float = 1.0
    seeds: int = 5
    data_dir: str | None = None
    run_dir: str = "runs/timeseries-forecast"
    figures_dir: str = "experiments/timeseries/figures"
