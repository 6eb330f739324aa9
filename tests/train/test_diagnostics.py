"""``||dL_t/dh_k||`` from one vectorised backward pass, against finite differences."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core, train
from tests.helpers import random_params

BATCH, TIME, INPUT, HIDDEN = 2, 6, 3, 4


def _problem(cell):
    params = random_params(cell, INPUT, HIDDEN, seed=0, dtype=jnp.float64)
    inputs = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT), jnp.float64)
    readout = jax.random.normal(jax.random.key(2), (HIDDEN,), jnp.float64)

    def step_losses(hiddens):  # [batch, time, hidden] -> [time]
        return jnp.sum(jnp.sin(hiddens @ readout), axis=0)

    return params, inputs, step_losses


@pytest.mark.parametrize("cell", [core.SimpleRNNCell(), core.LSTMCell(), core.GRUCell()], ids=["rnn", "lstm", "gru"])
def test_gradient_norms_match_central_finite_differences(cell):
    with jax.enable_x64(True):
        params, inputs, step_losses = _problem(cell)
        norms = np.asarray(train.hidden_gradient_norms(cell, params, inputs, step_losses))

        perturbed = jax.jit(lambda e: train.perturbed_step_losses(cell, params, inputs, step_losses, e))

        def losses(perturbations):
            return np.asarray(perturbed(jnp.asarray(perturbations)))

        eps = 1e-6
        jacobian = np.zeros((TIME, BATCH, TIME, HIDDEN))
        for b in range(BATCH):
            for k in range(TIME):
                for j in range(HIDDEN):
                    bump = np.zeros((BATCH, TIME, HIDDEN))
                    bump[b, k, j] = eps
                    jacobian[:, b, k, j] = (losses(bump) - losses(-bump)) / (2 * eps)
        expected = np.sqrt(np.sum(jacobian**2, axis=(1, 3)))
    np.testing.assert_allclose(norms, expected, rtol=1e-6, atol=1e-9)
    assert np.all(norms[np.triu_indices(TIME, 1)] == 0.0)  # no step's loss depends on later states
    assert np.all(np.diagonal(norms) > 0.0)


def test_unperturbed_losses_are_those_of_the_scan_runner():
    cell = core.LSTMCell()
    with jax.enable_x64(True):
        params, inputs, step_losses = _problem(cell)
        outputs, _ = core.run(cell, params, inputs)
        direct = train.perturbed_step_losses(cell, params, inputs, step_losses, jnp.zeros((BATCH, TIME, HIDDEN)))
        expected = step_losses(outputs)
    np.testing.assert_allclose(direct, expected, rtol=1e-12)


def test_norms_by_distance_decay_for_a_contracting_rnn_and_are_plotted(tmp_path):
    cell = core.SimpleRNNCell()
    params = cell.init(jax.random.key(0), INPUT, HIDDEN)
    params = params._replace(recurrent_kernel=0.3 * params.recurrent_kernel)
    inputs = jax.random.normal(jax.random.key(1), (BATCH, 20, INPUT))
    norms = train.hidden_gradient_norms(cell, params, inputs, lambda h: jnp.sum(h, axis=(0, 2)))
    by_distance = train.gradient_norm_by_distance(norms)
    assert by_distance.shape == (20,)
    assert by_distance[10] < 1e-3 * by_distance[0]
    np.testing.assert_allclose(by_distance[1], np.mean(np.diagonal(np.asarray(norms), offset=-1)), rtol=1e-6)
    path = tmp_path / "decay.png"
    train.plot_gradient_norm_by_distance({"tanh, W scaled by 0.3": by_distance}, str(path))
    assert path.stat().st_size > 5_000


@pytest.mark.parametrize(
    "cell", [core.SimpleRNNCell(), core.SkipRNNCell(skip=3), core.OrthogonalRNNCell()], ids=["rnn", "skip", "orthogonal"]
)
def test_gradient_of_one_loss_matches_central_finite_differences(cell):
    with jax.enable_x64(True):
        params, inputs, _ = _problem(cell)
        readout = jax.random.normal(jax.random.key(3), (HIDDEN,), jnp.float64)

        def last_step_loss(hiddens):  # the loss read at the final step only
            return jnp.sum(jnp.cos(hiddens[:, -1] @ readout))

        norms = np.asarray(train.loss_gradient_norms(cell, params, inputs, last_step_loss))
        loss = jax.jit(lambda e: train.perturbed_step_losses(cell, params, inputs, last_step_loss, e))
        eps = 1e-6
        gradient = np.zeros((BATCH, TIME, HIDDEN))
        for index in np.ndindex(BATCH, TIME, HIDDEN):
            bump = np.zeros((BATCH, TIME, HIDDEN))
            bump[index] = eps
            gradient[index] = (float(loss(jnp.asarray(bump))) - float(loss(jnp.asarray(-bump)))) / (2 * eps)
        expected = np.sqrt(np.sum(gradient**2, axis=(0, 2)))
    assert norms.shape == (TIME,)
    np.testing.assert_allclose(norms, expected, rtol=1e-6, atol=1e-9)
    assert np.all(norms > 0.0)


def test_an_unbatched_input_is_refused_with_the_shape_expected():
    cell = core.SimpleRNNCell()
    params = cell.init(jax.random.key(0), 3, 4)
    with pytest.raises(ValueError, match=r"^inputs: expected \[batch, time, input\] .*received shape \(5,\)"):
        train.hidden_gradient_norms(cell, params, jnp.ones((5,)), lambda h: h.sum(axis=(0, 2)))
