"""Sequence to vector: one output per sequence, read from the encoder's last real step."""

from __future__ import annotations

import flax.linen as linen
import jax
import jax.numpy as jnp


def last_step(outputs: jax.Array, lengths: jax.Array | None) -> jax.Array:
    """``[batch, features]``: ``outputs [batch, time, features]`` at step ``lengths - 1`` (the last step if None)."""
    if lengths is None:
        return outputs[:, -1]
    index = jnp.clip(lengths - 1, 0, outputs.shape[1] - 1)
    return jnp.take_along_axis(outputs, index[:, None, None], axis=1)[:, 0]


class SequenceToVector(linen.Module):
    """``encoder`` (any layer returning ``(outputs, carry)``), its output at each sequence's
    last step, then a linear head: class logits, or a regression output.

    Call: ``(inputs [batch, time, features], lengths [batch] | None)`` returns
    ``[batch, output_size]``.
    """

    encoder: linen.Module
    output_size: int

    @linen.compact
    def __call__(self, inputs: jax.Array, lengths: jax.Array | None = None) -> jax.Array:
        outputs, _ = self.encoder(inputs, lengths)
        return linen.Dense(self.output_size, name="head")(last_step(outputs, lengths))
