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


def _lru_step_losses_numpy(params, inputs, readout, perturbations):
    """The LRU's per-step losses in a float64 numpy loop, ``perturbations [batch, time, hidden]``
    (complex) added to the state after each step; independent of seqjax's LRU and diagnostics."""
    p = {name: np.asarray(value, np.float64) for name, value in params._asdict().items()}
    eigenvalues = np.exp(-np.exp(p["nu_log"]) + 1j * np.exp(p["theta_log"]))
    input_matrix = p["input_real"] + 1j * p["input_imag"]
    output_matrix = p["output_real"] + 1j * p["output_imag"]
    state = np.zeros((BATCH, HIDDEN), complex)
    losses = []
    for t in range(TIME):
        state = eigenvalues * state + np.exp(p["gamma_log"]) * (inputs[:, t] @ input_matrix)
        state = state + perturbations[:, t]
        outputs = (state @ output_matrix).real + inputs[:, t] @ p["skip"]
        losses.append(np.sum(np.sin(outputs @ readout)))
    return np.array(losses)


def test_the_lrus_complex_state_gradient_norms_match_finite_differences_of_a_numpy_loop():
    """The LRU's output is a readout of its complex state: the norms count the gradient of the
    state's real and imaginary parts, through the readout."""
    cell = core.LRUCell()
    with jax.enable_x64(True):
        params = cell.init(jax.random.key(0), INPUT, HIDDEN, r_min=0.5, r_max=0.95, max_phase=np.pi, dtype=jnp.float64)
        inputs = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT), jnp.float64)
        readout = jax.random.normal(jax.random.key(2), (HIDDEN,), jnp.float64)
        norms = np.asarray(train.hidden_gradient_norms(
            cell, params, inputs, lambda outputs: jnp.sum(jnp.sin(outputs @ readout), axis=0)))
        last_norms = np.asarray(train.loss_gradient_norms(
            cell, params, inputs, lambda outputs: jnp.sum(jnp.sin(outputs[:, -1] @ readout))))
    inputs, readout = np.asarray(inputs), np.asarray(readout)
    eps = 1e-6
    jacobian = np.zeros((TIME, BATCH, TIME, HIDDEN, 2))
    for index in np.ndindex(BATCH, TIME, HIDDEN):
        for part, unit in enumerate((1.0, 1j)):
            bump = np.zeros((BATCH, TIME, HIDDEN), complex)
            bump[index] = eps * unit
            jacobian[(slice(None), *index, part)] = (
                _lru_step_losses_numpy(params, inputs, readout, bump) - _lru_step_losses_numpy(params, inputs, readout, -bump)
            ) / (2 * eps)
    expected = np.sqrt(np.sum(jacobian**2, axis=(1, 3, 4)))
    np.testing.assert_allclose(norms, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(last_norms, expected[-1], rtol=1e-6, atol=1e-9)
    assert np.all(norms[np.triu_indices(TIME, 1)] == 0.0)
    assert np.all(np.diagonal(norms) > 0.0)


def test_an_unbatched_input_is_refused_with_the_shape_expected():
    cell = core.SimpleRNNCell()
    params = cell.init(jax.random.key(0), 3, 4)
    with pytest.raises(ValueError, match=r"^inputs: expected \[batch, time, input\] .*received shape \(5,\)"):
        train.hidden_gradient_norms(cell, params, jnp.ones((5,)), lambda h: h.sum(axis=(0, 2)))
