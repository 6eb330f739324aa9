"""The hand-written backward pass against ``jax.grad`` of the plain scan, in float64."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import core
from tests.helpers import FUSED_CELL_IDS, FUSED_CELLS, random_params, relative_error

BATCH, TIME, INPUT, HIDDEN = 3, 11, 4, 5


@pytest.mark.parametrize("cell", FUSED_CELLS, ids=FUSED_CELL_IDS)
@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("hoist", [False, True], ids=["per-step", "hoisted"])
def test_custom_backward_equals_autodiff_of_the_plain_scan(cell, with_lengths, reverse, hoist):
    with jax.enable_x64(True):
        params = random_params(cell, INPUT, HIDDEN, seed=0, dtype=jnp.float64)
        x = jax.random.normal(jax.random.key(1), (BATCH, TIME, INPUT), jnp.float64)
        carry = jax.tree.map(
            lambda a: 0.4 * jax.random.normal(jax.random.key(2), a.shape, a.dtype),
            cell.zero_carry(HIDDEN, (BATCH,), jnp.float64),
        )
        weights = jax.random.normal(jax.random.key(3), (BATCH, TIME, HIDDEN), jnp.float64)
        lengths = jnp.array([TIME, 6, 0]) if with_lengths else None

        def loss(params, x, carry, backward):
            outputs, final = core.run(
                cell, params, x, initial_carry=carry, lengths=lengths, reverse=reverse,
                options=core.RunOptions(hoist_projection=hoist, backward=backward),
            )
            return jnp.sum(outputs * weights) + sum(jnp.sum(jnp.sin(a)) for a in jax.tree.leaves(final))

        custom = jax.grad(loss, argnums=(0, 1, 2))(params, x, carry, "custom")
        autodiff = jax.grad(loss, argnums=(0, 1, 2))(params, x, carry, "autodiff")
        assert loss(params, x, carry, "custom") == pytest.approx(float(loss(params, x, carry, "autodiff")), rel=1e-12)
    for got, want in zip(jax.tree.leaves(custom), jax.tree.leaves(autodiff)):
        assert got.shape == want.shape
        if not np.any(np.asarray(want)):
            assert not np.any(np.asarray(got))
        else:
            assert relative_error(got, want) < 1e-9


def test_custom_backward_under_jit_and_vmap_in_float32():
    cell = core.LSTMCell()
    params = cell.init(jax.random.key(0), INPUT, HIDDEN)
    x = jax.random.normal(jax.random.key(1), (2, BATCH, TIME, INPUT))

    def loss(params, x, backward):
        return jnp.sum(core.run(cell, params, x, options=core.RunOptions(backward=backward))[0] ** 2)

    per_group = jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, None)), static_argnums=2)
    custom, autodiff = per_group(params, x, "custom"), per_group(params, x, "autodiff")
    for got, want in zip(jax.tree.leaves(custom), jax.tree.leaves(autodiff)):
        assert relative_error(got, want) < 1e-5


def test_backward_option_is_checked():
    cell = core.GRUCell()
    params = cell.init(jax.random.key(0), INPUT, HIDDEN)
    x = jnp.zeros((BATCH, TIME, INPUT))
    with pytest.raises(ValueError, match=r"backward: expected one of \('auto', 'custom', 'autodiff'\), received 'manual'"):
        core.RunOptions(backward="manual")
    with pytest.raises(ValueError, match=r"remat: expected False with backward='custom'.*received True"):
        core.RunOptions(remat=True, backward="custom")
    with pytest.raises(ValueError, match=r"options.backward: expected 'auto' or 'autodiff' for a cell that is not a FusedCell"):
        skip = core.SkipRNNCell()
        core.run(skip, skip.init(jax.random.key(0), INPUT, HIDDEN), x, options=core.RunOptions(backward="custom"))
    with pytest.raises(ValueError, match=r"options.scan: expected 'auto' or 'sequential' for a cell that is not a linear"):
        core.run(cell, params, x, options=core.RunOptions(scan="associative"))
    with pytest.raises(ValueError, match=r"options: expected a seqjax.core.RunOptions, received \{'backward': 'custom'\}"):
        core.run(cell, params, x, options={"backward": "custom"})
