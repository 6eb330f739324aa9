"""Which steps of a padded batch are real: the one definition of ``lengths`` every layer uses."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def real_steps(lengths: jax.Array | None, batch: int, time: int) -> jax.Array:
    """``[batch, time]`` bool, True where ``t < lengths[b]`` (everywhere when ``lengths`` is None)."""
    if lengths is None:
        return jnp.ones((batch, time), bool)
    return jnp.arange(time)[None, :] < lengths[:, None]
