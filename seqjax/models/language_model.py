"""A recurrent language model: embedding, stacked recurrent layers, softmax over the vocabulary."""

from __future__ import annotations

from typing import Any, Literal

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import core, nn
from seqjax.core import bad_argument

CellName = Literal["lstm", "gru", "rnn"]


def recurrent_layer(cell: CellName, hidden_size: int, **module_options: Any) -> nn.RecurrentLayer:
    """The layer of ``cell``: LSTM (forget bias 1), GRU (update bias 1) or a tanh simple RNN."""
    layers = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.SimpleRNN}
    if cell not in layers:
        raise bad_argument("cell", f"one of {sorted(layers)}", repr(cell))
    return layers[cell](hidden_size, **module_options)


def zero_carries(cell: CellName, hidden_size: int, batch: int, count: int) -> tuple[Any, ...]:
    """``count`` zero carries ``[batch, hidden_size]`` of the layers ``recurrent_layer(cell, hidden_size)`` builds."""
    core_cell = recurrent_layer(cell, hidden_size, parent=None).make_cell()
    return tuple(core_cell.zero_carry(hidden_size, (batch,)) for _ in range(count))


def carry_from_hidden(cell: CellName, hidden: jax.Array) -> Any:
    """The carry whose hidden state is ``hidden [batch, hidden_size]`` (an LSTM's cell state at zero),
    for starting a decoder from an encoder's summary."""
    return core.LSTMState(hidden, jnp.zeros_like(hidden)) if cell == "lstm" else hidden


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
      cell: ``"lstm"``, ``"gru"`` or ``"rnn"``.
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
        dropout = linen.Dropout(self.dropout_rate, deterministic=deterministic)
        layers = nn.stack(recurrent_layer(self.cell, self.hidden_size), self.num_layers, dropout_rate=self.dropout_rate)
        outputs, carries = layers(dropout(embedded), lengths, carries, deterministic=deterministic)
        return linen.Dense(self.vocab_size, name="head")(dropout(outputs)), carries
