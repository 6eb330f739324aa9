"""The encoder-decoder with attention against a float64 numpy implementation of its equations,
and its one-step decoding path against its teacher-forced path."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import models
from tests.helpers import randomised, relative_error
from tests.numpy_reference import gate_blocks, gru


def _gru_reference(cell, inputs, h0):
    return gru(inputs, gate_blocks(cell.input_kernel, 3), gate_blocks(cell.recurrent_kernel, 3),
               gate_blocks(cell.bias, 3), h0)


def _reference_logits(p, source, target_inputs):
    """Luong attention with the general score, written from the equations for one sentence."""
    f64 = lambda x: np.asarray(x, np.float64)  # noqa: E731
    encoder = p["encoder"]
    embedded = f64(p["source_embed"]["embedding"])[source]
    hidden = encoder["forward_layer"]["cell"].recurrent_kernel.shape[0]
    forward, _ = _gru_reference(encoder["forward_layer"]["cell"], embedded, np.zeros(hidden))
    backward, _ = _gru_reference(encoder["backward_layer"]["cell"], embedded[::-1], np.zeros(hidden))
    memory = np.concatenate([forward, backward[::-1]], axis=-1)  # [source, 2 * hidden]
    summary = np.concatenate([forward[-1], backward[-1]])
    h0 = np.tanh(summary @ f64(p["bridge"]["kernel"]) + f64(p["bridge"]["bias"]))
    states, _ = _gru_reference(p["decoder"]["cell"], f64(p["target_embed"]["embedding"])[target_inputs], h0)
    keys = memory @ f64(p["attention"]["key_projection"]["kernel"])
    scores = states @ keys.T
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    attentional = np.tanh(np.concatenate([weights @ memory, states], -1) @ f64(p["combine"]["kernel"]))
    return attentional @ f64(p["head"]["kernel"]) + f64(p["head"]["bias"]), weights


def _model_and_params(decoder_size=5, **options):
    model = models.Translator(source_vocab_size=11, target_vocab_size=13, embed_size=4, encoder_size=3,
                              decoder_size=decoder_size, **options)
    source = jnp.array([[3, 4, 5, 6, 7], [8, 9, 0, 0, 0]])
    lengths = jnp.array([5, 2])
    target_inputs = jnp.array([[2, 5, 6, 7], [2, 8, 9, 10]])
    params = randomised(jax.eval_shape(model.init, jax.random.key(0), source, lengths, target_inputs))
    return model, params, source, lengths, target_inputs


def test_teacher_forced_logits_and_attention_match_float64_numpy():
    model, params, source, lengths, target_inputs = _model_and_params()
    logits, variables = model.apply(params, source, lengths, target_inputs, mutable=["intermediates"])
    weights = variables["intermediates"]["attention"]["attention_weights"][0]
    for row in range(2):
        real_source = np.asarray(source[row, : int(lengths[row])])
        expected, expected_weights = _reference_logits(params["params"], real_source, np.asarray(target_inputs[row]))
        assert relative_error(logits[row], expected) < 1e-5
        assert relative_error(weights[row, :, : int(lengths[row])], expected_weights) < 1e-5
        assert np.all(np.asarray(weights[row, :, int(lengths[row]):]) == 0.0)  # padding is never attended to


@pytest.mark.parametrize("cell,score", [("gru", "general"), ("lstm", "dot"), ("gru", "additive")])
def test_decoding_one_token_at_a_time_gives_the_teacher_forced_logits(cell, score):
    decoder_size = 6 if score == "dot" else 5  # the dot score needs the memory's width, 2 * encoder_size
    model, params, source, lengths, target_inputs = _model_and_params(decoder_size, cell=cell, score=score)
    full = model.apply(params, source, lengths, target_inputs)
    memory, carry = model.apply(params, source, lengths, method=models.Translator.encode)
    stepped = []
    for t in range(target_inputs.shape[1]):
        logits, carry = model.apply(params, memory, target_inputs[:, t : t + 1], carry, method=models.Translator.decode)
        stepped.append(logits[:, 0])
    assert relative_error(jnp.stack(stepped, axis=1), full) < 1e-5


def test_greedy_translation_follows_the_argmax_of_the_teacher_forced_logits():
    model, params, source, lengths, _ = _model_and_params()
    tokens = np.asarray(models.translate(model, params, source, lengths, max_length=6, start_id=2, end_id=3))
    # Teacher-forced logits at step t read the target inputs up to t only, so the inputs so far,
    # padded to a fixed 7 steps, give the next token's logits with one compiled function.
    teacher_forced = jax.jit(model.apply)
    for row in range(2):
        inputs = [2]
        for _ in range(6):
            padded = jnp.array([inputs + [0] * (7 - len(inputs))])
            logits = teacher_forced(params, source[row : row + 1], lengths[row : row + 1], padded)
            inputs.append(int(jnp.argmax(logits[0, len(inputs) - 1])))
            if inputs[-1] == 3:
                break
        decoded = inputs[1:] + [0] * (6 - len(inputs[1:]))
        assert tokens[row].tolist() == decoded


def test_dot_score_refuses_a_memory_of_another_width():
    model = models.Translator(11, 13, embed_size=4, encoder_size=3, decoder_size=5, score="dot")
    with pytest.raises(ValueError, match="values.*width 5.*6"):
        model.init(jax.random.key(0), jnp.ones((1, 3), jnp.int32), jnp.array([3]), jnp.ones((1, 2), jnp.int32))
