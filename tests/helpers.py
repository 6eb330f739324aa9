"""Helpers shared by the tests."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def random_params(cell, input_size: int, hidden_size: int, seed: int, dtype=jnp.float32):
    """Cell parameters with every entry random, biases included, so no term is hidden by a zero."""
    params = cell.init(jax.random.key(seed), input_size, hidden_size, dtype=dtype)
    leaves, treedef = jax.tree.flatten(params)
    keys = jax.random.split(jax.random.key(seed + 1), len(leaves))
    leaves = [0.5 * jax.random.normal(k, leaf.shape, dtype) for k, leaf in zip(keys, leaves)]
    return jax.tree.unflatten(treedef, leaves)


def relative_error(actual, expected) -> float:
    """``||actual - expected|| / ||expected||`` in float64."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    return float(np.linalg.norm(actual - expected) / np.linalg.norm(expected))


def randomised(params, seed: int = 1):
    """A model's parameters with every leaf redrawn as ``0.5 * N(0, 1)`` (biases too), so no term of
    a reference comparison hides behind a zero initial value."""
    leaves, treedef = jax.tree.flatten(params)
    keys = jax.random.split(jax.random.key(seed), len(leaves))
    return jax.tree.unflatten(treedef, [0.5 * jax.random.normal(k, leaf.shape) for k, leaf in zip(keys, leaves)])
