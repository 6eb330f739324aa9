"""Element-wise labelling: one label per time step from a recurrent encoder's outputs."""

from __future__ import annotations

import flax.linen as linen
import jax

from seqjax.nn.dense import Dense


class SequenceTagger(linen.Module):
    """``encoder`` (any layer returning ``(outputs, carry)``) followed by a per-step linear head.

    Call: ``(inputs [batch, time, features], lengths [batch] | None)`` returns logits
    ``[batch, time, num_labels]`` (those past a sequence's end are the head's bias alone:
    mask them in the loss).
    """

    encoder: linen.Module
    num_labels: int

    @linen.compact
    def __call__(self, inputs: jax.Array, lengths: jax.Array | None = None) -> jax.Array:
        outputs, _ = self.encoder(inputs, lengths)
        return Dense(self.num_labels, name="head")(outputs)
