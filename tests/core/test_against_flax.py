"""The cells against Flax's own ``LSTMCell``, ``GRUCell`` and ``SimpleCell`` given the same weights.

Formula differences, documented in the cells' docstrings:
- Flax's LSTM carry is ``(c, h)``; ours is ``LSTMState(hidden, cell)``. Same equations.
- Flax's ``GRUCell`` is the reset-after form (``r * (W_hn h + b_hn)``), so it equals
  ``GRUCell(reset_after=True)``; our default reset-before form differs whenever the reset
  gate is not all ones (checked below, so the difference is real and not a bug).
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from seqjax import core
from tests.helpers import random_params as random_cell_params

BATCH, TIME, INPUT, HIDDEN = 3, 20, 5, 6


def random_params(cell, seed):
    return random_cell_params(cell, INPUT, HIDDEN, seed)


def blocks(matrix, num_gates):
    return jnp.split(matrix, num_gates, axis=-1)


def run_flax(flax_cell, variables, x, carry):
    rnn = nn.RNN(flax_cell, return_carry=True)
    return rnn.apply({"params": {"cell": variables}}, x, initial_carry=carry)


def inputs():
    return jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT))


def test_lstm_equals_flax_lstm_cell():
    params = random_params(core.LSTMCell(), seed=0)
    V, W, b = (blocks(a, 4) for a in params)
    variables = {}
    for k, gate in enumerate("ifgo"):
        variables[f"i{gate}"] = {"kernel": V[k]}
        variables[f"h{gate}"] = {"kernel": W[k], "bias": b[k]}
    h0, c0 = (0.2 * jax.random.normal(jax.random.key(s), (BATCH, HIDDEN)) for s in (2, 3))
    x = inputs()
    (flax_c, flax_h), flax_out = run_flax(nn.LSTMCell(HIDDEN), variables, x, (c0, h0))
    out, final = core.run(core.LSTMCell(), params, x, initial_carry=core.LSTMState(h0, c0))
    np.testing.assert_allclose(out, flax_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final.hidden, flax_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final.cell, flax_c, rtol=1e-5, atol=1e-6)


def gru_flax_variables(params):
    V, W, b = (blocks(a, 3) for a in params[:3])
    return {
        "ir": {"kernel": V[0], "bias": b[0]},
        "iz": {"kernel": V[1], "bias": b[1]},
        "in": {"kernel": V[2], "bias": b[2]},
        "hr": {"kernel": W[0]},
        "hz": {"kernel": W[1]},
        "hn": {"kernel": W[2], "bias": params.candidate_recurrent_bias},
    }


def test_reset_after_gru_equals_flax_gru_cell():
    params = random_params(core.GRUCell(reset_after=True), seed=0)
    h0 = 0.2 * jax.random.normal(jax.random.key(2), (BATCH, HIDDEN))
    x = inputs()
    flax_h, flax_out = run_flax(nn.GRUCell(HIDDEN), gru_flax_variables(params), x, h0)
    out, final = core.run(core.GRUCell(reset_after=True), params, x, initial_carry=h0)
    np.testing.assert_allclose(out, flax_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final, flax_h, rtol=1e-5, atol=1e-6)


def test_reset_before_gru_differs_from_flax_only_through_the_reset_gate():
    params = random_params(core.GRUCell(reset_after=True), seed=0)
    x = inputs()
    reset_before = core.FusedParams(*params[:3])
    flax_out = run_flax(nn.GRUCell(HIDDEN), gru_flax_variables(params._replace(
        candidate_recurrent_bias=jnp.zeros(HIDDEN))), x, jnp.zeros((BATCH, HIDDEN)))[1]
    ours = core.run(core.GRUCell(), reset_before, x)[0]
    assert float(jnp.max(jnp.abs(ours - flax_out))) > 1e-3
    # With the reset gate saturated at 1 (a huge reset bias) both forms are the same function.
    saturated = reset_before._replace(bias=reset_before.bias.at[:HIDDEN].set(50.0))
    flax_saturated = gru_flax_variables(params._replace(
        bias=saturated.bias, candidate_recurrent_bias=jnp.zeros(HIDDEN)))
    flax_out = run_flax(nn.GRUCell(HIDDEN), flax_saturated, x, jnp.zeros((BATCH, HIDDEN)))[1]
    np.testing.assert_allclose(core.run(core.GRUCell(), saturated, x)[0], flax_out, rtol=1e-5, atol=1e-6)


def test_simple_rnn_equals_flax_simple_cell():
    params = random_params(core.SimpleRNNCell(), seed=0)
    variables = {"i": {"kernel": params.input_kernel, "bias": params.bias}, "h": {"kernel": params.recurrent_kernel}}
    x = inputs()
    flax_h, flax_out = run_flax(nn.SimpleCell(HIDDEN), variables, x, jnp.zeros((BATCH, HIDDEN)))
    out, final = core.run(core.SimpleRNNCell(), params, x)
    np.testing.assert_allclose(out, flax_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final, flax_h, rtol=1e-5, atol=1e-6)
