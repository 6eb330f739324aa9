"""The word tagger: shapes, and padding (words past a sentence's end, characters past a word's
end) never changes the logits of real words."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from seqjax import models
from tests.helpers import randomised

BATCH, TIME, CHARS = 2, 5, 6


def test_padding_does_not_change_the_logits_of_real_words():
    model = models.WordTagger(vocab_size=20, num_tags=4, embed_size=8, hidden_size=6, num_layers=2,
                              char_vocab_size=12, char_embed_size=4, char_hidden_size=5)
    key = jax.random.key(0)
    words = jax.random.randint(key, (BATCH, TIME), 2, 20)
    chars = jax.random.randint(jax.random.fold_in(key, 1), (BATCH, TIME, CHARS), 2, 12)
    char_lengths = jnp.array([[6, 3, 1, 4, 2], [2, 2, 5, 1, 6]])
    lengths = jnp.array([TIME, 3])
    params = randomised(jax.eval_shape(model.init, key, words, lengths, chars, char_lengths))
    logits = model.apply(params, words, lengths, chars, char_lengths)
    assert logits.shape == (BATCH, TIME, 4)
    past_words = words.at[1, 3:].set(7)
    past_chars = jnp.where(jnp.arange(CHARS)[None, None, :] >= char_lengths[..., None], 9, chars)
    changed = model.apply(params, past_words, lengths, past_chars, char_lengths)
    np.testing.assert_allclose(changed[0], logits[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(changed[1, :3], logits[1, :3], rtol=1e-5, atol=1e-6)
    # A real character does change its word's logits (the features are used).
    moved = model.apply(params, words, lengths, chars.at[0, 1, 0].set(3 if chars[0, 1, 0] != 3 else 4), char_lengths)
    assert not np.allclose(moved[0, 1], logits[0, 1])
