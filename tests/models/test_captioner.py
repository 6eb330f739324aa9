"""The captioner against a float64 numpy implementation (convolutions, grid attention, LSTM
decoder), and its one-step decoding path against its teacher-forced path."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import models
from tests.helpers import randomised, relative_error
from tests.numpy_reference import gate_blocks, lstm


def _conv_relu_pool(x, kernel, bias):
    """3 x 3 'SAME' cross-correlation, ReLU, 2 x 2 max pooling; ``x [height, width, channels]``."""
    height, width, _ = x.shape
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    out = np.zeros((height, width, kernel.shape[-1]))
    for i in range(height):
        for j in range(width):
            out[i, j] = np.einsum("abc,abcd->d", padded[i : i + 3, j : j + 3], kernel) + bias
    out = np.maximum(out, 0.0)
    return out.reshape(height // 2, 2, width // 2, 2, -1).max(axis=(1, 3))


def _reference_logits(p, image, token_inputs):
    f64 = lambda x: np.asarray(x, np.float64)  # noqa: E731
    x = f64(image)[..., None]
    for name in ("convolutions_0", "convolutions_1"):
        x = _conv_relu_pool(x, f64(p[name]["kernel"]), f64(p[name]["bias"]))
    grid = x.reshape(-1, x.shape[-1])
    h0 = np.tanh(grid.mean(0) @ f64(p["bridge"]["kernel"]) + f64(p["bridge"]["bias"]))
    cell = p["decoder"]["cell"]
    states, _ = lstm(f64(p["embed"]["embedding"])[token_inputs], gate_blocks(cell.input_kernel, 4),
                     gate_blocks(cell.recurrent_kernel, 4), gate_blocks(cell.bias, 4), h0, np.zeros_like(h0))
    scores = states @ (grid @ f64(p["attention"]["key_projection"]["kernel"])).T
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    attentional = np.tanh(np.concatenate([weights @ grid, states], -1) @ f64(p["combine"]["kernel"]))
    return attentional @ f64(p["head"]["kernel"]) + f64(p["head"]["bias"])


def _setup(attend=True):
    model = models.Captioner(vocab_size=9, embed_size=4, hidden_size=6, channels=(3, 4), attend=attend)
    images = jax.random.uniform(jax.random.key(0), (2, 8, 8))
    token_inputs = jnp.array([[2, 5, 6, 7], [2, 8, 4, 4]])
    return model, randomised(jax.eval_shape(model.init, jax.random.key(1), images, token_inputs)), images, token_inputs


def test_logits_match_float64_numpy():
    model, params, images, token_inputs = _setup()
    logits = model.apply(params, images, token_inputs)
    for row in range(2):
        expected = _reference_logits(params["params"], np.asarray(images[row]), np.asarray(token_inputs[row]))
        assert relative_error(logits[row], expected) < 1e-5


@pytest.mark.parametrize("attend", [True, False])
def test_decoding_one_token_at_a_time_gives_the_teacher_forced_logits(attend):
    model, params, images, token_inputs = _setup(attend)
    full = model.apply(params, images, token_inputs)
    memory, carry = model.apply(params, images, method=models.Captioner.encode)
    stepped = []
    for t in range(token_inputs.shape[1]):
        logits, carry = model.apply(params, memory, token_inputs[:, t : t + 1], carry, method=models.Captioner.decode)
        stepped.append(logits[:, 0])
    assert relative_error(jnp.stack(stepped, axis=1), full) < 1e-5
