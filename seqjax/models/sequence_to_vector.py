"""Sequence to vector: one output per sequence, pooled from the encoder's outputs."""

from __future__ import annotations

import flax.linen as linen
import jax

from seqjax.models.pooling import Pool, PoolingName
from seqjax.nn.dense import Dense


class SequenceToVector(linen.Module):
    """``encoder`` (any layer returning ``(outputs, carry)``), its outputs pooled over the real
    steps (``pooling``: the last step, mean, max or attention; see ``seqjax.models.pooling``),
    then a linear head: class logits, or a regression output.

    Call: ``(inputs [batch, time, features], lengths [batch] | None)`` returns
    ``[batch, output_size]``. ``backward_size``: for a bidirectional encoder with ``"last"``
    pooling, the width of its backward half (read at step 0, where its final state is).
    """

    encoder: linen.Module
    output_size: int
    pooling: PoolingName = "last"
    backward_size: int = 0

    @linen.compact
    def __call__(self, inputs: jax.Array, lengths: jax.Array | None = None) -> jax.Array:
        outputs, _ = self.encoder(inputs, lengths)
        pooled = Pool(self.pooling, self.backward_size, name="pool")(outputs, lengths)
        return Dense(self.output_size, name="head")(pooled)
