"""The cuDNN LSTM path: weight conversion (against JAX's own unpacking and PyTorch's nn.LSTM),
the wrapper's lengths/reverse/carry semantics (against the scan, with ``jax.experimental.rnn.lstm_ref``
standing in for cuDNN on CPU), and when ``core.run`` falls back to the scan."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.experimental import rnn

from seqjax import core
from seqjax.core import cudnn_lstm

BATCH, TIME, INPUT, HIDDEN = 3, 7, 5, 4


def _lstm_and_inputs():
    cell = core.LSTMCell()
    keys = jax.random.split(jax.random.key(0), 5)
    params = cell.init(keys[0], INPUT, HIDDEN)
    params = params._replace(bias=jax.random.normal(keys[1], params.bias.shape))  # no zero biases to hide behind
    inputs = jax.random.normal(keys[2], (BATCH, TIME, INPUT))
    carry = core.LSTMState(jax.random.normal(keys[3], (BATCH, HIDDEN)), jax.random.normal(keys[4], (BATCH, HIDDEN)))
    return cell, params, inputs, carry


def _reference_lstm(x, h_0, c_0, weights, seq_lengths, input_size, hidden_size, num_layers, dropout, bidirectional):
    """``jax.experimental.rnn.lstm``'s signature over its reference implementation (CPU)."""
    w_ih, w_hh, b_ih, b_hh = rnn.unpack_lstm_weights(weights, input_size, hidden_size, num_layers, bidirectional)
    return rnn.lstm_ref(x, h_0, c_0, w_ih, w_hh, b_ih, b_hh, seq_lengths, input_size, hidden_size, num_layers,
                        dropout, bidirectional)


def test_weights_round_trip_exactly_and_unpack_as_jax_reads_them():
    _, params, _, _ = _lstm_and_inputs()
    weights = core.to_cudnn_weights(params)
    assert weights.shape == (rnn.get_num_params_in_lstm(INPUT, HIDDEN, 1, False),)
    back = core.from_cudnn_weights(weights, INPUT, HIDDEN)
    for name in params._fields:
        np.testing.assert_array_equal(getattr(back, name), getattr(params, name))
    w_ih, w_hh, b_ih, b_hh = (part[0] for part in rnn.unpack_lstm_weights(weights, INPUT, HIDDEN, 1, False))
    np.testing.assert_array_equal(w_ih, params.input_kernel.T)
    np.testing.assert_array_equal(w_hh, params.recurrent_kernel.T)
    np.testing.assert_array_equal(b_ih + b_hh, params.bias)


def test_pytorch_weights_give_pytorchs_outputs():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    reference = torch.nn.LSTM(INPUT, HIDDEN, batch_first=True)
    packed = np.concatenate([getattr(reference, name).detach().numpy().ravel()
                             for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")])
    params = core.from_cudnn_weights(jnp.asarray(packed), INPUT, HIDDEN)
    inputs = np.random.default_rng(1).normal(size=(BATCH, TIME, INPUT)).astype(np.float32)
    expected, (h_n, c_n) = reference(torch.from_numpy(inputs))
    outputs, final = core.run(core.LSTMCell(), params, jnp.asarray(inputs))
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final.hidden, h_n[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final.cell, c_n[0].detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reverse", [False, True])
def test_the_cudnn_wrapper_equals_the_scan_with_lengths_carry_and_gradients(reverse):
    cell, params, inputs, carry = _lstm_and_inputs()
    lengths = jnp.array([TIME, 3, 0])

    def loss(run_one, params, inputs, carry):
        outputs, final = run_one(params, inputs, carry)
        return jnp.sum(outputs**2) + jnp.sum(jnp.sin(final.hidden)) + jnp.sum(final.cell**2), (outputs, final)

    def by_scan(params, inputs, carry):
        return core.run(cell, params, inputs, initial_carry=carry, lengths=lengths, reverse=reverse)

    def by_wrapper(params, inputs, carry):
        return cudnn_lstm.run_cudnn_lstm(params, inputs, carry, lengths, reverse, lstm=_reference_lstm)

    results = [jax.grad(loss, argnums=(1, 2, 3), has_aux=True)(fn, params, inputs, carry) for fn in (by_scan, by_wrapper)]
    (scan_grads, (scan_out, scan_final)), (wrapper_grads, (wrapper_out, wrapper_final)) = results
    np.testing.assert_allclose(wrapper_out, scan_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(wrapper_out[2], 0.0)
    np.testing.assert_array_equal(wrapper_final.hidden[2], carry.hidden[2])  # length 0 keeps its carry
    for got, want in zip(jax.tree.leaves((wrapper_final, wrapper_grads)), jax.tree.leaves((scan_final, scan_grads))):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_run_falls_back_to_the_scan_and_says_why(monkeypatch):
    cell, params, inputs, _ = _lstm_and_inputs()
    reason = core.cudnn_fallback_reason
    float32 = [jnp.float32]
    assert "no CUDA device" in reason(cell, core.RunOptions(), float32)
    assert "LSTMCell only" in reason(core.GRUCell(), core.RunOptions(), float32)
    assert "cudnn='off'" in reason(cell, core.RunOptions(cudnn="off"), float32)
    with pytest.raises(ValueError, match=r"options\.cudnn: expected 'auto' or 'off'.*received 'on' \(no CUDA"):
        core.run(cell, params, inputs, options=core.RunOptions(cudnn="on"))
    with pytest.raises(ValueError, match=r"cudnn: expected one of \('auto', 'off', 'on'\), received 'yes'"):
        core.RunOptions(cudnn="yes")

    # What a CUDA device would see: each option that needs the scan, named.
    monkeypatch.setattr(cudnn_lstm.jax, "default_backend", lambda: "gpu")
    monkeypatch.setattr(cudnn_lstm.rnn, "gpu_rnn", object())
    assert reason(cell, core.RunOptions(), float32) is None
    assert "float32 only" in reason(cell, core.RunOptions(), [jnp.bfloat16, jnp.float32])
    assert "clip_carry_gradient" in reason(cell, core.RunOptions(clip_carry_gradient=1.0), float32)
    assert "autodiff" in reason(cell, core.RunOptions(backward="autodiff"), float32)
