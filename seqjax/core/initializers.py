"""Initialisers for recurrent cells and the fused-gate parameter layout they fill.

An initialiser follows JAX's convention, ``init(key, shape, dtype) -> Array``, so any
``jax.nn.initializers`` function can be used. Fused matrices (``[rows, gates * hidden]``)
are filled one gate block at a time: each ``[rows, hidden]`` block is drawn separately,
so that an orthogonal or identity recurrent initialiser gives every gate its own
orthogonal (or identity) ``[hidden, hidden]`` block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp

Initializer = Callable[[jax.Array, tuple[int, ...], jnp.dtype], jax.Array]

orthogonal: Initializer = jax.nn.initializers.orthogonal()
"""Orthogonal matrix (the default recurrent initialiser; Saxe et al. 2014)."""

lecun_normal: Initializer = jax.nn.initializers.lecun_normal()
"""Truncated normal with variance ``1 / fan_in`` (the default input initialiser, as in Flax)."""


def identity(key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype = jnp.float32) -> jax.Array:
    """The identity matrix (Le et al. 2015, "IRNN": a ReLU RNN whose recurrent matrix starts at I).

    ``shape`` must be square, ``(hidden, hidden)``; ``key`` is unused.
    """
    del key
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"shape: expected a square (n, n) shape for the identity, received {shape}")
    return jnp.eye(shape[0], dtype=dtype)


def scaled(initializer: Initializer, scale: float) -> Initializer:
    """``initializer`` multiplied by ``scale`` (e.g. ``scaled(identity, 0.5)``)."""

    def init(key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype = jnp.float32) -> jax.Array:
        return scale * initializer(key, shape, dtype)

    return init


def fused_gate_matrix(
    key: jax.Array,
    initializer: Initializer,
    rows: int,
    hidden_size: int,
    num_gates: int,
    dtype: jnp.dtype,
) -> jax.Array:
    """``[rows, num_gates * hidden_size]``: ``num_gates`` blocks, each drawn by ``initializer``."""
    keys = jax.random.split(key, num_gates)
    blocks = [initializer(k, (rows, hidden_size), dtype) for k in keys]
    return jnp.concatenate(blocks, axis=1)


def fused_gate_bias(
    hidden_size: int, num_gates: int, gate_values: Mapping[int, float], dtype: jnp.dtype
) -> jax.Array:
    """``[num_gates * hidden_size]`` zeros, with gate ``g``'s slice set to ``gate_values[g]``."""
    values = [jnp.full((hidden_size,), gate_values.get(g, 0.0), dtype) for g in range(num_gates)]
    return jnp.concatenate(values)
