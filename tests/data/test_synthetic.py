"""The generated long-range tasks: structure, seeds, and their trivial baselines."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from seqjax import core, data


def test_adding_problem_marks_one_step_in_each_half_and_sums_them():
    inputs, targets = data.adding_problem(seed=3, batch=50, time=40)
    assert inputs.shape == (50, 40, 2) and targets.shape == (50,)
    markers = inputs[..., 1]
    assert np.all(markers.sum(1) == 2) and np.all(markers[:, :20].sum(1) == 1)
    np.testing.assert_allclose(targets, (inputs[..., 0] * markers).sum(1), rtol=1e-6)
    again, _ = data.adding_problem(seed=3, batch=50, time=40)
    np.testing.assert_array_equal(inputs, again)


def test_adding_trivial_baseline_is_one_sixth():
    _, targets = data.adding_problem(seed=0, batch=200_000, time=10)
    assert np.mean((targets - 1.0) ** 2) == pytest.approx(data.ADDING_BASELINE_MSE, rel=0.02)


def test_copy_task_recalls_the_symbols_after_the_delimiter():
    inputs, targets = data.copy_task(seed=1, batch=5, time=30, symbols=8, remember=10)
    assert inputs.shape == targets.shape == (5, 50)
    np.testing.assert_array_equal(targets[:, -10:], inputs[:, :10])
    assert np.all(targets[:, :-10] == 0) and np.all((inputs[:, :10] >= 1) & (inputs[:, :10] <= 8))
    assert np.all(inputs[:, 39] == 9) and np.all(inputs[:, 10:39] == 0) and np.all(inputs[:, 40:] == 0)


def test_copy_baseline_is_the_cross_entropy_of_the_memoryless_predictor():
    time, symbols, remember = 30, 8, 10
    _, targets = data.copy_task(seed=2, batch=100, time=time, symbols=symbols, remember=remember)
    probabilities = np.zeros(targets.shape + (symbols + 2,))
    probabilities[:, :-remember, 0] = 1.0
    probabilities[:, -remember:, 1 : symbols + 1] = 1.0 / symbols
    picked = np.take_along_axis(probabilities, targets[..., None], -1)[..., 0]
    assert np.mean(-np.log(picked)) == pytest.approx(data.copy_baseline_cross_entropy(time, symbols=symbols,
                                                                                       remember=remember))


def test_an_lstm_learns_the_short_adding_problem_well_below_the_baseline():
    cell = core.LSTMCell()
    params = {"cell": cell.init(jax.random.key(0), 2, 32, forget_bias=1.0),
              "head": jnp.zeros((32,)), "bias": jnp.ones(())}
    optimizer = optax.adam(1e-2)
    state = optimizer.init(params)

    def loss(params, inputs, targets):
        outputs, _ = core.run(cell, params["cell"], inputs)
        return jnp.mean((outputs[:, -1] @ params["head"] + params["bias"] - targets) ** 2)

    @jax.jit
    def step(params, state, inputs, targets):
        value, grads = jax.value_and_grad(loss)(params, inputs, targets)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value

    for seed in range(400):
        params, state, _ = step(params, state, *data.adding_problem(seed, 64, 20))
    test_loss = float(loss(params, *data.adding_problem(10_000, 1000, 20)))
    print(f"adding problem T=20: test MSE {test_loss:.4f} against the baseline {data.ADDING_BASELINE_MSE:.4f}")
    assert test_loss < 0.1 * data.ADDING_BASELINE_MSE
