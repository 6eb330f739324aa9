"""Clipping of the hidden state's gradient on its way back through time.

``clip_gradient_norm(x, max_norm)`` is the identity in the forward pass; in the backward
pass it rescales the cotangent of each example (each row of the leading axis, all arrays
of the pytree together) to an L2 norm of at most ``max_norm``. The runner applies it to the
carry that enters every step, so the gradient ``dL/dh_{t-1}`` that step ``t`` sends back is
clipped at every step (the course's "clip dh_t/dh_{t-1}").
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp


def clip_rows(tree: Any, max_norm: float) -> Any:
    """Rescales each row (leading axis) of ``tree``, all arrays together, to norm <= ``max_norm``."""
    leaves = jax.tree.leaves(tree)
    squared = sum(jnp.sum(jnp.square(leaf).reshape(leaf.shape[0], -1), axis=1) for leaf in leaves)
    norm = jnp.sqrt(squared)  # [batch]
    scale = jnp.minimum(1.0, max_norm / jnp.maximum(norm, jnp.finfo(norm.dtype).tiny))

    def rescale(leaf: jax.Array) -> jax.Array:
        return leaf * scale.reshape((-1,) + (1,) * (leaf.ndim - 1)).astype(leaf.dtype)

    return jax.tree.map(rescale, tree)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def clip_gradient_norm(tree: Any, max_norm: float) -> Any:
    """Identity forward; backward clips each example's cotangent to L2 norm ``max_norm``.

    Args:
      tree: a carry, arrays ``[batch, ...]``.
      max_norm: a positive float (static).
    """
    return tree


def _clip_fwd(tree: Any, max_norm: float) -> tuple[Any, None]:
    return tree, None


def _clip_bwd(max_norm: float, residuals: None, cotangent: Any) -> tuple[Any]:
    del residuals
    return (clip_rows(cotangent, max_norm),)


clip_gradient_norm.defvjp(_clip_fwd, _clip_bwd)
