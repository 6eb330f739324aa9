"""Sampling multi-hot frames: each key an independent Bernoulli of its sigmoid, thresholded at temperature 0."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.language_modeling import choose_next_frame


def test_keys_are_on_with_their_sigmoid_probability_and_temperature_zero_thresholds():
    logits = jnp.array([[-3.0, -0.5, 0.0, 0.7, 2.5]])
    keys = jax.random.split(jax.random.key(0), 4000)
    frames = jax.vmap(lambda key: choose_next_frame(logits, key, 1.0))(keys)[:, 0]
    expected = 1.0 / (1.0 + np.exp(-np.asarray(logits[0], np.float64)))
    np.testing.assert_allclose(np.asarray(frames).mean(axis=0), expected, atol=0.03)  # 4 sigma of 4000 draws
    assert choose_next_frame(logits, keys[0], 0.0).tolist() == [[0.0, 0.0, 0.0, 1.0, 1.0]]
    cooled = jax.vmap(lambda key: choose_next_frame(logits, key, 0.25))(keys)[:, 0]
    assert np.all(np.abs(np.asarray(cooled).mean(axis=0) - 0.5) >= np.abs(expected - 0.5) - 0.03)  # sharper
