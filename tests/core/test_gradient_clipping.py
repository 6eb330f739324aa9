"""Clipping of the hidden state's gradient through time (``run(..., clip_carry_gradient=...)``)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from tests.helpers import random_params, relative_error

BATCH, TIME, INPUT, HIDDEN = 3, 9, 4, 5
CELLS = [core.SimpleRNNCell(), core.LSTMCell(), core.GRUCell(), core.GRUCell(reset_after=True)]
CELL_IDS = ["rnn", "lstm", "gru", "gru-reset-after"]


def _problem(cell):
    params = random_params(cell, INPUT, HIDDEN, seed=0, dtype=jnp.float64)
    params = params._replace(recurrent_kernel=3.0 * params.recurrent_kernel)  # large gradients to clip
    x = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT), jnp.float64)
    weights = jax.random.normal(jax.random.key(3), (BATCH, TIME, HIDDEN), jnp.float64)
    return params, x, weights


def _gradients(cell, params, x, weights, *, backward, clip, lengths=None):
    def loss(params, x):
        options = core.RunOptions(backward=backward, clip_carry_gradient=clip)
        outputs, _ = core.run(cell, params, x, lengths=lengths, options=options)
        return jnp.sum(outputs * weights)

    return jax.grad(loss, argnums=(0, 1))(params, x)


def _numpy_clipped_bptt(x, V, W, b, d_outputs, max_norm):
    """Simple tanh RNN from zeros, written from the equations: gradients of ``sum(outputs * d_outputs)``
    when the gradient sent from step ``t`` back to ``h_{t-1}`` is clipped to ``max_norm`` per example.

    ``x [batch, time, input]``; returns ``(dV, dW, db, dx)``.
    """
    batch, time, _ = x.shape
    hs = [np.zeros((batch, W.shape[0]))]
    for t in range(time):
        hs.append(np.tanh(x[:, t] @ V + hs[-1] @ W + b))
    dV, dW, db, dx = np.zeros_like(V), np.zeros_like(W), np.zeros_like(b), np.zeros_like(x)
    from_later = np.zeros((batch, W.shape[0]))
    for t in reversed(range(time)):
        d_h = d_outputs[:, t] + from_later
        d_pre = d_h * (1.0 - hs[t + 1] ** 2)
        dV += x[:, t].T @ d_pre
        dW += hs[t].T @ d_pre
        db += d_pre.sum(0)
        dx[:, t] = d_pre @ V.T
        back = d_pre @ W.T
        norms = np.linalg.norm(back, axis=1, keepdims=True)
        from_later = back * np.minimum(1.0, max_norm / np.maximum(norms, 1e-300))
    return dV, dW, db, dx


def test_clipped_simple_rnn_gradient_equals_a_numpy_bptt_that_clips():
    cell = core.SimpleRNNCell()
    with jax.enable_x64(True):
        params, x, weights = _problem(cell)
        (d_params, d_x) = _gradients(cell, params, x, weights, backward="custom", clip=0.5)
    V, W, b = (np.asarray(a, np.float64) for a in params)
    dV, dW, db, dx = _numpy_clipped_bptt(np.asarray(x), V, W, b, np.asarray(weights), 0.5)
    for got, want in [(d_params.input_kernel, dV), (d_params.recurrent_kernel, dW), (d_params.bias, db), (d_x, dx)]:
        assert relative_error(got, want) < 1e-10
    unclipped = _numpy_clipped_bptt(np.asarray(x), V, W, b, np.asarray(weights), np.inf)
    assert relative_error(dW, unclipped[1]) > 1e-2  # the threshold is active in this problem


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
def test_custom_backward_clips_like_autodiff_through_the_clipping_identity(cell, with_lengths):
    lengths = jnp.array([TIME, 4, 0]) if with_lengths else None
    with jax.enable_x64(True):
        params, x, weights = _problem(cell)
        custom = _gradients(cell, params, x, weights, backward="custom", clip=0.3, lengths=lengths)
        autodiff = _gradients(cell, params, x, weights, backward="autodiff", clip=0.3, lengths=lengths)
        unclipped = _gradients(cell, params, x, weights, backward="custom", clip=None, lengths=lengths)
    for got, want in zip(jax.tree.leaves(custom), jax.tree.leaves(autodiff)):
        assert relative_error(got, want) < 1e-9
    assert relative_error(custom[0].recurrent_kernel, unclipped[0].recurrent_kernel) > 1e-3


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
def test_gradient_reaching_the_initial_carry_is_at_most_the_threshold(cell):
    params = cell.init(jax.random.key(0), INPUT, HIDDEN)
    x = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT))
    carry = jax.tree.map(lambda a: a + 0.1, cell.zero_carry(HIDDEN, (BATCH,)))

    def loss(carry):
        outputs, _ = core.run(cell, params, x, initial_carry=carry, options=core.RunOptions(clip_carry_gradient=1e-3))
        return 1e3 * jnp.sum(outputs)

    d_carry = jax.grad(loss)(carry)
    norms = np.sqrt(sum(np.sum(np.square(np.asarray(a)), axis=1) for a in jax.tree.leaves(d_carry)))
    assert np.all(norms <= 1e-3 * (1 + 1e-5)) and np.all(norms > 1e-4)


def test_a_threshold_that_is_never_reached_changes_nothing_and_the_forward_pass_is_unchanged():
    cell = core.LSTMCell()
    with jax.enable_x64(True):
        params, x, weights = _problem(cell)
        loose = _gradients(cell, params, x, weights, backward="custom", clip=1e9)
        plain = _gradients(cell, params, x, weights, backward="custom", clip=None)
        outputs, _ = core.run(cell, params, x, options=core.RunOptions(clip_carry_gradient=1e-6))
        reference, _ = core.run(cell, params, x)
    for got, want in zip(jax.tree.leaves(loose), jax.tree.leaves(plain)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(outputs, reference)


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_bad_threshold_is_refused(bad):
    with pytest.raises(ValueError, match="clip_carry_gradient"):
        core.RunOptions(clip_carry_gradient=bad)
