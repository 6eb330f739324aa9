"""The train step: gradient norm, clipping, skipping non-finite updates, mixed precision."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from seqjax import train
from tests.train import tiny_task


def _independent_gradient(state, batch):
    """The gradient of the tiny task's loss, by plain jax.grad outside the engine."""
    carry = train.reset_carry(state.carry, batch["reset"])
    return jax.grad(lambda p: tiny_task.loss_fn(p, batch, carry, None)[0])(state.params)


def _norm(tree) -> float:
    return float(np.sqrt(sum(np.sum(np.square(np.asarray(leaf, np.float64))) for leaf in jax.tree.leaves(tree))))


def test_metrics_report_the_gradient_norm_before_clipping_and_the_update_is_clipped():
    state = tiny_task.initial_state()
    state = state.replace(params=jax.tree.map(lambda p: 3.0 * p, state.params))  # large gradients
    sgd = train.with_global_norm_clipping(optax.sgd(1.0), max_norm=0.1)
    state = train.TrainState.create(state.params, sgd, state.rng, state.carry)
    batch = tiny_task.batch_at(1)
    new, metrics = train.make_train_step(tiny_task.LOSS)(state, batch, jax.random.key(0))
    grads = _independent_gradient(state, batch)
    norm = _norm(grads)
    assert norm > 0.1
    assert float(metrics["grad_norm"]) == pytest.approx(norm, rel=1e-5)
    step_taken = jax.tree.map(lambda a, b: a - b, state.params, new.params)
    assert _norm(step_taken) == pytest.approx(0.1, rel=1e-4)  # lr 1: the clipped gradient
    expected = jax.tree.map(lambda g: g * 0.1 / norm, grads)
    for got, want in zip(jax.tree.leaves(step_taken), jax.tree.leaves(expected)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("poison", ["inputs", "targets"])
def test_a_non_finite_loss_or_gradient_skips_the_update_and_is_counted(poison):
    state = tiny_task.initial_state()
    step = train.make_train_step(tiny_task.LOSS)
    state, _ = step(state, tiny_task.batch_at(1), jax.random.key(0))
    batch = tiny_task.batch_at(2)
    key = "x" if poison == "inputs" else "y"
    batch = dict(batch, **{key: batch[key].at[0, 0].set(jnp.nan)})
    skipped, metrics = step(state, batch, jax.random.key(0))
    assert int(metrics["finite"]) == 0 and int(skipped.nonfinite_in_a_row) == 1 and int(skipped.nonfinite_total) == 1
    assert int(skipped.step) == int(state.step) + 1
    for name in ("params", "opt_state", "carry"):
        for got, want in zip(jax.tree.leaves(getattr(skipped, name)), jax.tree.leaves(getattr(state, name))):
            np.testing.assert_array_equal(got, want)
    again, _ = step(skipped, batch, jax.random.key(0))
    assert int(again.nonfinite_in_a_row) == 2
    recovered, metrics = step(again, tiny_task.batch_at(3), jax.random.key(0))
    assert int(metrics["finite"]) == 1 and int(recovered.nonfinite_in_a_row) == 0
    assert int(recovered.nonfinite_total) == 2


def test_bfloat16_compute_keeps_float32_parameters_and_optimiser_state_and_tracks_float32():
    state = tiny_task.initial_state()
    batch = tiny_task.batch_at(1)
    mixed, mixed_metrics = train.make_train_step(tiny_task.LOSS, compute_dtype=jnp.bfloat16)(
        state, batch, jax.random.key(0)
    )
    full, full_metrics = train.make_train_step(tiny_task.LOSS)(state, batch, jax.random.key(0))
    for tree in (mixed.params, mixed.opt_state, mixed.carry):
        assert all(leaf.dtype in (jnp.float32, jnp.int32) for leaf in jax.tree.leaves(tree))
    assert mixed_metrics["loss"].dtype == jnp.float32
    assert float(mixed_metrics["loss"]) == pytest.approx(float(full_metrics["loss"]), rel=2e-2)
    assert float(mixed_metrics["grad_norm"]) == pytest.approx(float(full_metrics["grad_norm"]), rel=5e-2)
    assert float(mixed_metrics["loss"]) != float(full_metrics["loss"])  # it did compute in bfloat16



def test_an_update_that_makes_the_parameters_nonfinite_is_skipped():
    """A NaN learning rate: the loss and the gradient are finite, the new parameters are not."""
    state = tiny_task.initial_state()
    state = state.replace(optimizer=optax.sgd(float("nan")), opt_state=optax.sgd(float("nan")).init(state.params))
    new, metrics = train.make_train_step(tiny_task.LOSS)(state, tiny_task.batch_at(1), jax.random.key(0))
    assert np.isfinite(float(metrics["loss"])) and np.isfinite(float(metrics["grad_norm"]))
    assert int(metrics["finite"]) == 0 and int(new.nonfinite_total) == 1
    np.testing.assert_array_equal(tiny_task.flat_params(new), tiny_task.flat_params(state))


def test_a_loss_without_carry_trains_a_state_without_carry_like_plain_gradient_descent():
    params = {"w": jnp.array([1.0, -2.0])}
    batch = {"x": jnp.array([[1.0, 0.5], [0.0, 2.0]]), "y": jnp.array([1.0, 3.0])}

    def loss_fn(params, batch, rng):
        del rng
        return jnp.mean(jnp.square(batch["x"] @ params["w"] - batch["y"]))

    state = train.TrainState.create(params, optax.sgd(0.1), jax.random.key(0))
    new, metrics = train.make_train_step(loss_fn)(state, batch, jax.random.key(1))
    x, y, w = (np.asarray(a, np.float64) for a in (batch["x"], batch["y"], params["w"]))
    gradient = 2 * x.T @ (x @ w - y) / len(y)  # the mean squared error's gradient, by hand
    np.testing.assert_allclose(new.params["w"], w - 0.1 * gradient, rtol=1e-6)
    assert float(metrics["loss"]) == pytest.approx(np.mean((x @ w - y) ** 2), rel=1e-6)
    assert new.carry is None


def test_a_loss_that_does_not_match_the_state_s_carry_is_a_clear_error():
    state = tiny_task.initial_state()
    with pytest.raises(ValueError, match=r"loss_fn: expected carrying\(loss_fn\).*received a loss without carry"):
        train.make_train_step(lambda params, batch, rng: 0.0)(state, tiny_task.batch_at(1), jax.random.key(0))
    without_carry = train.TrainState.create(state.params, optax.sgd(0.1), state.rng)
    with pytest.raises(ValueError, match=r"loss_fn: expected a loss without carry.*received carrying"):
        train.make_train_step(tiny_task.LOSS)(without_carry, tiny_task.batch_at(1), jax.random.key(0))
