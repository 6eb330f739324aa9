"""Sequence cross-entropy against a float64 numpy log-softmax over the real steps."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from seqjax import train


def test_sequence_cross_entropy_averages_over_real_steps_only():
    logits = jax.random.normal(jax.random.key(0), (3, 6, 5))
    labels = jax.random.randint(jax.random.key(1), (3, 6), 0, 5)
    lengths = jnp.array([6, 2, 0])
    z = np.asarray(logits, np.float64)
    log_probs = z - np.log(np.exp(z).sum(-1, keepdims=True))
    picked = np.take_along_axis(log_probs, np.asarray(labels)[..., None], -1)[..., 0]
    expected = -(picked[0].sum() + picked[1, :2].sum()) / 8
    np.testing.assert_allclose(train.sequence_cross_entropy(logits, labels, lengths), expected, rtol=1e-6)
    np.testing.assert_allclose(train.sequence_cross_entropy(logits, labels), -picked.mean(), rtol=1e-6)
    assert float(train.sequence_cross_entropy(logits, labels, jnp.zeros(3, jnp.int32))) == 0.0


def test_label_smoothing_matches_optax_smoothed_one_hot_targets():
    logits = jax.random.normal(jax.random.key(2), (2, 4, 7))
    labels = jax.random.randint(jax.random.key(3), (2, 4), 0, 7)
    lengths = jnp.array([4, 1])
    targets = optax.smooth_labels(jax.nn.one_hot(labels, 7), 0.1)
    per_step = optax.softmax_cross_entropy(logits, targets)
    expected = (per_step[0].sum() + per_step[1, 0]) / 5
    np.testing.assert_allclose(train.sequence_cross_entropy(logits, labels, lengths, label_smoothing=0.1),
                               expected, rtol=1e-6)
    with pytest.raises(ValueError, match=r"label_smoothing.*\[0, 1\).*1.0"):
        train.sequence_cross_entropy(logits, labels, lengths, label_smoothing=1.0)


def test_bernoulli_nll_sums_keys_and_averages_real_steps_like_numpy():
    logits = 4.0 * jax.random.normal(jax.random.key(4), (2, 3, 5))
    targets = jax.random.bernoulli(jax.random.key(5), 0.3, (2, 3, 5)).astype(jnp.float32)
    z, y = np.asarray(logits, np.float64), np.asarray(targets, np.float64)
    p = 1.0 / (1.0 + np.exp(-z))
    per_step = -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(-1)
    expected = (per_step[0].sum() + per_step[1, :2].sum()) / 5
    np.testing.assert_allclose(train.sequence_bernoulli_nll(logits, targets, jnp.array([3, 2])), expected, rtol=1e-5)
