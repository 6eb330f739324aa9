"""Cells against float64 numpy equations, hand-written BPTT and finite differences."""

from __future__ import annotations

import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from tests import numpy_reference as ref
from tests.helpers import FUSED_CELL_IDS, FUSED_CELLS, relative_error
from tests.helpers import random_params as random_cell_params

BATCH, TIME, INPUT, HIDDEN = 3, 24, 5, 6


def random_params(cell, seed, dtype=jnp.float32):
    return random_cell_params(cell, INPUT, HIDDEN, seed, dtype)


def numpy_run(cell, params, x, carry):
    """The float64 reference for one sequence ``x [time, input]`` from carry ``carry``."""
    G = cell.num_gates
    Vs, Ws, bs = (ref.gate_blocks(a, G) for a in params[:3])
    if isinstance(cell, core.SimpleRNNCell):
        act = {jnp.tanh: np.tanh, jax.nn.relu: lambda z: np.maximum(z, 0.0)}[cell.activation]
        outputs, final = ref.simple_rnn(x, Vs[0], Ws[0], bs[0], carry, act)
        return outputs, final
    if isinstance(cell, core.LSTMCell):
        outputs, (h, c) = ref.lstm(x, Vs, Ws, bs, carry.hidden, carry.cell)
        return outputs, core.LSTMState(h, c)
    extra = np.asarray(params.candidate_recurrent_bias, np.float64) if cell.reset_after else None
    return ref.gru(x, Vs, Ws, bs, carry, extra)


@pytest.mark.parametrize("cell", FUSED_CELLS, ids=FUSED_CELL_IDS)
@pytest.mark.parametrize("hoist", [False, True], ids=["per-step", "hoisted"])
def test_cell_matches_float64_numpy_equations(cell, hoist):
    params = random_params(cell, seed=0)
    x = jax.random.normal(jax.random.key(2), (BATCH, TIME, INPUT), jnp.float32)
    carry = jax.tree.map(
        lambda a: 0.3 * jax.random.normal(jax.random.key(3), a.shape, a.dtype),
        cell.zero_carry(HIDDEN, (BATCH,)),
    )
    outputs, final = core.run(cell, params, x, initial_carry=carry, options=core.RunOptions(hoist_projection=hoist))
    assert outputs.shape == (BATCH, TIME, HIDDEN) and outputs.dtype == jnp.float32
    for b in range(BATCH):
        expected_outputs, expected_final = numpy_run(
            cell, params, x[b], jax.tree.map(lambda a: np.asarray(a[b]), carry)
        )
        assert relative_error(outputs[b], expected_outputs) < 1e-5
        for got, want in zip(jax.tree.leaves(final), jax.tree.leaves(expected_final)):
            assert relative_error(got[b], want) < 1e-5


def hand_written_bptt(V, W, b, h0, x, w_out):
    """Gradients of ``L = sum_t w_out[t] . h_t`` for the tanh RNN, by the course's formula.

    ``dL/dθ = sum_t sum_{k<=t} (dL_t/dh_t) (prod_{i=k+1..t} dh_i/dh_{i-1}) (∂h_k/∂θ)``
    with the Jacobians ``dh_i/dh_{i-1} = diag(1 - h_i^2) Wᵀ`` formed as explicit matrices.
    """
    hs, _ = ref.simple_rnn(x, V, W, b, h0)
    prev = np.concatenate([h0[None], hs[:-1]])  # h_{k-1} for each k
    H = W.shape[0]
    jac = [np.diag(1.0 - hs[i] ** 2) @ W.T for i in range(len(x))]  # dh_i/dh_{i-1}
    dV, dW, db, dh0 = np.zeros_like(V), np.zeros_like(W), np.zeros_like(b), np.zeros_like(h0)
    for t in range(len(x)):
        chain = np.eye(H)  # prod_{i=k+1..t} dh_i/dh_{i-1}, built as k goes down from t
        for k in range(t, -1, -1):
            # row vector dL_t/dh_k, then through the local derivative at step k
            dh_k = w_out[t] @ chain
            dpre = dh_k * (1.0 - hs[k] ** 2)
            dV += np.outer(x[k], dpre)
            dW += np.outer(prev[k], dpre)
            db += dpre
            chain = chain @ jac[k]
        dh0 += w_out[t] @ chain
    return dV, dW, db, dh0


def test_simple_rnn_gradient_equals_hand_written_bptt():
    cell = core.SimpleRNNCell()
    rng = np.random.default_rng(0)
    T = 20
    x = rng.normal(size=(T, INPUT))
    h0 = 0.3 * rng.normal(size=HIDDEN)
    w_out = rng.normal(size=(T, HIDDEN))
    with jax.enable_x64(True):
        params = random_params(cell, seed=4, dtype=jnp.float64)

        def loss(params, h0):
            outputs, _ = core.run(cell, params, jnp.asarray(x), initial_carry=jnp.asarray(h0))
            return jnp.sum(outputs * w_out)

        grads, grad_h0 = jax.grad(loss, argnums=(0, 1))(params, jnp.asarray(h0))
    expected = hand_written_bptt(*(np.asarray(p) for p in params), h0, x, w_out)
    for got, want in zip((*grads, grad_h0), expected):
        assert relative_error(got, want) < 1e-10


@pytest.mark.parametrize("cell", FUSED_CELLS[2:], ids=FUSED_CELL_IDS[2:])
def test_gated_cell_gradient_equals_central_finite_differences(cell):
    with jax.enable_x64(True):
        params = random_params(cell, seed=5, dtype=jnp.float64)
        x = jax.random.normal(jax.random.key(6), (2, 20, INPUT), jnp.float64)
        w_out = jax.random.normal(jax.random.key(7), (2, 20, HIDDEN), jnp.float64)

        def loss(params, x):
            outputs, final = core.run(cell, params, x)
            return jnp.sum(outputs * w_out) + sum(jnp.sum(a**2) for a in jax.tree.leaves(final))

        grads = jax.grad(loss, argnums=(0, 1))(params, x)
        flat, unravel = jax.flatten_util.ravel_pytree((params, x))
        flat_grad, _ = jax.flatten_util.ravel_pytree(grads)
        eps = 1e-6
        for seed in range(6):
            direction = jax.random.normal(jax.random.key(100 + seed), flat.shape, jnp.float64)
            plus = loss(*unravel(flat + eps * direction))
            minus = loss(*unravel(flat - eps * direction))
            numeric = (plus - minus) / (2 * eps)
            analytic = flat_grad @ direction
            assert abs(numeric - analytic) <= 1e-7 * max(1.0, abs(analytic))
