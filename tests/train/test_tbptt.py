"""Truncated BPTT: the forward pass of a full unroll, gradients cut at chunk boundaries."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core, train
from tests.train import tiny_task

CELL = core.LSTMCell()
BATCH, TIME, INPUT, HIDDEN, K = 2, 12, 3, 5, 4


def _setup():
    params = CELL.init(jax.random.key(0), INPUT, HIDDEN)
    inputs = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT))
    return params, inputs, CELL.zero_carry(HIDDEN, (BATCH,))


def test_chunked_outputs_and_final_carry_equal_a_full_unroll():
    params, inputs, carry = _setup()
    chunked, chunked_final = train.run_in_chunks(
        lambda x, c: core.run(CELL, params, x, initial_carry=c), inputs, carry, K
    )
    full, full_final = core.run(CELL, params, inputs, initial_carry=carry)
    np.testing.assert_allclose(chunked, full, rtol=1e-6, atol=1e-7)
    for a, b in zip(jax.tree.leaves(chunked_final), jax.tree.leaves(full_final)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("t", [3, 7, 11])
def test_gradient_reaches_back_only_inside_the_chunk(t):
    params, inputs, carry = _setup()

    def output_at_t(inputs):
        outputs, _ = train.run_in_chunks(lambda x, c: core.run(CELL, params, x, initial_carry=c), inputs, carry, K)
        return jnp.sum(outputs[:, t])

    per_step = np.abs(np.asarray(jax.grad(output_at_t)(inputs))).sum(axis=(0, 2))  # [time]
    chunk_start = (t // K) * K
    assert np.all(per_step[:chunk_start] == 0.0)  # exactly zero more than the chunk back
    assert np.all(per_step[chunk_start : t + 1] > 0.0)
    assert np.all(per_step[t + 1 :] == 0.0)
    # Without truncation the gradient does reach the earlier steps.
    full = jax.grad(lambda x: jnp.sum(core.run(CELL, params, x, initial_carry=carry)[0][:, t]))(inputs)
    assert np.all(np.abs(np.asarray(full)).sum(axis=(0, 2))[: t + 1] > 0.0)


def test_time_not_a_multiple_of_the_chunk_is_refused():
    params, inputs, carry = _setup()
    with pytest.raises(ValueError, match="multiple of chunk_length=5"):
        train.run_in_chunks(lambda x, c: core.run(CELL, params, x, initial_carry=c), inputs, carry, 5)


def test_the_train_step_carries_the_state_the_previous_chunk_ended_with_and_resets_rows():
    state = tiny_task.initial_state()
    step = train.make_train_step(tiny_task.LOSS)
    batches = [tiny_task.batch_at(s) for s in (1, 2)]  # no resets at steps 1, 2
    state, _ = step(state, batches[0], jax.random.key(0))
    carried = state.carry
    params_before = state.params
    state, _ = step(state, batches[1], jax.random.key(0))
    _, expected_end = tiny_task.MODEL.apply(params_before, batches[1]["x"], None, carried)
    for got, want in zip(jax.tree.leaves(state.carry), jax.tree.leaves(expected_end)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)

    reset = dict(batches[1], reset=jnp.array([True] + [False] * (tiny_task.BATCH - 1)))
    after_reset, _ = step(state.replace(params=params_before, carry=carried), reset, jax.random.key(0))
    _, from_zero = tiny_task.MODEL.apply(params_before, reset["x"][:1], None, None)
    np.testing.assert_allclose(after_reset.carry.hidden[:1], from_zero.hidden, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(after_reset.carry.hidden[1:], state.carry.hidden[1:], rtol=1e-6, atol=1e-7)


def test_reset_carry_zeroes_only_the_marked_rows():
    carry = core.LSTMState(hidden=jnp.ones((3, 2)), cell=2 * jnp.ones((3, 2)))
    reset = train.reset_carry(carry, jnp.array([False, True, False]))
    np.testing.assert_array_equal(reset.hidden, [[1, 1], [0, 0], [1, 1]])
    np.testing.assert_array_equal(reset.cell, [[2, 2], [0, 0], [2, 2]])
