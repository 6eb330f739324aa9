"""Both directions in one batched run: equal to a float64 numpy loop and to two ``run`` calls,
gradients included, with padding, initial carries and every fallback."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from tests import numpy_reference as reference
from tests.helpers import random_params, relative_error

BATCH, TIME, INPUT, HIDDEN = 3, 6, 4, 5
LENGTHS = np.array([6, 3, 0])


def _inputs(seed: int = 0, dtype=jnp.float32) -> jax.Array:
    return jnp.asarray(np.random.default_rng(seed).standard_normal((BATCH, TIME, INPUT)), dtype)


def _numpy_lstm(params: core.FusedParams, x: np.ndarray, reverse: bool) -> np.ndarray:
    """One sequence's outputs ``[time, hidden]`` by the float64 loop, right to left when ``reverse``."""
    blocks = [reference.gate_blocks(a, 4) for a in params]
    zeros = np.zeros(HIDDEN)
    if reverse:
        return reference.lstm(x[::-1], *blocks, zeros, zeros)[0][::-1]
    return reference.lstm(x, *blocks, zeros, zeros)[0]


def test_both_directions_equal_the_float64_loop_with_padding():
    cell = core.LSTMCell()
    forward, backward = (random_params(cell, INPUT, HIDDEN, seed) for seed in (0, 10))
    inputs = _inputs()
    (forward_out, backward_out), _ = core.run_both_directions(cell, forward, backward, inputs, lengths=LENGTHS)
    for b, length in enumerate(LENGTHS):
        x = np.asarray(inputs[b, :length], np.float64)
        for got, params, reverse in ((forward_out, forward, False), (backward_out, backward, True)):
            if length:
                assert relative_error(got[b, :length], _numpy_lstm(params, x, reverse)) < 1e-5
            np.testing.assert_array_equal(got[b, length:], 0.0)


def _two_runs(cell, forward, backward, inputs, carries, lengths, options):
    f = core.run(cell, forward, inputs, initial_carry=carries[0], lengths=lengths, options=options)
    b = core.run(cell, backward, inputs, initial_carry=carries[1], lengths=lengths, reverse=True, options=options)
    return (f[0], b[0]), (f[1], b[1])


def _carry(cell, seed: int):
    zero = cell.zero_carry(HIDDEN, (BATCH,), jnp.float64)
    return jax.tree.map(lambda a: jnp.asarray(np.random.default_rng(seed).standard_normal(a.shape)), zero)


@pytest.mark.parametrize("cell", [core.LSTMCell(), core.GRUCell(reset_after=True), core.SimpleRNNCell()], ids=lambda cell: type(cell).__name__)
@pytest.mark.parametrize("carries", ["none", "both", "forward only", "backward only"])
@pytest.mark.parametrize("with_lengths", [False, True])
def test_one_batched_run_equals_two_runs_and_so_do_its_gradients_in_float64(cell, carries, with_lengths):
    jax.config.update("jax_enable_x64", True)
    try:
        forward, backward = (random_params(cell, INPUT, HIDDEN, seed, jnp.float64) for seed in (0, 10))
        initial = {"none": (None, None), "both": (_carry(cell, 1), _carry(cell, 2)),
                   "forward only": (_carry(cell, 1), None), "backward only": (None, _carry(cell, 2))}[carries]
        inputs, lengths = _inputs(dtype=jnp.float64), (LENGTHS if with_lengths else None)
        options = core.RunOptions()

        def loss(run, forward, backward, inputs, initial):
            (f, b), finals = run(forward, backward, inputs, initial)
            weights = jnp.arange(1.0, 2 * HIDDEN + 1) / HIDDEN  # every output and final carry counts differently
            return jnp.sum(jnp.concatenate([f, b], -1) ** 2 * weights) + sum(
                jnp.sum(jnp.sin(leaf)) for leaf in jax.tree.leaves(finals))

        def fused(f, b, x, c):
            return core.run_both_directions(cell, f, b, x, initial_carries=c, lengths=lengths, options=options)

        def separate(f, b, x, c):
            return _two_runs(cell, f, b, x, c, lengths, options)

        got, expected = fused(forward, backward, inputs, initial), separate(forward, backward, inputs, initial)
        for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(expected), strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)
        argnums = (0, 1, 2, 3) if carries == "both" else (0, 1, 2)
        got_grads = jax.grad(lambda *a: loss(fused, *a), argnums)(forward, backward, inputs, initial)
        expected_grads = jax.grad(lambda *a: loss(separate, *a), argnums)(forward, backward, inputs, initial)
        for g, e in zip(jax.tree.leaves(got_grads), jax.tree.leaves(expected_grads), strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-11)
    finally:
        jax.config.update("jax_enable_x64", False)


def _loops(function, *args) -> int:
    """The number of ``lax.scan`` loops over time in ``function``'s jaxpr."""
    return str(jax.make_jaxpr(function)(*args)).count(" scan[")


def test_equal_shapes_run_as_one_loop_and_the_rest_as_two():
    cell = core.LSTMCell()
    forward, backward = (random_params(cell, INPUT, HIDDEN, seed) for seed in (0, 10))
    inputs = _inputs()

    def both(f, b, x):
        return core.run_both_directions(cell, f, b, x)[0]

    assert _loops(both, forward, backward, inputs) == 1
    wider = random_params(cell, INPUT, HIDDEN + 1, 10)  # other shapes: two runs, same results as run's
    assert _loops(both, forward, wider, inputs) == 2
    (_, backward_out), _ = core.run_both_directions(cell, forward, wider, inputs)
    np.testing.assert_array_equal(backward_out, core.run(cell, wider, inputs, reverse=True)[0])
    lru = core.LRUCell()  # a linear recurrence has its own scans over time: two runs
    lru_params = [lru.init(jax.random.key(seed), INPUT, HIDDEN) for seed in (0, 1)]
    (_, backward_out), _ = core.run_both_directions(lru, *lru_params, inputs, lengths=LENGTHS)
    np.testing.assert_allclose(backward_out, core.run(lru, lru_params[1], inputs, lengths=LENGTHS, reverse=True)[0],
                               rtol=1e-6, atol=1e-7)


def test_one_unbatched_sequence_runs_as_two_runs():
    cell = core.GRUCell()
    forward, backward = (random_params(cell, INPUT, HIDDEN, seed) for seed in (0, 10))
    x = _inputs()[0]
    (f, b), (ff, bf) = core.run_both_directions(cell, forward, backward, x)
    np.testing.assert_array_equal(f, core.run(cell, forward, x)[0])
    np.testing.assert_array_equal(bf, core.run(cell, backward, x, reverse=True)[1])


def test_bad_lengths_are_refused_as_run_refuses_them():
    cell = core.LSTMCell()
    params = random_params(cell, INPUT, HIDDEN, 0)
    with pytest.raises(ValueError, match=r"lengths: expected values in \[0, 6\].*received \[7, 1, 1\]"):
        core.run_both_directions(cell, params, params, _inputs(), lengths=np.array([7, 1, 1]))
    with pytest.raises(ValueError, match=r"lengths: expected shape \(3,\)"):
        core.run_both_directions(cell, params, params, _inputs(), lengths=np.array([1, 1]))
