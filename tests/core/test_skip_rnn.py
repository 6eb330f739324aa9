"""The RNN with a temporal skip connection, against a float64 numpy loop and finite differences."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from tests.helpers import relative_error

BATCH, TIME, INPUT, HIDDEN, SKIP = 2, 11, 3, 4, 3


def _numpy_skip_rnn(x, V, W, U, b, skip):
    """``h_t = tanh(x_t V + h_{t-1} W + h_{t-skip} U + b)`` from zeros, for one sequence ``x [time, input]``."""
    hs = [np.zeros(W.shape[0])] * skip  # h_{-skip} ... h_{-1}
    for x_t in x:
        hs.append(np.tanh(x_t @ V + hs[-1] @ W + hs[-skip] @ U + b))
    return np.stack(hs[skip:])


def _problem():
    cell = core.SkipRNNCell(skip=SKIP)
    params = cell.init(jax.random.key(0), INPUT, HIDDEN, dtype=jnp.float64)
    params = params._replace(bias=0.3 * jax.random.normal(jax.random.key(5), (HIDDEN,), jnp.float64))
    x = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT), jnp.float64)
    return cell, params, x


def test_outputs_and_final_carry_match_a_numpy_loop():
    with jax.enable_x64(True):
        cell, params, x = _problem()
        outputs, final = core.run(cell, params, x)
    for b in range(BATCH):
        expected = _numpy_skip_rnn(np.asarray(x[b]), *(np.asarray(p) for p in params[:3]), np.asarray(params.bias), SKIP)
        assert relative_error(outputs[b], expected) < 1e-12
        np.testing.assert_allclose(final.recent[b], expected[::-1][:SKIP], rtol=1e-12)


def test_gradient_with_respect_to_an_early_input_matches_finite_differences():
    with jax.enable_x64(True):
        cell, params, x = _problem()

        def last_output(x):
            return jnp.sum(core.run(cell, params, x)[0][:, -1])

        gradient = np.asarray(jax.grad(last_output)(x))
        eps = 1e-6
        for t, i in [(0, 0), (1, 2), (TIME - 1, 1)]:
            bump = np.zeros(x.shape)
            bump[0, t, i] = eps
            numeric = (float(last_output(x + bump)) - float(last_output(x - bump))) / (2 * eps)
            assert gradient[0, t, i] == pytest.approx(numeric, rel=1e-6, abs=1e-10)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="skip"):
        core.SkipRNNCell(skip=1)
    cell = core.SkipRNNCell()
    with pytest.raises(ValueError, match="options.backward: expected 'auto' or 'autodiff'"):
        core.run(cell, cell.init(jax.random.key(0), 2, 3), jnp.zeros((1, 4, 2)), options=core.RunOptions(backward="custom"))
