"""Pooling over time respects lengths; attention weights are a distribution over the real steps."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import models

BATCH, TIME, FEATURES = 3, 6, 4
LENGTHS = jnp.array([6, 2, 4])


def _outputs():
    return jax.random.normal(jax.random.key(0), (BATCH, TIME, FEATURES))


@pytest.mark.parametrize("pooling", ["last", "mean", "max"])
def test_fixed_poolings_match_numpy_over_the_real_steps(pooling):
    outputs = _outputs()
    pooled = models.Pool(pooling).apply({}, outputs, LENGTHS)
    x = np.asarray(outputs, np.float64)
    for row, length in enumerate(np.asarray(LENGTHS)):
        real = x[row, :length]
        expected = {"last": real[-1], "mean": real.mean(0), "max": real.max(0)}[pooling]
        np.testing.assert_allclose(pooled[row], expected, rtol=1e-5, atol=1e-6)


def test_last_reads_a_backward_half_at_step_zero():
    outputs = _outputs()
    pooled = models.last_step(outputs, LENGTHS, backward_size=1)
    np.testing.assert_allclose(pooled[1, :3], outputs[1, 1, :3])
    np.testing.assert_allclose(pooled[1, 3], outputs[1, 0, 3])


def test_attention_weights_are_a_distribution_over_real_steps_and_can_be_read_back():
    outputs = _outputs()
    module = models.AttentionPooling(8)
    params = module.init(jax.random.key(1), outputs, LENGTHS)
    (pooled, weights), state = module.apply(params, outputs, LENGTHS, mutable=["intermediates"])
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-6)
    assert np.all(np.asarray(weights)[1, 2:] == 0.0) and np.all(np.asarray(weights)[1, :2] > 0.0)
    np.testing.assert_allclose(pooled, np.einsum("bt,btf->bf", weights, outputs), rtol=1e-5)
    np.testing.assert_array_equal(state["intermediates"]["attention_weights"][0], weights)
