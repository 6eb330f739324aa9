"""Losses over padded batches of sequences."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from seqjax.core.lengths import real_steps


def real_steps_mask(lengths: jax.Array | None, batch: int, time: int) -> jax.Array:
    """``[batch, time]`` float mask, 1 where ``t < lengths[b]`` (all ones when ``lengths`` is None)."""
    return real_steps(lengths, batch, time).astype(jnp.float32)


def sequence_cross_entropy(logits: jax.Array, labels: jax.Array, lengths: jax.Array | None = None) -> jax.Array:
    """Mean cross-entropy in nats over the real steps of a padded batch.

    Args:
      logits: ``[batch, time, classes]``.
      labels: ``[batch, time]`` integers in ``[0, classes)``.
      lengths: ``[batch]`` or None (every step is real).
    """
    batch, time = labels.shape
    mask = real_steps_mask(lengths, batch, time)
    per_step = optax.softmax_cross_entropy_with_integer_labels(logits.astype(jnp.float32), labels)
    return jnp.sum(per_step * mask) / jnp.maximum(jnp.sum(mask), 1.0)
