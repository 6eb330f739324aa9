"""Flax layers, stacks and the bidirectional wrapper against the float64 numpy equations."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core, nn
from seqjax.core import initializers
from tests import numpy_reference as ref
from tests.helpers import relative_error

BATCH, TIME, INPUT, HIDDEN = 3, 12, 4, 5
LENGTHS = jnp.array([TIME, 7, 1])


def inputs(seed=0, features=INPUT):
    return jax.random.normal(jax.random.key(seed), (BATCH, TIME, features))


def numpy_lstm(cell_params, x):
    """Float64 LSTM over one sequence ``x [time, input]`` from zeros."""
    Vs, Ws, bs = (ref.gate_blocks(a, 4) for a in cell_params)
    zeros = np.zeros(cell_params.recurrent_kernel.shape[0])
    return ref.lstm(x, Vs, Ws, bs, zeros, zeros)[0]


def numpy_gru(cell_params, x):
    Vs, Ws, bs = (ref.gate_blocks(a, 3) for a in cell_params[:3])
    return ref.gru(x, Vs, Ws, bs, np.zeros(cell_params.recurrent_kernel.shape[0]))[0]


def test_layer_params_are_the_core_pytree_and_follow_the_options():
    layer = nn.LSTM(HIDDEN, forget_bias=2.5)
    variables = layer.init(jax.random.key(0), inputs())
    params = variables["params"]["cell"]
    assert isinstance(params, core.FusedParams)
    assert params.input_kernel.shape == (INPUT, 4 * HIDDEN)
    np.testing.assert_array_equal(params.bias[HIDDEN : 2 * HIDDEN], 2.5)
    irnn = nn.SimpleRNN(HIDDEN, activation=jax.nn.relu, recurrent_init=initializers.identity)
    np.testing.assert_array_equal(irnn.init(jax.random.key(0), inputs())["params"]["cell"].recurrent_kernel, np.eye(HIDDEN))
    gru = nn.GRU(HIDDEN, update_bias=-1.0, reset_after=True).init(jax.random.key(0), inputs())["params"]["cell"]
    assert isinstance(gru, core.ResetAfterGRUParams)
    np.testing.assert_array_equal(gru.bias[HIDDEN : 2 * HIDDEN], -1.0)


@pytest.mark.parametrize("layer,numpy_fn", [(nn.LSTM(HIDDEN), numpy_lstm), (nn.GRU(HIDDEN), numpy_gru)], ids=["lstm", "gru"])
def test_layer_with_lengths_matches_the_equations(layer, numpy_fn):
    x = inputs()
    variables = layer.init(jax.random.key(1), x)
    outputs, _ = layer.apply(variables, x, LENGTHS)
    params = variables["params"]["cell"]
    for b, n in enumerate(LENGTHS.tolist()):
        assert relative_error(outputs[b, :n], numpy_fn(params, x[b, :n])) < 1e-5
        np.testing.assert_array_equal(outputs[b, n:], 0.0)


def test_stacked_layers_with_residuals_match_the_equations_layer_by_layer():
    model = nn.stack(nn.LSTM(HIDDEN), 3, residual=True)
    x = inputs(features=HIDDEN)
    variables = model.init(jax.random.key(2), x)
    outputs, carries = model.apply(variables, x, LENGTHS)
    assert len(carries) == 3
    per_layer = [variables["params"][f"layers_{i}"]["cell"] for i in range(3)]
    assert not np.allclose(per_layer[0].input_kernel, per_layer[1].input_kernel)  # separate parameters
    for b, n in enumerate(LENGTHS.tolist()):
        y = np.asarray(x[b, :n], np.float64)
        for i, params in enumerate(per_layer):
            h = numpy_lstm(params, y)
            y = h + y if i > 0 else h
        assert relative_error(outputs[b, :n], y) < 1e-5
        np.testing.assert_allclose(carries[-1].hidden[b], h[-1], rtol=1e-5)
        np.testing.assert_array_equal(outputs[b, n:], 0.0)


def test_dropout_acts_between_layers_only_when_not_deterministic():
    x = inputs(features=HIDDEN)
    rngs = {"dropout": jax.random.key(5)}
    single = nn.stack(nn.GRU(HIDDEN), 1, dropout_rate=0.5)
    variables = single.init(jax.random.key(0), x)
    np.testing.assert_array_equal(  # no dropout before the first layer
        single.apply(variables, x, deterministic=False, rngs=rngs)[0], single.apply(variables, x)[0]
    )
    double = nn.stack(nn.GRU(HIDDEN), 2, dropout_rate=0.5)
    variables = double.init(jax.random.key(0), x)
    train = double.apply(variables, x, LENGTHS, deterministic=False, rngs=rngs)[0]
    evaluation = double.apply(variables, x, LENGTHS)[0]
    assert float(jnp.max(jnp.abs(train - evaluation))) > 1e-3
    np.testing.assert_array_equal(train[1, 7:], 0.0)  # padding stays zero under dropout


def test_stack_rejects_bad_configurations():
    x = inputs()
    with pytest.raises(ValueError, match=r"layers\[1\]: expected output shape \(3, 12, 4\) for a residual connection, received \(3, 12, 5\)"):
        nn.Stacked(layers=(nn.LSTM(INPUT), nn.LSTM(HIDDEN)), residual=True).init(jax.random.key(0), x)
    with pytest.raises(ValueError, match=r"num_layers: expected a positive int, received 0"):
        nn.stack(nn.LSTM(HIDDEN), 0)
    model = nn.stack(nn.LSTM(HIDDEN), 2)
    with pytest.raises(ValueError, match=r"initial_carries: expected 2 carries.*received 1"):
        model.init(jax.random.key(0), x, None, [None])


@pytest.mark.parametrize("backward_layer, loops", [
    (nn.LSTM(HIDDEN + 1), 2),  # other sizes: each direction its own loop
    (nn.LSTM(HIDDEN, recurrent_init=initializers.identity), 1),  # the same run: one loop batched over direction
], ids=["two loops", "one loop"])
def test_bidirectional_respects_lengths(backward_layer, loops):
    model = nn.Bidirectional(nn.LSTM(HIDDEN), backward_layer)
    x = inputs()
    padded = jnp.where(jnp.arange(TIME)[None, :, None] < LENGTHS[:, None, None], x, 99.0)
    variables = model.init(jax.random.key(3), x)
    assert str(jax.make_jaxpr(lambda v: model.apply(v, padded, LENGTHS))(variables)).count(" scan[") == loops
    outputs, (forward_final, backward_final) = model.apply(variables, padded, LENGTHS)
    assert outputs.shape == (BATCH, TIME, HIDDEN + backward_layer.hidden_size)
    forward = variables["params"]["forward_layer"]["cell"]
    backward = variables["params"]["backward_layer"]["cell"]
    for b, n in enumerate(LENGTHS.tolist()):
        real = np.asarray(x[b, :n])
        expected_forward = numpy_lstm(forward, real)
        expected_backward = numpy_lstm(backward, real[::-1])[::-1]  # the real part, reversed
        assert relative_error(outputs[b, :n, :HIDDEN], expected_forward) < 1e-5
        assert relative_error(outputs[b, :n, HIDDEN:], expected_backward) < 1e-5
        np.testing.assert_array_equal(outputs[b, n:], 0.0)
        np.testing.assert_allclose(forward_final.hidden[b], expected_forward[-1], rtol=1e-5)
        np.testing.assert_allclose(backward_final.hidden[b], expected_backward[0], rtol=1e-5)


def test_stacked_bidirectional_layers_train_under_jit():
    model = nn.Stacked(layers=(nn.Bidirectional(nn.GRU(HIDDEN), nn.GRU(HIDDEN)),
                               nn.Bidirectional(nn.GRU(HIDDEN), nn.GRU(HIDDEN))), residual=True)
    x = inputs()
    variables = model.init(jax.random.key(0), x)

    @jax.jit
    def loss(variables):
        return jnp.mean(model.apply(variables, x, LENGTHS)[0] ** 2)

    grads = jax.grad(loss)(variables)
    assert all(bool(jnp.all(jnp.isfinite(g))) and float(jnp.max(jnp.abs(g))) > 0 for g in jax.tree.leaves(grads))


def test_layer_backward_options_give_the_same_gradients():
    x = inputs()
    layers = [nn.LSTM(HIDDEN), nn.LSTM(HIDDEN, options=core.RunOptions(backward="autodiff", remat=True))]
    variables = layers[0].init(jax.random.key(0), x)
    grads = [
        jax.grad(lambda v, layer=layer: jnp.sum(layer.apply(v, x, LENGTHS)[0] ** 2))(variables) for layer in layers
    ]
    for a, b in zip(jax.tree.leaves(grads[0]), jax.tree.leaves(grads[1])):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_layer_clip_carry_gradient_is_the_core_option():
    x = inputs()
    layer = nn.GRU(HIDDEN, options=core.RunOptions(clip_carry_gradient=0.01))
    variables = layer.init(jax.random.key(0), x)
    params = variables["params"]["cell"]
    got = jax.grad(lambda v: jnp.sum(layer.apply(v, x)[0] ** 2))(variables)["params"]["cell"]
    want = jax.grad(
        lambda p: jnp.sum(core.run(core.GRUCell(), p, x, options=core.RunOptions(clip_carry_gradient=0.01))[0] ** 2)
    )(params)
    unclipped = jax.grad(lambda p: jnp.sum(core.run(core.GRUCell(), p, x)[0] ** 2))(params)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(want)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    assert not np.allclose(got.recurrent_kernel, unclipped.recurrent_kernel, rtol=1e-3)


def _numpy_simple_rnn(x, V, W, b, activation=np.tanh, U=None, skip=1):
    """Float64 ``h_t = f(x_t V + h_{t-1} W [+ h_{t-skip} U] + b)`` over ``x [time, input]`` from zeros."""
    history = [np.zeros(W.shape[0])] * max(skip, 1)
    outputs = []
    for x_t in x:
        pre = x_t @ V + history[-1] @ W + b
        if U is not None:
            pre = pre + history[-skip] @ U
        history.append(activation(pre))
        outputs.append(history[-1])
    return np.stack(outputs)


def test_orthogonal_rnn_layer_runs_expm_of_the_skew_part_of_its_generator():
    import scipy.linalg

    layer = nn.OrthogonalRNN(HIDDEN)
    x = inputs()
    variables = layer.init(jax.random.key(0), x)
    params = variables["params"]["cell"]
    generator = np.asarray(params.recurrent_kernel, np.float64) + 0.3  # move it off the initial rotations
    params = params._replace(recurrent_kernel=jnp.asarray(generator, jnp.float32))
    outputs, _ = layer.apply({"params": {"cell": params}}, x)
    W = scipy.linalg.expm(generator - generator.T)
    np.testing.assert_allclose(W @ W.T, np.eye(HIDDEN), atol=1e-12)
    V, b = (np.asarray(a, np.float64) for a in (params.input_kernel, params.bias))
    for row in range(BATCH):
        expected = _numpy_simple_rnn(np.asarray(x[row], np.float64), V, W, b)
        assert relative_error(outputs[row], expected) < 1e-5


def test_skip_rnn_layer_matches_the_equations_and_passes_its_options():
    layer = nn.SkipRNN(HIDDEN, skip=3, skip_scale=0.25)
    x = inputs()
    params = layer.init(jax.random.key(0), x)["params"]["cell"]
    assert isinstance(params, core.SkipRNNParams)
    W, U = (np.asarray(a, np.float64) for a in (params.recurrent_kernel, params.skip_kernel))
    np.testing.assert_allclose(W @ W.T, 0.75**2 * np.eye(HIDDEN), atol=1e-5)  # orthogonal blocks, scaled
    np.testing.assert_allclose(U @ U.T, 0.25**2 * np.eye(HIDDEN), atol=1e-5)
    params = jax.tree.map(lambda a: a + 0.1, params)  # a non-zero bias too
    outputs, _ = layer.apply({"params": {"cell": params}}, x)
    V, W, U, b = (np.asarray(a, np.float64) for a in params)
    for row in range(BATCH):
        expected = _numpy_simple_rnn(np.asarray(x[row], np.float64), V, W, b, U=U, skip=3)
        assert relative_error(outputs[row], expected) < 1e-5


@pytest.mark.parametrize("rate", [1.0, 1.5, -0.1, float("nan")])
def test_a_dropout_rate_outside_0_1_is_refused(rate):
    model = nn.stack(nn.LSTM(hidden_size=4), num_layers=2, dropout_rate=rate)
    with pytest.raises(ValueError, match=r"^dropout_rate: expected a probability in \[0, 1\)"):
        model.init(jax.random.key(0), jnp.ones((2, 3, 5)))
