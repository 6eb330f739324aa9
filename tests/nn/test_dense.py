"""``nn.Dense`` against linen's ``Dense`` and float64 numpy, and its gradient's rank-2 products."""

from __future__ import annotations

import flax.linen as linen
import jax
import jax.numpy as jnp
import numpy as np

from seqjax import nn
from tests.helpers import product_ranks, relative_error

def test_dense_equals_linen_dense_with_the_same_parameters_and_has_rank_two_gradients():
    inputs = jnp.asarray(np.random.default_rng(0).standard_normal((2, 3, 4)), jnp.float32)
    ours, theirs = nn.Dense(6), linen.Dense(6)
    params = ours.init(jax.random.key(0), inputs)
    assert jax.tree.structure(params) == jax.tree.structure(theirs.init(jax.random.key(0), inputs))
    kernel, bias = (np.asarray(params["params"][name], np.float64) for name in ("kernel", "bias"))
    assert relative_error(ours.apply(params, inputs), np.asarray(inputs, np.float64) @ kernel + bias) < 1e-6

    def loss(params, module):
        return jnp.sum(jnp.square(module.apply(params, inputs)))

    for a, b in zip(jax.tree.leaves(jax.grad(loss)(params, ours)), jax.tree.leaves(jax.grad(loss)(params, theirs))):
        assert relative_error(a, b) < 1e-6
    assert set(product_ranks(jax.make_jaxpr(jax.grad(loss), static_argnums=1)(params, ours).jaxpr)) == {(2, 2)}
