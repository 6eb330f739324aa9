"""Part-of-speech style tagging of words: word embeddings, optional character features, a
bidirectional recurrent stack and a softmax per word."""

from __future__ import annotations

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import nn
from seqjax.models.pooling import last_step
from seqjax.nn.dense import Dense
from seqjax.nn.dropout import checked_dropout


class CharacterEncoder(linen.Module):
    """Each word's characters read by a bidirectional LSTM: ``chars [..., max_chars]`` and
    ``char_lengths [...]`` -> ``[..., 2 * hidden_size]`` (the forward state after the last
    character and the backward state after the first). Id 0 is padding."""

    vocab_size: int
    embed_size: int = 32
    hidden_size: int = 64

    @linen.compact
    def __call__(self, chars: jax.Array, char_lengths: jax.Array) -> jax.Array:
        leading, max_chars = chars.shape[:-1], chars.shape[-1]
        flat = chars.reshape(-1, max_chars)
        lengths = jnp.maximum(char_lengths.reshape(-1), 1)  # padding words read one pad character
        embedded = linen.Embed(self.vocab_size, self.embed_size, name="embed")(flat)
        outputs, _ = nn.Bidirectional(nn.LSTM(self.hidden_size), nn.LSTM(self.hidden_size))(embedded, lengths)
        forward = last_step(outputs[..., : self.hidden_size], lengths)
        backward = outputs[:, 0, self.hidden_size :]
        return jnp.concatenate([forward, backward], axis=-1).reshape(*leading, 2 * self.hidden_size)


class WordTagger(linen.Module):
    """Tags every word of a padded batch.

    Call: ``(words [batch, time] int, lengths [batch], chars [batch, time, max_chars] | None,
    char_lengths [batch, time] | None, *, deterministic=True)`` returns logits
    ``[batch, time, num_tags]`` (positions past a sentence's end: mask them in the loss).
    Dropout (rng ``"dropout"``) acts on the word representations and between layers.

    Attributes:
      vocab_size, num_tags: words (id 0 padding, 1 unknown) and tags.
      embed_size: word embedding width.
      hidden_size, num_layers: each direction's LSTM width, and bidirectional layers.
      char_vocab_size: 0 for no character features, else the character vocabulary's size.
      char_embed_size, char_hidden_size: the character encoder's widths.
      dropout_rate: dropout probability.
    """

    vocab_size: int
    num_tags: int
    embed_size: int = 100
    hidden_size: int = 128
    num_layers: int = 2
    char_vocab_size: int = 0
    char_embed_size: int = 32
    char_hidden_size: int = 64
    dropout_rate: float = 0.3

    @linen.compact
    def __call__(
        self,
        words: jax.Array,
        lengths: jax.Array,
        chars: jax.Array | None = None,
        char_lengths: jax.Array | None = None,
        *,
        deterministic: bool = True,
    ) -> jax.Array:
        features = [linen.Embed(self.vocab_size, self.embed_size, name="embed")(words)]
        if self.char_vocab_size:
            if chars is None or char_lengths is None:
                raise ValueError("chars, char_lengths: expected arrays when char_vocab_size > 0, received None")
            features.append(
                CharacterEncoder(self.char_vocab_size, self.char_embed_size, self.char_hidden_size, name="chars")(
                    chars, char_lengths
                )
            )
        x = checked_dropout(self.dropout_rate)(jnp.concatenate(features, axis=-1), deterministic=deterministic)
        layers = tuple(  # fresh modules per layer: each gets its own parameters
            nn.Bidirectional(nn.LSTM(self.hidden_size), nn.LSTM(self.hidden_size)) for _ in range(self.num_layers)
        )
        x, _ = nn.Stacked(layers, dropout_rate=self.dropout_rate)(x, lengths, deterministic=deterministic)
        x = checked_dropout(self.dropout_rate)(x, deterministic=deterministic)
        return Dense(self.num_tags, name="head")(x)
