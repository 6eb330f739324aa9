"""Sequence to sequence with attention: a bidirectional recurrent encoder and a recurrent
decoder that attends to every source step (Luong et al. 2015), for translation.

The decoder reads the previous target token (teacher forcing in training: the reference's
previous token), its state ``h_t`` attends to the encoded source, and the attentional state
``h̃_t = tanh(W_c [context_t; h_t])`` predicts the next token. The attention is not fed back
into the recurrence, so in training the decoder runs over all target steps as one recurrent
layer (the fast scan), and the attention over all steps at once; decoding calls the same
layers one step at a time (``seqjax.models.encoder_decoder``). Source and target lengths and word
orders are independent: the only link between them is the attention.
"""

from __future__ import annotations

from typing import Any

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import core, nn
from seqjax.models.attention import CrossAttention, Memory, ScoreName, attentional_states
from seqjax.models.encoder_decoder import generate_sequences
from seqjax.nn import CellName, carry_from_hidden, recurrent_layer
from seqjax.models.pooling import last_step
from seqjax.nn.dense import Dense
from seqjax.nn.dropout import checked_dropout


class Translator(linen.Module):
    """Encoder-decoder with attention.

    Call (training): ``(source [batch, source_time] int, source_lengths [batch], target_inputs
    [batch, time] int, *, deterministic=True)`` returns logits ``[batch, time, target_vocab]``
    for the token after each input token. For decoding, ``encode`` and ``decode`` (with
    ``apply(..., method=...)``) split the two halves: ``encode(source, source_lengths) ->
    (memory, carry)`` and ``decode(memory, target_inputs [batch, time], carry) -> (logits, carry)``.
    Attention weights ``[batch, time, source_time]`` are sown under ``intermediates``.
    Dropout (rng ``"dropout"``) acts on both embeddings, the encoder outputs and the attentional state.

    Attributes:
      source_vocab_size, target_vocab_size: token ids (0 is padding in both).
      embed_size: width of both embeddings.
      encoder_size: each encoder direction's width (the memory is ``2 * encoder_size`` wide).
      decoder_size: the decoder's width, also that of the attentional state.
      cell: ``"gru"`` or ``"lstm"`` (also ``"rnn"``) for encoder and decoder.
      score: the attention score, ``"general"``, ``"dot"`` or ``"additive"``.
      dropout_rate: dropout probability.
    """

    source_vocab_size: int
    target_vocab_size: int
    embed_size: int = 256
    encoder_size: int = 256
    decoder_size: int = 256
    cell: CellName = "gru"
    score: ScoreName = "general"
    dropout_rate: float = 0.3

    def setup(self) -> None:
        self.source_embed = linen.Embed(self.source_vocab_size, self.embed_size)
        self.target_embed = linen.Embed(self.target_vocab_size, self.embed_size)
        self.encoder = nn.Bidirectional(
            recurrent_layer(self.cell, self.encoder_size), recurrent_layer(self.cell, self.encoder_size)
        )
        self.bridge = Dense(self.decoder_size)
        self.decoder = recurrent_layer(self.cell, self.decoder_size)
        self.attention = CrossAttention(self.decoder_size, self.score)
        self.combine = Dense(self.decoder_size, use_bias=False)
        self.head = Dense(self.target_vocab_size)
        self.dropout = checked_dropout(self.dropout_rate)

    def encode(
        self, source: jax.Array, source_lengths: jax.Array, *, deterministic: bool = True
    ) -> tuple[Memory, core.Carry]:
        """The source's memory and the decoder's first carry (from the encoder's final states)."""
        embedded = self.dropout(self.source_embed(source), deterministic=deterministic)
        outputs, _ = self.encoder(embedded, source_lengths)
        summary = jnp.tanh(self.bridge(last_step(outputs, source_lengths, backward_size=self.encoder_size)))
        outputs = self.dropout(outputs, deterministic=deterministic)
        carry = carry_from_hidden(self.cell, summary)
        return self.attention.memory(outputs, source_lengths), carry

    def decode(
        self, memory: Memory, target_inputs: jax.Array, carry: core.Carry, *, deterministic: bool = True
    ) -> tuple[jax.Array, core.Carry]:
        """Logits ``[batch, time, target_vocab]`` after each of ``target_inputs``, and the carry after the last."""
        embedded = self.dropout(self.target_embed(target_inputs), deterministic=deterministic)
        states, carry = self.decoder(embedded, None, carry)
        attentional = attentional_states(self.attention, self.combine, states, memory)
        return self.head(self.dropout(attentional, deterministic=deterministic)), carry

    def __call__(
        self, source: jax.Array, source_lengths: jax.Array, target_inputs: jax.Array, *, deterministic: bool = True
    ) -> jax.Array:
        memory, carry = self.encode(source, source_lengths, deterministic=deterministic)
        return self.decode(memory, target_inputs, carry, deterministic=deterministic)[0]


def translate(
    model: Translator, params: Any, source: jax.Array, source_lengths: jax.Array, *, max_length: int,
    start_id: int, end_id: int, beam_width: int = 1, alpha: float = 0.0,
) -> jax.Array:
    """Target ids ``[batch, max_length]`` for ``source [batch, source_time]``, padded with 0 after the
    first ``end_id``: greedy decoding when ``beam_width == 1``, else beam search with GNMT length
    penalty ``alpha`` (``seqjax.models.generate_sequences``)."""
    return generate_sequences(model, params, (source, source_lengths), max_length=max_length, start_id=start_id,
                              end_id=end_id, beam_width=beam_width, alpha=alpha)
