"""Forecasters: a context window of a multivariate series in, a Gaussian over the next
``horizon`` values of one target series out (direct multi-step forecasting). Inputs known
over the horizon (covariates observed or planned for the future steps), when given, add to each
future step's mean through one linear map shared by the steps (a dynamic-regression term).

``RecurrentForecaster`` reads the window with a stack of recurrent layers; ``WindowMLP`` is
the fixed-window multilayer perceptron it is compared with (the window flattened). Both end
in a ``GaussianHead``: a mean and a standard deviation per future step, from which
``seqjax.train.forecast_metrics.gaussian_interval`` gives prediction intervals.
"""

from __future__ import annotations

from typing import NamedTuple

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import nn
from seqjax.nn import CellName, recurrent_layer
from seqjax.nn.dense import Dense
from seqjax.nn.dropout import checked_dropout


class GaussianForecast(NamedTuple):
    """``mean`` and ``scale`` (standard deviation), each ``[batch, horizon]``."""

    mean: jax.Array
    scale: jax.Array


class GaussianHead(linen.Module):
    """``(features [batch, features], future_inputs [batch, horizon, known] | None)`` ->
    ``GaussianForecast`` over ``horizon`` steps; the scale is ``softplus(raw) + min_scale`` so
    it stays positive, ``raw`` one learned number per step, or (``heteroscedastic``) a linear
    function of the features, which on a few hundred windows tends to shrink onto the training
    windows and give overconfident intervals. The mean's layers start at zero, so an untrained
    forecaster predicts zero: trained on residuals from a baseline forecast, it starts at the
    baseline."""

    horizon: int
    min_scale: float = 1e-3
    heteroscedastic: bool = False

    @linen.compact
    def __call__(self, features: jax.Array, future_inputs: jax.Array | None = None) -> GaussianForecast:
        mean = Dense(self.horizon, kernel_init=linen.initializers.zeros, name="mean")(features)
        if future_inputs is not None:
            mean = mean + Dense(1, kernel_init=linen.initializers.zeros, name="known")(future_inputs)[..., 0]
        if self.heteroscedastic:
            scale = Dense(self.horizon, name="scale")(features)
        else:
            scale = jnp.broadcast_to(self.param("scale", linen.initializers.zeros, (self.horizon,)), mean.shape)
        return GaussianForecast(mean, jax.nn.softplus(scale) + self.min_scale)


class RecurrentForecaster(linen.Module):
    """Call: ``(context [batch, time, features], future_inputs [batch, horizon, known] | None,
    *, deterministic=True)`` -> ``GaussianForecast`` ``[batch, horizon]``, from the top layer's
    output at the last step of the context (and the future inputs, see ``GaussianHead``).
    ``dropout_rate`` drops that output's units in training (rng ``"dropout"``)."""

    horizon: int
    hidden_size: int = 64
    cell: CellName = "gru"
    num_layers: int = 1
    dropout_rate: float = 0.0

    @linen.compact
    def __call__(self, context: jax.Array, future_inputs: jax.Array | None = None, *,
                 deterministic: bool = True) -> GaussianForecast:
        outputs, _ = nn.stack(recurrent_layer(self.cell, self.hidden_size), self.num_layers)(context)
        features = checked_dropout(self.dropout_rate)(outputs[:, -1], deterministic=deterministic)
        return GaussianHead(self.horizon, name="head")(features, future_inputs)


class WindowMLP(linen.Module):
    """Call: ``(context [batch, time, features], future_inputs [batch, horizon, known] | None,
    *, deterministic=True)`` -> ``GaussianForecast`` ``[batch, horizon]``: the window
    flattened, ``num_layers`` ReLU layers of ``hidden_size`` (each output dropped at
    ``dropout_rate`` in training), the Gaussian head (which takes the future inputs)."""

    horizon: int
    hidden_size: int = 64
    num_layers: int = 1
    dropout_rate: float = 0.0

    @linen.compact
    def __call__(self, context: jax.Array, future_inputs: jax.Array | None = None, *,
                 deterministic: bool = True) -> GaussianForecast:
        x = context.reshape(context.shape[0], -1)
        for index in range(self.num_layers):
            x = jax.nn.relu(Dense(self.hidden_size, name=f"hidden_{index}")(x))
            x = checked_dropout(self.dropout_rate)(x, deterministic=deterministic)
        return GaussianHead(self.horizon, name="head")(x, future_inputs)
