"""Sentence classification: token embeddings, a (bi)directional recurrent encoder, pooling over
the real steps, a softmax over the classes."""

from __future__ import annotations

import flax.linen as linen
import jax

from seqjax import nn
from seqjax.nn import CellName, recurrent_layer
from seqjax.models.pooling import Pool, PoolingName
from seqjax.nn.dense import Dense
from seqjax.nn.dropout import checked_dropout


class SentenceEncoder(linen.Module):
    """Token embeddings (with dropout) read by a (bi)directional recurrent layer.

    Call: ``(tokens [batch, time] int, lengths [batch], *, deterministic=True)`` returns
    ``outputs [batch, time, hidden_size]``, or ``[batch, time, 2 * hidden_size]`` when
    bidirectional (the forward direction's outputs first). Dropout uses the ``"dropout"`` rng.
    """

    vocab_size: int
    embed_size: int = 128
    hidden_size: int = 128
    cell: CellName = "lstm"
    bidirectional: bool = True
    dropout_rate: float = 0.5

    @linen.compact
    def __call__(self, tokens: jax.Array, lengths: jax.Array, *, deterministic: bool = True) -> jax.Array:
        x = linen.Embed(self.vocab_size, self.embed_size, name="embed")(tokens)
        x = checked_dropout(self.dropout_rate)(x, deterministic=deterministic)
        encoder = recurrent_layer(self.cell, self.hidden_size)
        if self.bidirectional:
            encoder = nn.Bidirectional(encoder, recurrent_layer(self.cell, self.hidden_size))
        return encoder(x, lengths)[0]


class SentenceClassifier(linen.Module):
    """Call: ``(tokens [batch, time] int, lengths [batch], *, deterministic=True)`` returns logits
    ``[batch, num_classes]``. With ``pooling="attention"`` the weights ``[batch, time]`` are
    stored under ``intermediates/pool/attention/attention_weights``
    (``apply(..., mutable=["intermediates"])``). Dropout (rng ``"dropout"``) acts on the
    embeddings and on the pooled vector. The embeddings and the recurrent layers are the
    parameters under ``"encoder"`` (a ``SentenceEncoder``), which
    ``seqjax.models.encoder_pretraining`` can pretrain.

    Attributes:
      vocab_size, num_classes: tokens (id 0 padding) and classes.
      embed_size, hidden_size: embedding width; each direction's recurrent width.
      cell: ``"lstm"``, ``"gru"`` or ``"rnn"``; bidirectional: read both ways.
      pooling: ``"last"``, ``"mean"``, ``"max"`` or ``"attention"``.
      dropout_rate: dropout probability.
    """

    vocab_size: int
    num_classes: int
    embed_size: int = 128
    hidden_size: int = 128
    cell: CellName = "lstm"
    bidirectional: bool = True
    pooling: PoolingName = "max"
    dropout_rate: float = 0.5

    def encoder(self) -> SentenceEncoder:
        """The encoder, unbound: the module whose parameters are this model's ``"encoder"``."""
        return SentenceEncoder(self.vocab_size, self.embed_size, self.hidden_size, self.cell, self.bidirectional,
                               self.dropout_rate, parent=None)

    @linen.compact
    def __call__(self, tokens: jax.Array, lengths: jax.Array, *, deterministic: bool = True) -> jax.Array:
        outputs = self.encoder().clone(parent=self, name="encoder")(tokens, lengths, deterministic=deterministic)
        backward_size = self.hidden_size if self.bidirectional else 0
        pooled = Pool(self.pooling, backward_size, name="pool")(outputs, lengths)
        pooled = checked_dropout(self.dropout_rate)(pooled, deterministic=deterministic)
        return Dense(self.num_classes, name="head")(pooled)
