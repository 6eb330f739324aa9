"""Initialisation: orthogonal and identity recurrent blocks, gate biases in their documented slices."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from seqjax.core import gru, initializers, lstm

H = 64


def gate_block(matrix, gate):
    return np.asarray(matrix[:, gate * H : (gate + 1) * H], np.float64)


@pytest.mark.parametrize("cell", [core.SimpleRNNCell(), core.LSTMCell(), core.GRUCell()], ids=["rnn", "lstm", "gru"])
def test_every_recurrent_gate_block_is_orthogonal_at_init(cell):
    params = cell.init(jax.random.key(0), 10, H)
    assert params.recurrent_kernel.shape == (H, cell.num_gates * H)
    for gate in range(cell.num_gates):
        W = gate_block(params.recurrent_kernel, gate)
        assert np.linalg.norm(W.T @ W - np.eye(H)) < 1e-5
    blocks = [gate_block(params.recurrent_kernel, g) for g in range(cell.num_gates)]
    assert all(not np.allclose(a, b) for a, b in zip(blocks, blocks[1:]))  # independent draws


def test_identity_initialiser_gives_an_irnn():
    cell = core.SimpleRNNCell(activation=jax.nn.relu)
    params = cell.init(jax.random.key(0), 3, H, recurrent_init=initializers.identity)
    np.testing.assert_array_equal(params.recurrent_kernel, np.eye(H))
    half = initializers.scaled(initializers.identity, 0.5)(jax.random.key(0), (4, 4), jnp.float32)
    np.testing.assert_array_equal(half, 0.5 * np.eye(4))
    with pytest.raises(ValueError, match=r"shape: expected a square"):
        initializers.identity(jax.random.key(0), (3, 4), jnp.float32)


def test_input_initialiser_has_lecun_variance_and_can_be_replaced():
    params = core.LSTMCell().init(jax.random.key(0), 400, H)
    assert params.input_kernel.shape == (400, 4 * H)
    assert abs(float(jnp.var(params.input_kernel)) * 400 - 1.0) < 0.05
    zeros = core.LSTMCell().init(jax.random.key(0), 4, H, input_init=jax.nn.initializers.zeros)
    np.testing.assert_array_equal(zeros.input_kernel, 0.0)


def bias_slices(bias, num_gates):
    return [np.asarray(bias[g * H : (g + 1) * H]) for g in range(num_gates)]


def test_lstm_forget_bias_sits_in_the_second_slice():
    assert lstm.FORGET_GATE == 1
    for forget_bias, expected in ((None, 1.0), (3.0, 3.0)):
        options = {} if forget_bias is None else {"forget_bias": forget_bias}
        params = core.LSTMCell().init(jax.random.key(0), 5, H, **options)
        i, f, g, o = bias_slices(params.bias, 4)
        np.testing.assert_array_equal(f, expected)
        for other in (i, g, o):
            np.testing.assert_array_equal(other, 0.0)


def test_forget_bias_one_keeps_the_cell_state_longer():
    """With zero inputs and weights, c_t = sigmoid(b_f) * c_{t-1}: b_f=1 keeps ~73% a step."""
    cell = core.LSTMCell()
    params = cell.init(jax.random.key(0), 2, H, recurrent_init=jax.nn.initializers.zeros,
                       input_init=jax.nn.initializers.zeros)
    carry = core.LSTMState(hidden=jnp.zeros((1, H)), cell=jnp.ones((1, H)))
    _, final = core.run(cell, params, jnp.zeros((1, 3, 2)), initial_carry=carry)
    np.testing.assert_allclose(final.cell, (1 / (1 + np.exp(-1.0))) ** 3, rtol=1e-6)


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_update_bias_sits_in_the_second_slice(reset_after):
    assert gru.UPDATE_GATE == 1
    cell = core.GRUCell(reset_after=reset_after)
    for update_bias, expected in ((None, 1.0), (-2.0, -2.0)):
        options = {} if update_bias is None else {"update_bias": update_bias}
        params = cell.init(jax.random.key(0), 5, H, **options)
        r, u, g = bias_slices(params.bias, 3)
        np.testing.assert_array_equal(u, expected)
        np.testing.assert_array_equal(r, 0.0)
        np.testing.assert_array_equal(g, 0.0)
    assert isinstance(params, core.ResetAfterGRUParams) == reset_after
