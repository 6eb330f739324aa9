"""Pretraining a sentence encoder as a two-way language model: each direction predicts a token
it has not read, the loss is a masked cross-entropy (checked against numpy), and the encoder's
parameters move into a classifier unchanged."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import models
from tests.numpy_reference import log_softmax

VOCAB, TIME = 20, 7
LENGTHS = jnp.array([7, 4, 2])
TOKENS = jnp.array(np.random.default_rng(0).integers(2, VOCAB, (3, TIME)), jnp.int32)


def _encoder(bidirectional=True, hidden_size=5):
    return models.SentenceEncoder(VOCAB, 6, hidden_size, "lstm", bidirectional, 0.0)


def _model_and_params(output_size=0, bidirectional=True):
    model = models.NeighbourTokenModel(_encoder(bidirectional), output_size)
    return model, model.init(jax.random.key(1), TOKENS, LENGTHS)


def test_each_direction_predicts_a_token_it_has_not_read():
    model, params = _model_and_params()
    row, position = 0, 3
    changed = TOKENS.at[row, position].set((TOKENS[row, position] + 1) % VOCAB)
    next_a, previous_a = model.apply(params, TOKENS, LENGTHS)
    next_b, previous_b = model.apply(params, changed, LENGTHS)
    # the forward outputs up to `position - 1` predict `position` without having read it
    np.testing.assert_array_equal(next_a[row, :position], next_b[row, :position])
    assert not np.allclose(next_a[row, position], next_b[row, position])
    # the backward outputs from `position + 1` on predict `position` without having read it
    np.testing.assert_array_equal(previous_a[row, position + 1 :], previous_b[row, position + 1 :])
    assert not np.allclose(previous_a[row, position], previous_b[row, position])


def _cross_entropy(logits, targets, count):
    """float64 ``-log softmax(logits)[target]`` at each of the first ``count`` steps."""
    log_probs = log_softmax(np.asarray(logits, np.float64)[:count])
    return -log_probs[np.arange(count), targets[:count]]


@pytest.mark.parametrize("bidirectional", [True, False])
def test_the_loss_is_the_mean_cross_entropy_of_the_neighbours_over_the_real_steps(bidirectional):
    output_size = 12  # ids 12..19 are predicted as the unknown id 1
    model, params = _model_and_params(output_size, bidirectional)
    next_logits, previous_logits = model.apply(params, TOKENS, LENGTHS)
    assert next_logits.shape == (3, TIME, output_size) and (previous_logits is None) == (not bidirectional)
    targets = np.where(np.asarray(TOKENS) < output_size, np.asarray(TOKENS), 1)
    next_terms, previous_terms = [], []
    for row, length in enumerate(np.asarray(LENGTHS)):
        next_terms.append(_cross_entropy(next_logits[row], targets[row, 1:], length - 1))
        if bidirectional:
            previous_terms.append(_cross_entropy(previous_logits[row, 1:], targets[row], length - 1))
    expected = np.concatenate(next_terms).mean()
    if bidirectional:
        expected = (expected + np.concatenate(previous_terms).mean()) / 2
    loss = models.neighbour_token_loss((next_logits, previous_logits), TOKENS, LENGTHS)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_an_output_size_above_the_vocabulary_is_refused():
    message = rf"output_size: expected 0 or at most the vocabulary's {VOCAB} ids, received {VOCAB + 1}"
    with pytest.raises(ValueError, match=message):
        _model_and_params(output_size=VOCAB + 1)


def test_a_classifier_takes_the_pretrained_encoder_whole_and_keeps_its_own_head():
    classifier = models.SentenceClassifier(VOCAB, 2, embed_size=6, hidden_size=5, pooling="attention", dropout_rate=0.0)
    own = classifier.init(jax.random.key(2), TOKENS, LENGTHS)
    model, pretrained = _model_and_params()
    assert model.encoder == classifier.encoder()
    combined = models.with_pretrained_encoder(own, pretrained)
    encoded = classifier.encoder().apply({"params": combined["params"]["encoder"]}, TOKENS, LENGTHS)
    expected = _encoder().apply({"params": pretrained["params"]["encoder"]}, TOKENS, LENGTHS)
    np.testing.assert_array_equal(encoded, expected)
    for name in ("pool", "head"):
        same = jax.tree.map(lambda a, b: bool(jnp.all(a == b)), combined["params"][name], own["params"][name])
        assert jax.tree.all(same)
    assert not np.allclose(classifier.apply(combined, TOKENS, LENGTHS), classifier.apply(own, TOKENS, LENGTHS))


def test_an_encoder_of_another_shape_is_refused():
    classifier = models.SentenceClassifier(VOCAB, 2, embed_size=6, hidden_size=4)
    own = classifier.init(jax.random.key(2), TOKENS, LENGTHS)
    with pytest.raises(ValueError, match=r"pretrained_params: expected an encoder with the classifier's parameters"):
        models.with_pretrained_encoder(own, _model_and_params()[1])
