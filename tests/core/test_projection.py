"""The 2-D projections against float64 numpy, and the property they exist for: the gradient of
every registry layer on ``[batch, time, features]`` holds no product that autodiff made of a 3-D
one (rank-2 products only, but for the custom backward's own products over time-major arrays)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core, nn
from seqjax.core.projection import flat_matmul, gate_projections, sum_of_outer_products
from tests.helpers import products, relative_error

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


def test_the_sum_of_outer_products_over_the_leading_axes_equals_numpy():
    rows, cotangents = RNG.standard_normal((3, 2, 4)), RNG.standard_normal((3, 2, 6))
    actual = sum_of_outer_products(jnp.asarray(rows, jnp.float32), jnp.asarray(cotangents, jnp.float32))
    assert relative_error(actual, np.einsum("tbi,tbo->io", rows, cotangents)) < 1e-6


TIME, BATCH = 5, 2


def _is_the_custom_backwards_own(shapes: tuple, dimension_numbers: tuple) -> bool:
    """A product written out in ``seqjax.core.custom_backward`` on time-major arrays: the weight
    gradient ``Σ_t,b xᵀ dy`` contracting ``[time, batch]`` in place, or ``dy [time, batch, G] @ Vᵀ``.
    Written out, these run as fast as the 2-D products (BENCHMARKS.md, issue 20, "data parallelism");
    what is slow is autodiff's transpose of a 3-D product, which transposes its result."""
    (contracting, batch_dims) = dimension_numbers
    if batch_dims != ((), ()) or shapes[0][:2] != (TIME, BATCH):
        return False
    ranks = tuple(len(shape) for shape in shapes)
    return (ranks == (3, 3) and contracting == ((0, 1), (0, 1))) or (ranks == (3, 2) and contracting[0] == (2,))


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_the_gradient_of_every_layer_has_no_product_autodiff_made_of_a_3d_one(name):
    layer = nn.recurrent_layer(name, 8, options=core.RunOptions(scan="sequential"))
    inputs = jnp.ones((BATCH, TIME, 8))
    params = jax.eval_shape(layer.init, jax.random.key(0), inputs)

    def loss(params, inputs):
        return jnp.sum(jnp.square(layer.apply(params, inputs)[0]))

    found = products(jax.make_jaxpr(jax.grad(loss, argnums=(0, 1)))(params, inputs).jaxpr)
    assert found, "no product found: the walk over the jaxpr is broken"
    others = [(shapes, numbers) for shapes, numbers in found
              if not _is_the_custom_backwards_own(shapes, numbers) and tuple(map(len, shapes)) != (2, 2)]
    assert not others, f"{name}: products {others}"
