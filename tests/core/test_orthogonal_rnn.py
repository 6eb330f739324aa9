"""The RNN whose recurrent matrix is expm(A - Aᵀ): orthogonal at initialisation and through training."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import scipy.linalg

from seqjax import core
from tests import numpy_reference as ref
from tests.helpers import relative_error

BATCH, TIME, INPUT, HIDDEN = 3, 12, 4, 6
CELL = core.OrthogonalRNNCell()


def _orthogonality_error(matrix) -> float:
    matrix = np.asarray(matrix, np.float64)
    return float(np.max(np.abs(matrix.T @ matrix - np.eye(matrix.shape[0]))))


def test_the_recurrent_matrix_is_orthogonal_at_initialisation_and_equals_scipy_expm():
    params = CELL.init(jax.random.key(0), INPUT, HIDDEN)
    matrix = CELL.recurrent_kernel_of(params)
    generator = np.asarray(params.recurrent_kernel, np.float64)
    np.testing.assert_allclose(matrix, scipy.linalg.expm(generator - generator.T), atol=1e-5)
    assert _orthogonality_error(matrix) < 1e-5
    assert np.isclose(np.linalg.det(np.asarray(matrix, np.float64)), 1.0, atol=1e-5)


def test_outputs_match_a_float64_numpy_rnn_with_the_exponentiated_matrix():
    with jax.enable_x64(True):
        params = CELL.init(jax.random.key(0), INPUT, HIDDEN, dtype=jnp.float64)
        params = params._replace(recurrent_kernel=params.recurrent_kernel + 0.3 * jax.random.normal(
            jax.random.key(4), (HIDDEN, HIDDEN), jnp.float64))
        x = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT), jnp.float64)
        outputs, _ = core.run(CELL, params, x)
    generator = np.asarray(params.recurrent_kernel)
    matrix = scipy.linalg.expm(generator - generator.T)
    for b in range(BATCH):
        expected, _ = ref.simple_rnn(x[b], np.asarray(params.input_kernel), matrix, np.asarray(params.bias),
                                     np.zeros(HIDDEN))
        assert relative_error(outputs[b], expected) < 1e-10


def test_custom_backward_equals_autodiff_through_the_matrix_exponential():
    with jax.enable_x64(True):
        params = CELL.init(jax.random.key(0), INPUT, HIDDEN, dtype=jnp.float64)
        x = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT), jnp.float64)
        weights = jax.random.normal(jax.random.key(2), (BATCH, TIME, HIDDEN), jnp.float64)

        def loss(params, backward):
            return jnp.sum(core.run(CELL, params, x, lengths=jnp.array([TIME, 5, 1]), options=core.RunOptions(backward=backward))[0] * weights)

        custom = jax.grad(loss)(params, "custom")
        autodiff = jax.grad(loss)(params, "autodiff")
    for got, want in zip(jax.tree.leaves(custom), jax.tree.leaves(autodiff)):
        assert relative_error(got, want) < 1e-9


def test_the_matrix_stays_orthogonal_after_many_optimiser_steps():
    params = CELL.init(jax.random.key(0), INPUT, HIDDEN)
    x = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT))
    target = jax.random.normal(jax.random.key(2), (BATCH, TIME, HIDDEN))
    optimizer = optax.adam(0.05)
    state = optimizer.init(params)

    @jax.jit
    def step(params, state):
        grads = jax.grad(lambda p: jnp.mean((core.run(CELL, p, x)[0] - target) ** 2))(params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    start = params.recurrent_kernel
    for _ in range(300):
        params, state = step(params, state)
    assert float(jnp.max(jnp.abs(params.recurrent_kernel - start))) > 0.5  # the generator moved a lot
    assert _orthogonality_error(CELL.recurrent_kernel_of(params)) < 1e-5
