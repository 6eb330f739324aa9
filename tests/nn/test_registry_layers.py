"""Every layer of the registry (``nn.LAYERS``): the one calling convention, carried state,
padding and reverse runs; the Griffin block's parts against numpy."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core, nn
from tests.helpers import randomised, relative_error

BATCH, TIME, WIDTH = 3, 11, 8


def build(name):
    layer = nn.recurrent_layer(name, WIDTH)
    x = np.random.default_rng(0).standard_normal((BATCH, TIME, WIDTH)).astype(np.float32)
    params = randomised(jax.eval_shape(lambda: layer.init(jax.random.key(0), x)), 1)
    return layer, randomised_scaled(params), x


def randomised_scaled(params):
    """Random parameters small enough that no unit saturates (0.3 of ``randomised``'s scale)."""
    return jax.tree.map(lambda leaf: 0.6 * leaf, params)


@pytest.mark.parametrize("name", nn.CELL_NAMES)
def test_a_state_carried_across_chunks_equals_one_run(name):
    layer, params, x = build(name)
    whole, whole_final = layer.apply(params, x)
    zero = nn.zero_carries(name, WIDTH, BATCH, 1)[0]
    assert jax.tree.structure(zero) == jax.tree.structure(whole_final)
    assert jax.tree.map(jnp.shape, zero) == jax.tree.map(jnp.shape, whole_final)
    first, carry = layer.apply(params, x[:, :4], None, zero)
    second, final = layer.apply(params, x[:, 4:], None, carry)
    assert whole.shape == (BATCH, TIME, WIDTH)
    assert relative_error(np.concatenate([first, second], 1), whole) < 1e-5
    for got, want in zip(jax.tree.leaves(final), jax.tree.leaves(whole_final)):
        assert relative_error(got, want) < 1e-5


@pytest.mark.parametrize("name", nn.CELL_NAMES)
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_a_padded_batch_equals_each_sequence_alone(name, reverse):
    layer, params, x = build(name)
    lengths = np.array([TIME, 6, 1])
    noisy = np.where((np.arange(TIME)[None, :] >= lengths[:, None])[..., None], 100.0, x).astype(np.float32)
    outputs, finals = layer.apply(params, noisy, lengths, reverse=reverse)
    for i, length in enumerate(lengths):
        alone, alone_final = layer.apply(params, x[i : i + 1, :length], reverse=reverse)
        assert relative_error(outputs[i, :length], alone[0]) < 1e-5
        assert not np.any(np.asarray(outputs[i, length:]))
        for got, want in zip(jax.tree.leaves(finals), jax.tree.leaves(alone_final)):
            assert relative_error(got[i], want[0]) < 1e-5


def test_reverse_reads_each_sequence_backwards():
    layer, params, x = build("griffin")
    backwards, _ = layer.apply(params, x, reverse=True)
    flipped, _ = layer.apply(params, x[:, ::-1])
    np.testing.assert_allclose(backwards, flipped[:, ::-1], rtol=1e-5, atol=1e-6)


def test_causal_convolution_and_rms_norm_equal_numpy():
    x = np.random.default_rng(1).standard_normal((2, 7, 3))
    previous = np.random.default_rng(2).standard_normal((2, 3, 3))
    conv = nn.CausalConvolution(width=4)
    params = randomised(jax.eval_shape(lambda: conv.init(jax.random.key(0), x, None, previous)), 3)
    with jax.enable_x64(True):
        outputs, last = conv.apply(params, x, np.array([7, 5]), previous)
        kernel, bias = (np.asarray(params["params"][k], np.float64) for k in ("kernel", "bias"))
        padded = np.concatenate([previous, x], 1)
        want = np.stack([bias + sum(kernel[k] * padded[:, t + 3 - k] for k in range(4)) for t in range(7)], 1)
        np.testing.assert_allclose(outputs, want, atol=1e-12)
        np.testing.assert_allclose(last[0], x[0, 4:7], atol=0)
        np.testing.assert_allclose(last[1], x[1, 2:5], atol=0)
        norm = nn.RMSNorm()
        norm_params = randomised(jax.eval_shape(lambda: norm.init(jax.random.key(0), x)), 4)
        scale = np.asarray(norm_params["params"]["scale"], np.float64)
        want = x / np.sqrt(np.mean(x**2, -1, keepdims=True) + 1e-6) * scale
        np.testing.assert_allclose(norm.apply(norm_params, x), want, rtol=1e-12)


def test_the_registry_is_what_the_models_and_configs_accept():
    from seqjax import language_modeling as lm

    assert set(nn.CELL_NAMES) >= {"lstm", "gru", "rnn", "mingru", "minlstm", "lru", "rglru", "griffin"}
    with pytest.raises(ValueError, match=r"cell: expected one of \('lstm', .*'griffin'\), received 'transformer'"):
        nn.recurrent_layer("transformer", 4)
    assert lm.LMConfig(cell="mingru").cell == "mingru"
    with pytest.raises(ValueError, match=r"inputs: expected \[batch, time, 8\] \(the block's width\), received shape \(3, 11, 5\)"):
        nn.GriffinBlock(WIDTH).init(jax.random.key(0), np.zeros((BATCH, TIME, 5)))
    lstm_carry = nn.carry_from_hidden("lstm", jnp.ones((2, 4)))
    assert isinstance(lstm_carry, core.LSTMState) and not np.any(np.asarray(lstm_carry.cell))
    lru_carry = nn.carry_from_hidden("lru", jnp.ones((2, 4)))
    assert jnp.iscomplexobj(lru_carry) and np.all(np.asarray(lru_carry) == 1)
