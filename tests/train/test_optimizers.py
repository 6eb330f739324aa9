"""Global-norm clipping: the bound, the direction, and the recorded pre-clipping norm."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from seqjax import train


def gradient_tree(scale: float):
    keys = jax.random.split(jax.random.key(0), 3)
    return {
        "kernel": scale * jax.random.normal(keys[0], (7, 5)),
        "nested": {"bias": scale * jax.random.normal(keys[1], (5,)), "w": scale * jax.random.normal(keys[2], (3, 2))},
    }


def flat_float64(tree):
    return np.concatenate([np.asarray(leaf, np.float64).ravel() for leaf in jax.tree.leaves(tree)])


@pytest.mark.parametrize("scale,threshold", [(10.0, 1.0), (0.01, 1.0), (3.0, 0.25)])
def test_clipping_bounds_the_norm_keeps_the_direction_and_records_the_norm(scale, threshold):
    grads = gradient_tree(scale)
    clip = train.with_global_norm_clipping(optax.identity(), threshold)
    state = clip.init(grads)
    clipped, state = jax.jit(clip.update)(grads, state)
    g, c = flat_float64(grads), flat_float64(clipped)
    norm = np.linalg.norm(g)
    assert np.linalg.norm(c) <= threshold * (1 + 1e-6)
    assert float(np.dot(g, c) / (norm * np.linalg.norm(c))) > 1 - 1e-6  # same direction
    if norm <= threshold:
        np.testing.assert_allclose(c, g, rtol=1e-6)
    else:
        np.testing.assert_allclose(np.linalg.norm(c), threshold, rtol=1e-5)
    np.testing.assert_allclose(train.global_norm_before_clipping(state), norm, rtol=1e-5)


def test_sgd_step_applies_the_clipped_gradient():
    params = gradient_tree(1.0)
    grads = gradient_tree(20.0)
    optimizer = train.make_optimizer(train.OptimizerConfig(name="sgd", learning_rate=0.5, max_grad_norm=2.0))
    state = optimizer.init(params)
    updates, state = optimizer.update(grads, state, params)
    new_params = optax.apply_updates(params, updates)
    g = flat_float64(grads)
    expected = flat_float64(params) - 0.5 * g * (2.0 / np.linalg.norm(g))
    np.testing.assert_allclose(flat_float64(new_params), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(train.global_norm_before_clipping(state), np.linalg.norm(g), rtol=1e-5)


def test_without_a_threshold_the_norm_is_still_recorded():
    grads = gradient_tree(50.0)
    optimizer = train.make_optimizer(train.OptimizerConfig(name="adam", max_grad_norm=None))
    _, state = optimizer.update(grads, optimizer.init(grads), grads)
    np.testing.assert_allclose(train.global_norm_before_clipping(state), np.linalg.norm(flat_float64(grads)), rtol=1e-5)


def test_every_named_optimizer_builds_and_bad_settings_are_rejected():
    params = gradient_tree(1.0)
    for name in ("adam", "adamw", "sgd", "rmsprop"):
        optimizer = train.make_optimizer(train.OptimizerConfig(name=name, momentum=0.9))
        updates, _ = optimizer.update(params, optimizer.init(params), params)
        assert all(bool(jnp.all(jnp.isfinite(u))) for u in jax.tree.leaves(updates))
    with pytest.raises(ValueError, match=r"name: expected one of \['adam', 'adamw', 'rmsprop', 'sgd'\], received 'lbfgs'"):
        train.make_optimizer(train.OptimizerConfig(name="lbfgs"))
    with pytest.raises(ValueError, match=r"max_norm: expected a positive number or None, received -1"):
        train.make_optimizer(train.OptimizerConfig(max_grad_norm=-1.0))


@pytest.mark.parametrize("options,argument", [
    (dict(learning_rate=float("nan")), "learning_rate"), (dict(learning_rate=-1e-3), "learning_rate"),
    (dict(learning_rate=0.0), "learning_rate"), (dict(momentum=1.5), "momentum"), (dict(weight_decay=-1.0), "weight_decay"),
])
def test_bad_optimiser_options_are_refused(options, argument):
    with pytest.raises(ValueError, match=f"^{argument}: expected"):
        train.OptimizerConfig(**options)


def test_the_norm_before_clipping_of_a_state_that_records_none_is_a_clear_error():
    with pytest.raises(ValueError, match=r"^opt_state: expected the state of an optimiser from make_optimizer"):
        train.global_norm_before_clipping(optax.adam(1e-3).init({"w": jnp.zeros(3)}))
