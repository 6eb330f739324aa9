"""Losses over padded batches of sequences."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from seqjax.core import bad_argument
from seqjax.core.lengths import real_steps


def real_steps_mask(lengths: jax.Array | None, batch: int, time: int) -> jax.Array:
    """``[batch, time]`` float mask, 1 where ``t < lengths[b]`` (all ones when ``lengths`` is None)."""
    return real_steps(lengths, batch, time).astype(jnp.float32)


def sequence_cross_entropy(
    logits: jax.Array, labels: jax.Array, lengths: jax.Array | None = None, label_smoothing: float = 0.0
) -> jax.Array:
    """Mean cross-entropy in nats over the real steps of a padded batch.

    Args:
      logits: ``[batch, time, classes]``.
      labels: ``[batch, time]`` integers in ``[0, classes)``.
      lengths: ``[batch]`` or None (every step is real).
      label_smoothing: ``ε``: the target puts ``1 - ε`` on the label and ``ε`` spread evenly
        over all classes (Szegedy et al. 2016; ``optax.smooth_labels``).
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise bad_argument("label_smoothing", "a value in [0, 1)", str(label_smoothing))
    batch, time = labels.shape
    mask = real_steps_mask(lengths, batch, time)
    log_probs = jax.nn.log_softmax(logits.astype(jnp.float32))
    label_log_probs = jnp.take_along_axis(log_probs, labels[..., None], axis=-1)[..., 0]
    per_step = -(1.0 - label_smoothing) * label_log_probs - label_smoothing * jnp.mean(log_probs, axis=-1)
    return jnp.sum(per_step * mask) / jnp.maximum(jnp.sum(mask), 1.0)


def sequence_bernoulli_nll(logits: jax.Array, targets: jax.Array, lengths: jax.Array | None = None) -> jax.Array:
    """Mean negative log-likelihood in nats per real step of multi-hot ``targets [batch, time, units]``
    under independent Bernoulli ``logits`` of the same shape (summed over the units: the
    per-time-step figure of the polyphonic-music literature)."""
    batch, time = targets.shape[:2]
    mask = real_steps_mask(lengths, batch, time)
    logits = logits.astype(jnp.float32)
    per_unit = jnp.maximum(logits, 0.0) - logits * targets + jnp.log1p(jnp.exp(-jnp.abs(logits)))
    return jnp.sum(jnp.sum(per_unit, axis=-1) * mask) / jnp.maximum(jnp.sum(mask), 1.0)


def gaussian_nll(mean: jax.Array, scale: jax.Array, targets: jax.Array) -> jax.Array:
    """Mean negative log-likelihood in nats of ``targets`` under independent Gaussians with
    ``mean`` and standard deviation ``scale`` (all of one shape)."""
    z = (targets - mean) / scale
    return jnp.mean(0.5 * jnp.log(2.0 * jnp.pi) + jnp.log(scale) + 0.5 * z * z)
