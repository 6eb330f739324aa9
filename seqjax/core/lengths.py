"""Which steps of a padded batch are real: the one definition of ``lengths`` every layer uses."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.errors import bad_argument


def real_steps(lengths: jax.Array | None, batch: int, time: int) -> jax.Array:
    """``[batch, time]`` bool, True where ``t < lengths[b]`` (everywhere when ``lengths`` is None)."""
    if lengths is None:
        return jnp.ones((batch, time), bool)
    return jnp.arange(time)[None, :] < lengths[:, None]


def check_lengths(lengths: jax.Array, batch: int, time: int) -> jax.Array:
    """``lengths`` as an array, after checking its shape, dtype and (when concrete) its values."""
    lengths = jnp.asarray(lengths)
    if lengths.shape != (batch,):
        raise bad_argument("lengths", f"shape ({batch},), one length per sequence", f"shape {lengths.shape}")
    if not jnp.issubdtype(lengths.dtype, jnp.integer):
        raise bad_argument("lengths", "an integer dtype", f"dtype {lengths.dtype}")
    if not isinstance(lengths, jax.core.Tracer):
        values = np.asarray(lengths)
        if values.size and (values.min() < 0 or values.max() > time):
            raise bad_argument("lengths", f"values in [0, {time}] (the time axis of inputs)", f"{values.tolist()}")
    return lengths


def reversal_order(lengths: jax.Array, time: int) -> jax.Array:
    """``[batch, time]`` indices that read each sequence backwards within its length and leave
    the padding in place: ``lengths[b] - 1 - t`` for ``t < lengths[b]``, else ``t``. Gathering
    with it twice is the identity."""
    steps = jnp.arange(time)[None, :]
    return jnp.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)


def reverse_within_lengths(values: jax.Array, lengths: jax.Array | None) -> jax.Array:
    """``values [batch, time, ...]`` with each sequence's real steps in reverse order (all steps
    when ``lengths`` is None), the padding left after them."""
    if lengths is None:
        return jnp.flip(values, 1)
    order = reversal_order(lengths, values.shape[1])  # [batch, time]
    return jnp.take_along_axis(values, order.reshape(*order.shape, *(1,) * (values.ndim - 2)), axis=1)
