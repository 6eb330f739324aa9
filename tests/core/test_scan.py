"""The scan runner: variable lengths, reverse, transformations, options and bad input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core

INPUT, HIDDEN, TIME = 4, 5, 9
CELLS = [core.SimpleRNNCell(), core.LSTMCell(), core.GRUCell(), core.GRUCell(reset_after=True)]
CELL_IDS = ["rnn", "lstm", "gru", "gru-reset-after"]


def setup(cell, batch=3, seed=0):
    params = cell.init(jax.random.key(seed), INPUT, HIDDEN)
    x = jax.random.normal(jax.random.key(seed + 1), (batch, TIME, INPUT))
    return params, x


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_padded_batch_equals_each_sequence_alone(cell, reverse):
    params, x = setup(cell)
    lengths = jnp.array([TIME, 4, 0])
    padded = x.at[1, 4:].set(1e3).at[2].set(-7.0)  # garbage past each end
    outputs, final = core.run(cell, params, padded, lengths=lengths, reverse=reverse)
    for b, n in enumerate(lengths.tolist()):
        alone_out, alone_final = core.run(cell, params, x[b : b + 1, :n], reverse=reverse)
        np.testing.assert_allclose(outputs[b, :n], alone_out[0], rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(outputs[b, n:], 0.0)
        for got, want in zip(jax.tree.leaves(final), jax.tree.leaves(alone_final)):
            np.testing.assert_allclose(got[b], want[0], rtol=1e-6, atol=1e-6)
    empty_final = jax.tree.leaves(final)
    assert all(np.all(leaf[2] == 0.0) for leaf in empty_final)  # length 0 keeps the zero carry


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
def test_gradients_do_not_depend_on_padded_values(cell):
    params, x = setup(cell)
    lengths = jnp.array([TIME, 3, 6])

    def loss(params, x):
        outputs, final = core.run(cell, params, x, lengths=lengths)
        return jnp.sum(outputs**2) + sum(jnp.sum(a) for a in jax.tree.leaves(final))

    grad = jax.jit(jax.grad(loss, argnums=(0, 1)))
    beyond = jnp.arange(TIME)[None, :, None] >= lengths[:, None, None]
    other = jnp.where(beyond, 55.0 * jax.random.normal(jax.random.key(9), x.shape), x)
    (gp1, gx1), (gp2, gx2) = grad(params, x), grad(params, other)
    for a, b in zip(jax.tree.leaves(gp1), jax.tree.leaves(gp2)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(jnp.where(beyond, gx1, 0.0), 0.0)
    np.testing.assert_array_equal(gx1, gx2)


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
def test_reverse_equals_running_the_flipped_sequence(cell):
    params, x = setup(cell)
    outputs, final = core.run(cell, params, x, reverse=True)
    flipped_out, flipped_final = core.run(cell, params, x[:, ::-1])
    np.testing.assert_allclose(outputs, flipped_out[:, ::-1], rtol=1e-6, atol=1e-6)
    for a, b in zip(jax.tree.leaves(final), jax.tree.leaves(flipped_final)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
def test_options_compute_the_same_function(cell):
    params, x = setup(cell)
    lengths = jnp.array([TIME, 5, 2])
    base_out, base_final = core.run(cell, params, x, lengths=lengths)
    base_grad = jax.grad(lambda p: jnp.sum(core.run(cell, p, x, lengths=lengths)[0] ** 2))(params)
    for options in (
        {"unroll": 4},
        {"hoist_projection": True},
        {"unroll": True},
        {"backward": "autodiff"},
        {"backward": "autodiff", "remat": True},
        {"backward": "autodiff", "hoist_projection": True, "unroll": 3},
    ):
        out, final = core.run(cell, params, x, lengths=lengths, options=core.RunOptions(**options))
        np.testing.assert_allclose(out, base_out, rtol=1e-5, atol=1e-6)
        for a, b in zip(jax.tree.leaves(final), jax.tree.leaves(base_final)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        grad = jax.grad(
            lambda p: jnp.sum(core.run(cell, p, x, lengths=lengths, options=core.RunOptions(**options))[0] ** 2)
        )(params)
        for a, b in zip(jax.tree.leaves(grad), jax.tree.leaves(base_grad)):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_remat_stores_less_for_the_backward_pass():
    cell = core.LSTMCell()
    params = cell.init(jax.random.key(0), INPUT, 32)
    x = jax.random.normal(jax.random.key(1), (8, 64, INPUT))

    def residual_bytes(remat):
        _, backward = jax.vjp(lambda p: core.run(cell, p, x, options=core.RunOptions(remat=remat, backward="autodiff"))[0], params)
        return sum(leaf.nbytes for leaf in jax.tree.leaves(backward))

    assert residual_bytes(True) < 0.6 * residual_bytes(False)


def test_vmap_over_unbatched_sequences_equals_the_batched_call():
    cell = core.LSTMCell()
    params, x = setup(cell)
    lengths = jnp.array([TIME, 2, 7])
    batched_out, batched_final = core.run(cell, params, x, lengths=lengths)
    per_sequence = jax.vmap(lambda xs, n: core.run(cell, params, xs, lengths=n))
    vmapped_out, vmapped_final = per_sequence(x, lengths)
    np.testing.assert_allclose(vmapped_out, batched_out, rtol=1e-6, atol=1e-6)
    for a, b in zip(jax.tree.leaves(vmapped_final), jax.tree.leaves(batched_final)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_vmap_over_parameter_sets():
    cell = core.GRUCell()
    _, x = setup(cell)
    stacked = jax.vmap(lambda k: cell.init(k, INPUT, HIDDEN))(jax.random.split(jax.random.key(0), 2))
    outputs, _ = jax.vmap(lambda p: core.run(cell, p, x))(stacked)
    for i in range(2):
        single = jax.tree.map(lambda a: a[i], stacked)
        np.testing.assert_allclose(outputs[i], core.run(cell, single, x)[0], rtol=1e-6, atol=1e-6)


def test_jit_does_not_retrace_for_the_same_shapes():
    cell = core.LSTMCell()
    params, x = setup(cell)
    traces = []

    @jax.jit
    def forward(params, x, lengths):
        traces.append(1)
        return core.run(cell, params, x, lengths=lengths)

    forward(params, x, jnp.array([1, 2, 3]))
    forward(params, x + 1.0, jnp.array([4, 5, 6]))
    assert len(traces) == 1
    forward(params, x[:2], jnp.array([1, 2]))
    assert len(traces) == 2


def test_jit_with_the_cell_as_a_static_argument():
    cell = core.SimpleRNNCell(activation=jax.nn.relu)
    params, x = setup(cell)
    jitted = jax.jit(core.run, static_argnames=("cell", "reverse", "options"))
    np.testing.assert_allclose(
        jitted(cell, params, x, reverse=True)[0], core.run(cell, params, x, reverse=True)[0], rtol=1e-6
    )


def expect_error(match_all, fn):
    with pytest.raises(ValueError) as info:
        fn()
    message = str(info.value)
    for fragment in match_all:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.mark.parametrize("cell", CELLS, ids=CELL_IDS)
def test_bad_input_raises_a_clear_value_error(cell):
    params, x = setup(cell)
    expect_error(["inputs", f"{INPUT} features", "(3, 9, 7)"], lambda: core.run(cell, params, jnp.zeros((3, TIME, 7))))
    expect_error(["inputs", "rank 3", "rank 4"], lambda: core.run(cell, params, x[None]))
    expect_error(["inputs", "rank 3", "rank 1"], lambda: core.run(cell, params, x[0, 0]))
    expect_error(["inputs", "floating-point", "int32"], lambda: core.run(cell, params, x.astype(jnp.int32)))
    expect_error(["lengths", f"[0, {TIME}]", "10"], lambda: core.run(cell, params, x, lengths=jnp.array([1, 10, 2])))
    expect_error(["lengths", f"[0, {TIME}]", "-1"], lambda: core.run(cell, params, x, lengths=jnp.array([1, -1, 2])))
    expect_error(["lengths", "shape (3,)", "(2,)"], lambda: core.run(cell, params, x, lengths=jnp.array([1, 2])))
    expect_error(["lengths", "integer", "float32"], lambda: core.run(cell, params, x, lengths=jnp.ones(3)))
    wrong_carry = cell.zero_carry(HIDDEN + 1, (3,))
    expect_error(["initial_carry", f"(3, {HIDDEN})", f"(3, {HIDDEN + 1})"],
                 lambda: core.run(cell, params, x, initial_carry=wrong_carry))


def test_lstm_carry_of_the_wrong_structure_is_rejected():
    cell = core.LSTMCell()
    params, x = setup(cell)
    expect_error(["initial_carry", "LSTMState"], lambda: core.run(cell, params, x, initial_carry=jnp.zeros((3, HIDDEN))))


def test_init_rejects_bad_sizes():
    expect_error(["hidden_size", "positive int", "0"], lambda: core.LSTMCell().init(jax.random.key(0), 3, 0))
    expect_error(["input_size", "positive int", "2.0"], lambda: core.GRUCell().init(jax.random.key(0), 2.0, 3))


@pytest.mark.parametrize("cell,other", [
    (core.LSTMCell(), core.GRUCell()), (core.GRUCell(reset_after=True), core.GRUCell()),
    (core.LSTMCell(), core.LRUCell()), (core.MinGRUCell(), core.LSTMCell()),
])
def test_the_parameters_of_another_cell_are_refused_naming_what_was_expected(cell, other):
    params = other.init(jax.random.key(0), 3, 4)
    with pytest.raises(ValueError, match=r"^params: expected the parameters of .*received"):
        core.run(cell, params, jnp.ones((2, 5, 3)))


def test_forward_mode_through_the_custom_backward_points_to_autodiff():
    cell = core.LSTMCell()
    params, x = cell.init(jax.random.key(0), 3, 4), jnp.ones((2, 5, 3))
    with pytest.raises(ValueError, match=r"options.backward: expected RunOptions\(backward='autodiff'\)"):
        jax.jvp(lambda x: core.run(cell, params, x)[0].sum(), (x,), (x,))
    autodiff = core.RunOptions(backward="autodiff")
    _, tangent = jax.jvp(lambda x: core.run(cell, params, x, options=autodiff)[0].sum(), (x,), (x,))
    _, vjp = jax.vjp(lambda x: core.run(cell, params, x)[0].sum(), x)
    np.testing.assert_allclose(tangent, jnp.vdot(vjp(jnp.float32(1.0))[0], x), rtol=1e-5)


def test_an_activation_that_is_not_callable_is_refused():
    with pytest.raises(ValueError, match=r"^activation: expected an elementwise callable.*received 'foo'"):
        core.SimpleRNNCell(activation="foo")
