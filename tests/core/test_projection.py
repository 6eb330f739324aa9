"""The 2-D projections against float64 numpy, and the property they exist for: the gradient of
every registry layer on ``[batch, time, features]`` holds rank-2 matrix products only."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core, nn
from seqjax.core.projection import flat_matmul, gate_projections
from tests.helpers import product_ranks, relative_error

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("leading", [(), (4,), (2, 3), (2, 3, 2)])
def test_flat_matmul_equals_numpy_for_every_rank(leading):
    inputs, kernel = RNG.standard_normal((*leading, 5)), RNG.standard_normal((5, 7))
    actual = flat_matmul(jnp.asarray(inputs, jnp.float32), jnp.asarray(kernel, jnp.float32))
    assert actual.shape == (*leading, 7)
    assert relative_error(actual, np.einsum("...i,io->...o", inputs, kernel)) < 1e-6


def test_gate_projections_are_the_column_blocks_of_one_product():
    inputs, kernel, bias = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((4, 3 * 5)), RNG.standard_normal(15)
    blocks = gate_projections(*(jnp.asarray(a, jnp.float32) for a in (inputs, kernel, bias)), num_gates=3)
    expected = np.split(inputs @ kernel + bias, 3, axis=-1)
    assert len(blocks) == 3
    for block, want in zip(blocks, expected):
        assert block.shape == (2, 3, 5)
        assert relative_error(block, want) < 1e-6


LAYER_NAMES = list(nn.LAYERS)


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_the_gradient_of_every_layer_has_rank_two_products_only(name):
    layer = nn.recurrent_layer(name, 8, options=core.RunOptions(scan="sequential"))
    inputs = jnp.ones((2, 5, 8))
    params = jax.eval_shape(layer.init, jax.random.key(0), inputs)

    def loss(params, inputs):
        return jnp.sum(jnp.square(layer.apply(params, inputs)[0]))

    ranks = product_ranks(jax.make_jaxpr(jax.grad(loss, argnums=(0, 1)))(params, inputs).jaxpr)
    assert ranks, "no product found: the walk over the jaxpr is broken"
    assert set(ranks) == {(2, 2)}, f"{name}: products of operand ranks {sorted(set(ranks))}"
