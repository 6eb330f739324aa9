"""The language model's multi-hot input reads the same embedding table as its token ids."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from seqjax import models
from tests.helpers import relative_error


def test_one_hot_frames_give_the_logits_of_their_token_ids():
    model = models.LanguageModel(vocab_size=7, cell="lstm", hidden_size=8, num_layers=2, embed_size=5)
    tokens = jnp.array([[1, 4, 2, 6], [3, 3, 0, 5]])
    params = model.init(jax.random.key(0), tokens)
    by_id, _ = model.apply(params, tokens)
    by_frame, _ = model.apply(params, jax.nn.one_hot(tokens, 7))
    assert relative_error(by_frame, by_id) < 1e-6
