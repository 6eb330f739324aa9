"""Stacked layers, differentiated by one wavefront loop: equal to a float64 numpy loop, to ``run`` layer by
layer and to JAX's own differentiation of it, gradients checked by finite differences too,
with padding, initial carries, carry-gradient clipping and every fallback."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from tests import numpy_reference as reference
from tests.helpers import random_params, relative_error

BATCH, TIME, INPUT, HIDDEN = 3, 6, 4, 5
LENGTHS = np.array([6, 2, 0])
CELLS = [core.LSTMCell(), core.GRUCell(), core.GRUCell(reset_after=True), core.SimpleRNNCell()]


@pytest.fixture
def float64():
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", False)


def _inputs(seed: int = 0, dtype=jnp.float32) -> jax.Array:
    return jnp.asarray(np.random.default_rng(seed).standard_normal((BATCH, TIME, INPUT)), dtype)


def _stack_params(cell, layers: int, dtype=jnp.float32) -> list:
    return [random_params(cell, INPUT if layer == 0 else HIDDEN, HIDDEN, 10 * layer, dtype) for layer in range(layers)]


def _carry(cell, seed: int):
    zero = cell.zero_carry(HIDDEN, (BATCH,), jnp.float64)
    return jax.tree.map(lambda a: jnp.asarray(np.random.default_rng(seed).standard_normal(a.shape)), zero)


def _layer_by_layer(cell, params, inputs, carries, lengths, options=core.RunOptions()):
    outputs, finals = inputs, []
    for layer_params, carry in zip(params, carries):
        outputs, final = core.run(cell, layer_params, outputs, initial_carry=carry, lengths=lengths, options=options)
        finals.append(final)
    return outputs, tuple(finals)


def _loss(outputs_and_finals) -> jax.Array:
    outputs, finals = outputs_and_finals
    weights = jnp.arange(1.0, HIDDEN + 1) / HIDDEN  # every unit counts differently
    return jnp.sum(outputs**2 * weights) + sum(jnp.sum(jnp.sin(leaf)) for leaf in jax.tree.leaves(finals))


def test_three_lstm_layers_equal_the_float64_loop_with_padding():
    cell = core.LSTMCell()
    params, inputs = _stack_params(cell, 3), _inputs()
    outputs, finals = core.run_stack(cell, params, inputs, lengths=LENGTHS)
    for b, length in enumerate(LENGTHS):
        np.testing.assert_array_equal(outputs[b, length:], 0.0)
        if not length:  # an empty sequence: every final carry is the zero initial carry
            np.testing.assert_array_equal([jax.tree.leaves(final)[0][b] for final in finals], 0.0)
            continue
        x, zeros = np.asarray(inputs[b, :length], np.float64), np.zeros(HIDDEN)
        for layer, layer_params in enumerate(params):
            x, (h, c) = reference.lstm(x, *(reference.gate_blocks(a, 4) for a in layer_params), zeros, zeros)
            assert relative_error(finals[layer].hidden[b], h) < 1e-5
            assert relative_error(finals[layer].cell[b], c) < 1e-5
        assert relative_error(outputs[b, :length], x) < 1e-5


@pytest.mark.parametrize("cell", CELLS, ids=lambda cell: f"{type(cell).__name__}{getattr(cell, 'reset_after', '')}")
@pytest.mark.parametrize(("layers", "carries", "with_lengths"),
                         [(2, "none", False), (2, "all", True), (3, "some", True), (3, "none", False)])
def test_the_wavefront_equals_run_layer_by_layer_and_its_gradients_equal_autodiff(
    float64, cell, layers, carries, with_lengths
):
    params, inputs = _stack_params(cell, layers, jnp.float64), _inputs(dtype=jnp.float64)
    initial = {"none": [None] * layers, "all": [_carry(cell, k) for k in range(layers)],
               "some": [None, _carry(cell, 1), *[None] * (layers - 2)]}[carries]
    lengths = LENGTHS if with_lengths else None
    got = core.run_stack(cell, params, inputs, initial_carries=initial, lengths=lengths)
    expected = _layer_by_layer(cell, params, inputs, initial, lengths)
    for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(expected), strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-13)

    given = [k for k, c in enumerate(initial) if c is not None]

    def loss(run, params, inputs, given_carries):
        carries = list(initial)
        for k, c in zip(given, given_carries):
            carries[k] = c
        return _loss(run(params, inputs, carries))

    def wavefront(params, inputs, carries):
        return core.run_stack(cell, params, inputs, initial_carries=carries, lengths=lengths)

    def autodiff(params, inputs, carries):  # JAX differentiates the scans: no hand-written backward pass
        return _layer_by_layer(cell, params, inputs, carries, lengths, core.RunOptions(backward="autodiff"))

    arguments = (params, inputs, [initial[k] for k in given])
    got_grads = jax.grad(lambda *a: loss(wavefront, *a), (0, 1, 2))(*arguments)
    expected_grads = jax.grad(lambda *a: loss(autodiff, *a), (0, 1, 2))(*arguments)
    for g, e in zip(jax.tree.leaves(got_grads), jax.tree.leaves(expected_grads), strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-11)


def test_gradients_equal_central_finite_differences(float64):
    cell = core.LSTMCell()
    params, inputs = _stack_params(cell, 3, jnp.float64), _inputs(dtype=jnp.float64)
    initial = [None, _carry(cell, 1), None]

    def loss(params, inputs, carry):
        return _loss(core.run_stack(cell, params, inputs, initial_carries=[None, carry, None], lengths=LENGTHS))

    arguments = (params, inputs, initial[1])
    grads = jax.grad(loss, (0, 1, 2))(*arguments)
    rng = np.random.default_rng(3)
    for _ in range(3):
        direction = jax.tree.map(lambda a: jnp.asarray(rng.standard_normal(a.shape)), arguments)
        step = 1e-6
        shifted = [jax.tree.map(lambda a, d, sign=sign: a + sign * step * d, arguments, direction) for sign in (1, -1)]
        numeric = (loss(*shifted[0]) - loss(*shifted[1])) / (2 * step)
        analytic = sum(jnp.vdot(g, d) for g, d in zip(jax.tree.leaves(grads), jax.tree.leaves(direction)))
        np.testing.assert_allclose(analytic, numeric, rtol=1e-7)


def test_carry_gradient_clipping_clips_every_layer_as_run_does(float64):
    cell = core.LSTMCell()
    params, inputs = _stack_params(cell, 2, jnp.float64), 3.0 * _inputs(dtype=jnp.float64)
    options = core.RunOptions(clip_carry_gradient=0.05)
    carries = [None, None]

    def grad_of(run):
        return jax.grad(lambda p, x: _loss(run(p, x)), (0, 1))(params, inputs)

    got = grad_of(lambda p, x: core.run_stack(cell, p, x, lengths=LENGTHS, options=options))
    expected = grad_of(lambda p, x: _layer_by_layer(cell, p, x, carries, LENGTHS, options))
    unclipped = grad_of(lambda p, x: core.run_stack(cell, p, x, lengths=LENGTHS))
    for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(expected), strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)
    assert not np.allclose(got[1], unclipped[1])  # the clipping is active in this example


def _loops(function, *args) -> int:
    """The number of ``lax.scan`` loops over time in ``function``'s jaxpr."""
    return str(jax.make_jaxpr(function)(*args)).count(" scan[")


