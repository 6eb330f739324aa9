"""Image captioning: a small CNN encoder and a recurrent decoder started from the image
(Show and Tell, Vinyals et al. 2015), optionally attending over the CNN's grid of features
(Show, Attend and Tell, Xu et al. 2015, with Luong's attentional state)."""

from __future__ import annotations

from collections.abc import Sequence

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import core
from seqjax.models.attention import CrossAttention, Memory, attentional_states
from seqjax.nn import CellName, carry_from_hidden, recurrent_layer
from seqjax.nn.dense import Dense
from seqjax.nn.dropout import checked_dropout


class Captioner(linen.Module):
    """Call (training): ``(images [batch, height, width] or [batch, height, width, channels],
    token_inputs [batch, time] int, *, deterministic=True)`` returns logits ``[batch, time,
    vocab_size]`` for the token after each input token. ``encode(images) -> (memory, carry)``
    and ``decode(memory, token_inputs, carry) -> (logits, carry)`` split it for decoding
    (``seqjax.models.generate_sequences``). The memory is the CNN's grid, ``[batch, cells,
    channels[-1]]``; the decoder's first carry comes from its mean.

    Attributes:
      vocab_size: caption tokens (0 is padding).
      embed_size, hidden_size: token embedding and decoder widths.
      channels: output channels of each 3 x 3 convolution (each followed by ReLU and 2 x 2 max pooling).
      attend: attend over the grid at every step (else the image enters only through the first carry).
      cell: ``"lstm"`` (or ``"gru"``, ``"rnn"``).
      dropout_rate: dropout on the token embeddings and before the output layer.
    """

    vocab_size: int
    embed_size: int = 64
    hidden_size: int = 256
    channels: Sequence[int] = (32, 64)
    attend: bool = True
    cell: CellName = "lstm"
    dropout_rate: float = 0.2

    def setup(self) -> None:
        self.convolutions = [linen.Conv(c, (3, 3)) for c in self.channels]
        self.bridge = Dense(self.hidden_size)
        self.embed = linen.Embed(self.vocab_size, self.embed_size)
        self.decoder = recurrent_layer(self.cell, self.hidden_size)
        if self.attend:
            self.attention = CrossAttention(self.hidden_size, "general")
            self.combine = Dense(self.hidden_size, use_bias=False)
        self.head = Dense(self.vocab_size)
        self.dropout = checked_dropout(self.dropout_rate)

    def encode(self, images: jax.Array) -> tuple[Memory, core.Carry]:
        """``images [batch, height, width(, channels)]`` -> the grid of features to attend over and
        the decoder's first carry (from the grid's mean)."""
        x = images[..., None] if images.ndim == 3 else images
        for convolution in self.convolutions:
            x = linen.max_pool(jax.nn.relu(convolution(x)), (2, 2), strides=(2, 2))
        grid = x.reshape(x.shape[0], -1, x.shape[-1])
        summary = jnp.tanh(self.bridge(jnp.mean(grid, axis=1)))
        carry = carry_from_hidden(self.cell, summary)
        cells = jnp.full((grid.shape[0],), grid.shape[1], jnp.int32)
        memory = self.attention.memory(grid, cells) if self.attend else Memory(grid, grid, cells)
        return memory, carry

    def decode(
        self, memory: Memory, token_inputs: jax.Array, carry: core.Carry, *, deterministic: bool = True
    ) -> tuple[jax.Array, core.Carry]:
        """``token_inputs [batch, time]`` (teacher forcing) from ``carry`` -> ``(logits [batch, time, vocab], carry)``."""
        embedded = self.dropout(self.embed(token_inputs), deterministic=deterministic)
        states, carry = self.decoder(embedded, None, carry)
        if self.attend:
            states = attentional_states(self.attention, self.combine, states, memory)
        return self.head(self.dropout(states, deterministic=deterministic)), carry

    def __call__(self, images: jax.Array, token_inputs: jax.Array, *, deterministic: bool = True) -> jax.Array:
        memory, carry = self.encode(images)
        return self.decode(memory, token_inputs, carry, deterministic=deterministic)[0]
