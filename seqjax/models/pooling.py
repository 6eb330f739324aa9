"""Pooling a sequence of outputs ``[batch, time, features]`` into one vector per sequence,
respecting ``lengths`` (steps at or past a sequence's length never contribute)."""

from __future__ import annotations

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax.choices import POOLINGS, PoolingName
from seqjax.core import bad_argument, real_steps
from seqjax.nn.dense import Dense



def last_step(outputs: jax.Array, lengths: jax.Array | None, backward_size: int = 0) -> jax.Array:
    """``[batch, features]``: the output at step ``lengths - 1`` (the last step if None); the last
    ``backward_size`` features (a bidirectional encoder's backward half, whose final state is
    at step 0) are read at step 0 instead."""
    if lengths is None:
        final = outputs[:, -1]
    else:
        index = jnp.clip(lengths - 1, 0, outputs.shape[1] - 1)
        final = jnp.take_along_axis(outputs, index[:, None, None], axis=1)[:, 0]
    if backward_size:
        final = jnp.concatenate([final[:, :-backward_size], outputs[:, 0, -backward_size:]], axis=-1)
    return final


def mean_over_time(outputs: jax.Array, lengths: jax.Array | None) -> jax.Array:
    """The mean of ``outputs [batch, time, features]`` over each sequence's real steps: ``[batch, features]``.

    Examples:
        >>> import jax.numpy as jnp
        >>> outputs = jnp.arange(6.0).reshape(2, 3, 1)          # steps 0, 1, 2 and 3, 4, 5
        >>> mean_over_time(outputs, jnp.array([3, 1]))[:, 0].tolist()
        [1.0, 3.0]
    """
    mask = real_steps(lengths, *outputs.shape[:2])[..., None]
    return jnp.sum(jnp.where(mask, outputs, 0.0), axis=1) / jnp.maximum(jnp.sum(mask, axis=1), 1)


def max_over_time(outputs: jax.Array, lengths: jax.Array | None) -> jax.Array:
    """The maximum of ``outputs [batch, time, features]`` over each sequence's real steps: ``[batch, features]``.

    Examples:
        >>> import jax.numpy as jnp
        >>> outputs = jnp.arange(6.0).reshape(2, 3, 1)
        >>> max_over_time(outputs, jnp.array([3, 2]))[:, 0].tolist()
        [2.0, 4.0]
    """
    mask = real_steps(lengths, *outputs.shape[:2])[..., None]
    return jnp.max(jnp.where(mask, outputs, -jnp.inf), axis=1)


class AttentionPooling(linen.Module):
    """A learned query scores each step, ``s_t = q · tanh(W o_t + b)``; the weights are the
    softmax of the scores over the real steps; returns ``(pooled [batch, features], weights
    [batch, time])``. The weights are also stored with ``sow("intermediates", "attention_weights")``:
    read them with ``model.apply(..., mutable=["intermediates"])``."""

    attention_size: int = 64

    @linen.compact
    def __call__(self, outputs: jax.Array, lengths: jax.Array | None) -> tuple[jax.Array, jax.Array]:
        keys = jnp.tanh(Dense(self.attention_size, name="project")(outputs))
        scores = Dense(1, use_bias=False, name="query")(keys)[..., 0]
        scores = jnp.where(real_steps(lengths, *outputs.shape[:2]), scores, -jnp.inf)
        weights = jax.nn.softmax(scores, axis=-1)
        self.sow("intermediates", "attention_weights", weights)
        return jnp.einsum("bt,btf->bf", weights, outputs), weights


class Pool(linen.Module):
    """``pooling`` of ``outputs [batch, time, features]`` -> ``[batch, features]``."""

    pooling: PoolingName = "last"
    backward_size: int = 0
    attention_size: int = 64

    @linen.compact
    def __call__(self, outputs: jax.Array, lengths: jax.Array | None) -> jax.Array:
        if self.pooling == "last":
            return last_step(outputs, lengths, self.backward_size)
        if self.pooling == "mean":
            return mean_over_time(outputs, lengths)
        if self.pooling == "max":
            return max_over_time(outputs, lengths)
        if self.pooling == "attention":
            return AttentionPooling(self.attention_size, name="attention")(outputs, lengths)[0]
        raise bad_argument("pooling", f"one of {POOLINGS}", repr(self.pooling))
