"""A recurrent language model: embedding, stacked recurrent layers, softmax over the vocabulary."""

from __future__ import annotations

from typing import Any

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import nn
from seqjax.nn import CellName, recurrent_layer, zero_carries
from seqjax.nn.dense import Dense
from seqjax.nn.dropout import checked_dropout

class LanguageModel(linen.Module):
    """Predicts the next token at every step.

    Call: ``(tokens [batch, time] int, lengths [batch] | None, carries (one per layer) |
    None, *, deterministic=True)`` returns ``(logits [batch, time, vocab_size], carries)``.
    ``tokens`` may also be multi-hot frames ``[batch, time, vocab_size]`` float, several tokens
    at a step (the keys of a piano roll): their embeddings are summed, and the logits are then
    read as independent Bernoulli logits, one per token (``sigmoid``, not ``softmax``).
    Dropout (the ``"dropout"`` rng) is applied to the embeddings, between layers and before
    the output layer, never on the recurrent connections (Zaremba et al. 2014).

    Attributes:
      vocab_size: tokens in the vocabulary.
      cell: a name of ``seqjax.nn.LAYERS`` (``"lstm"``, ``"gru"``, ``"mingru"``, ``"griffin"``, ...).
      hidden_size: units per layer.
      num_layers: stacked recurrent layers.
      embed_size: embedding width (``hidden_size`` when 0).
      dropout_rate: the dropout probability.
    """

    vocab_size: int
    cell: CellName = "lstm"
    hidden_size: int = 512
    num_layers: int = 2
    embed_size: int = 0
    dropout_rate: float = 0.0

    def zero_carries(self, batch: int) -> tuple[Any, ...]:
        """The carries before the first token: zeros, one per layer."""
        return zero_carries(self.cell, self.hidden_size, batch, self.num_layers)

    @linen.compact
    def __call__(
        self,
        tokens: jax.Array,
        lengths: jax.Array | None = None,
        carries: tuple[Any, ...] | None = None,
        *,
        deterministic: bool = True,
    ) -> tuple[jax.Array, tuple[Any, ...]]:
        embed = linen.Embed(self.vocab_size, self.embed_size or self.hidden_size, name="embed")
        embedded = embed(tokens) if jnp.issubdtype(tokens.dtype, jnp.integer) else tokens @ embed.embedding
        dropout = checked_dropout(self.dropout_rate, deterministic=deterministic)
        layers = nn.stack(recurrent_layer(self.cell, self.hidden_size), self.num_layers, dropout_rate=self.dropout_rate)
        outputs, carries = layers(dropout(embedded), lengths, carries, deterministic=deterministic)
        return Dense(self.vocab_size, name="head")(dropout(outputs)), carries
