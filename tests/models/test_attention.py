"""Cross-attention scores (general, dot, additive) against float64 numpy, over real source steps only."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import models
from tests.helpers import relative_error


def _reference(score, params, queries, values, length):
    q, v = np.asarray(queries, np.float64), np.asarray(values, np.float64)[:length]
    p = jax.tree.map(lambda x: np.asarray(x, np.float64), params)
    if score == "dot":
        scores = q @ v.T
    elif score == "general":
        scores = q @ (v @ p["key_projection"]["kernel"]).T
    else:
        keys = v @ p["key_projection"]["kernel"] + p["key_projection"]["bias"]
        hidden = np.tanh((q @ p["query_projection"]["kernel"])[:, None] + keys[None])
        scores = (hidden @ p["score_vector"]["kernel"])[..., 0]
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return weights @ v, weights


@pytest.mark.parametrize("score", models.SCORES)
def test_contexts_and_weights_match_numpy_and_ignore_padding(score):
    attention = models.CrossAttention(query_size=6, score=score, attention_size=5)
    queries = jax.random.normal(jax.random.key(0), (2, 3, 6))
    values = jax.random.normal(jax.random.key(1), (2, 4, 6))
    lengths = jnp.array([4, 2])

    def apply(module, queries, values, lengths):
        return module(queries, module.memory(values, lengths))

    params = attention.init(jax.random.key(2), queries, values, lengths, method=apply)
    params = jax.tree.map(lambda x: x + 0.3 * jax.random.normal(jax.random.key(3), x.shape), params)
    contexts, weights = attention.apply(params, queries, values, lengths, method=apply)
    garbage = values.at[1, 2:].set(1e3)  # what lies past a sentence's length changes nothing
    np.testing.assert_array_equal(attention.apply(params, queries, garbage, lengths, method=apply)[0], contexts)
    for row in range(2):
        expected, expected_weights = _reference(score, params.get("params", {}), queries[row], values[row],
                                                int(lengths[row]))
        assert relative_error(contexts[row], expected) < 1e-5
        assert relative_error(weights[row, :, : int(lengths[row])], expected_weights) < 1e-5
    assert np.all(np.asarray(weights[1, :, 2:]) == 0.0)
