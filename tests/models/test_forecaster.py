"""Forecasters: a noiseless sine learned to near-zero error; the head starts at zero and takes
known future inputs through one shared linear map."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from seqjax.data.windows import sliding_windows
from seqjax.models.forecaster import GaussianHead, RecurrentForecaster, WindowMLP
from seqjax.train.losses import gaussian_nll


def _fit(model, contexts, futures, steps=500, learning_rate=1e-2):
    params = model.init(jax.random.key(0), contexts[:1])
    optimizer = optax.adam(learning_rate)
    state = optimizer.init(params)

    @jax.jit
    def step(params, state):
        def loss(p):
            forecast = model.apply(p, contexts)
            return gaussian_nll(forecast.mean, forecast.scale, futures)
        grads = jax.grad(loss)(params)
        updates, state = optimizer.update(grads, state)
        return optax.apply_updates(params, updates), state

    for _ in range(steps):
        params, state = step(params, state)
    return params


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_recurrent_forecaster_learns_a_noiseless_sine(cell):
    t = np.arange(400)
    series = np.sin(2 * np.pi * t / 25.0)[:, None].astype(np.float32)
    contexts, futures = sliding_windows(series, 30, 10)
    futures = futures[..., 0]
    model = RecurrentForecaster(horizon=10, hidden_size=32, cell=cell)
    params = _fit(model, contexts[:300:3], futures[:300:3])  # every third window: the phase repeats every 25
    forecast = model.apply(params, contexts[300:])  # windows never trained on
    assert float(jnp.sqrt(jnp.mean((forecast.mean - futures[300:]) ** 2))) < 0.03  # amplitude 1
    assert float(jnp.mean(forecast.scale)) < 0.05  # and knows it


def test_untrained_forecasters_predict_zero_and_known_inputs_enter_each_step_alike():
    context = jax.random.normal(jax.random.key(0), (4, 12, 3))
    known = jax.random.normal(jax.random.key(1), (4, 6, 2))
    for model in (RecurrentForecaster(horizon=6, hidden_size=8), WindowMLP(horizon=6, hidden_size=8)):
        params = model.init(jax.random.key(2), context, known)
        forecast = model.apply(params, context, known)
        assert forecast.mean.shape == forecast.scale.shape == (4, 6)
        np.testing.assert_array_equal(forecast.mean, 0.0)
        assert bool(jnp.all(forecast.scale > 0))
    head = GaussianHead(horizon=6)
    params = head.init(jax.random.key(0), jnp.zeros((4, 5)), known)
    weights = jnp.array([[2.0], [-1.0]])
    params["params"]["known"]["kernel"] = weights
    forecast = head.apply(params, jnp.zeros((4, 5)), known)
    np.testing.assert_allclose(forecast.mean, known @ weights[:, 0], rtol=1e-6)