def _gradient_loops(cell, params, inputs, options) -> int:
    return _loops(jax.grad(lambda p, x: core.run_stack(cell, p, x, options=options)[0].sum()), params, inputs)


def test_step_cells_go_back_in_one_loop_and_the_rest_layer_by_layer():
    cell = core.GRUCell()
    params, inputs = _stack_params(cell, 3), _inputs()
    assert _loops(lambda p, x: core.run_stack(cell, p, x)[0], params, inputs) == 3  # forward: layer by layer
    assert _gradient_loops(cell, params, inputs, core.RunOptions()) == 3 + 1  # one backward loop
    hoisted = core.RunOptions(hoist_projection=True)
    wider = [*params[:2], random_params(cell, HIDDEN, HIDDEN + 2, 7)]
    min_gru = core.MinGRUCell()
    min_gru_params = [min_gru.init(jax.random.key(k), INPUT if k == 0 else HIDDEN, HIDDEN) for k in range(2)]
    for run_cell, run_params, options in ((cell, params, hoisted), (cell, wider, core.RunOptions()),
                                          (cell, params, core.RunOptions(backward="autodiff")),
                                          (min_gru, min_gru_params, core.RunOptions())):
        got = core.run_stack(run_cell, run_params, inputs, lengths=LENGTHS, options=options)
        expected = _layer_by_layer(run_cell, run_params, inputs, [None] * len(run_params), LENGTHS, options)
        assert _gradient_loops(run_cell, run_params, inputs, options) == 2 * len(run_params)
        for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(expected), strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)
    one_sequence = core.run_stack(cell, params, inputs[0])  # unbatched: layer by layer, as run takes it
    np.testing.assert_array_equal(one_sequence[0], _layer_by_layer(cell, params, inputs[0], [None] * 3, None)[0])


def test_the_wavefront_runs_under_jit_with_traced_lengths():
    cell = core.LSTMCell()
    params, inputs = _stack_params(cell, 2), _inputs()
    run = jax.jit(lambda p, x, n: core.run_stack(cell, p, x, lengths=n))
    got = run(params, inputs, jnp.asarray(LENGTHS))
    expected = _layer_by_layer(cell, params, inputs, [None, None], LENGTHS)
    for g, e in zip(jax.tree.leaves(got), jax.tree.leaves(expected), strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)


def test_bad_input_names_the_argument():
    cell = core.LSTMCell()
    params, inputs = _stack_params(cell, 2), _inputs()
    with pytest.raises(ValueError, match=r"params: expected one parameter pytree per layer"):
        core.run_stack(cell, [], inputs)
    with pytest.raises(ValueError, match=r"initial_carries: expected 2 carries, one per layer.*received 3"):
        core.run_stack(cell, params, inputs, initial_carries=[None] * 3)
    with pytest.raises(ValueError, match=r"initial_carries\[1\]: expected shapes"):
        core.run_stack(cell, params, inputs, initial_carries=[None, cell.zero_carry(HIDDEN + 1, (BATCH,))])
    with pytest.raises(ValueError, match=r"params\[1\]: expected the parameters of"):
        core.run_stack(cell, [params[0], random_params(core.GRUCell(), HIDDEN, HIDDEN, 1)], inputs)
    with pytest.raises(ValueError, match=r"inputs: expected 4 features"):
        core.run_stack(cell, params, inputs[..., :3])
    with pytest.raises(ValueError, match=r"lengths: expected values in \[0, 6\]"):
        core.run_stack(cell, params, inputs, lengths=np.array([7, 1, 1]))
