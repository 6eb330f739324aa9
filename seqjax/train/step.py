"""The jitted train step: ``(state, batch, rng, progress) -> (state, metrics)``.

A *loss function* ``loss_fn(params, batch, rng) -> loss`` gives the mean loss of a batch (a
scalar). A model that carries its state from batch to batch (truncated BPTT, see
``seqjax.train.tbptt``) trains from a ``TrainState`` with a ``carry`` and a *carrying* loss,
``carrying(loss_fn)`` with ``loss_fn(params, batch, carry, rng) -> (loss, carry)``: the carry
its batch began with in, the one its last step ended with out. The train step

- zeroes the rows of ``state.carry`` where ``batch["reset"]`` is true, when the batch has
  that entry (a new document starts in that row; see ``seqjax.train.tbptt``);
- computes the loss and its gradient, optionally in a lower-precision compute dtype
  (mixed precision: parameters and optimiser state stay float32);
- measures the gradient's global norm before any clipping;
- skips the update when the loss, the gradient or the updated parameters are not finite
  (a NaN learning rate gives finite gradients but NaN parameters): parameters, optimiser
  state and carry stay as they were, and the skip is counted in the state;
- otherwise applies the optimiser (which clips, see ``make_optimizer``), giving it the run's
  ``progress`` in [0, 1] as optax's extra argument (a ``ProgressSchedule`` anneals over it;
  other transformations ignore it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import optax

from seqjax.errors import bad_argument
from seqjax.train.state import TrainState
from seqjax.train.tbptt import reset_carry

Metrics = dict[str, jax.Array]
CarryingLossFn = Callable[[Any, Any, Any, jax.Array], tuple[jax.Array, Any]]


@dataclasses.dataclass(frozen=True)
class CarryingLoss:
    """A loss that carries the model's state across batches: ``fn(params, batch, carry, rng)
    -> (loss, carry)``. Made by ``carrying``; trains a ``TrainState`` that has a ``carry``."""

    fn: CarryingLossFn


def carrying(loss_fn: CarryingLossFn) -> CarryingLoss:
    """Marks ``loss_fn(params, batch, carry, rng) -> (loss, carry)`` as a carrying loss."""
    return CarryingLoss(loss_fn)


LossFn = Callable[[Any, Any, jax.Array], jax.Array] | CarryingLoss


def _with_carry(loss_fn: LossFn, carry: Any) -> CarryingLossFn:
    """``loss_fn`` in the carrying form the step runs, after checking that it matches ``carry``
    (the state's: ``None`` when the model carries nothing across batches)."""
    if isinstance(loss_fn, CarryingLoss):
        if carry is None:
            raise bad_argument("loss_fn", "a loss without carry for a TrainState without carry (or "
                               "TrainState.create(..., carry) for a carrying loss)", "carrying(...)")
        return loss_fn.fn
    if carry is not None:
        raise bad_argument("loss_fn", "carrying(loss_fn) with loss_fn(params, batch, carry, rng) -> (loss, carry) "
                           "for a TrainState with a carry", "a loss without carry")
    return lambda params, batch, carry, rng: (loss_fn(params, batch, rng), carry)


def cast_floating(tree: Any, dtype: Any) -> Any:
    """``tree`` with every floating-point array cast to ``dtype`` (others unchanged)."""

    def cast(leaf: Any) -> Any:
        if isinstance(leaf, jax.Array | float) and jnp.issubdtype(jnp.result_type(leaf), jnp.floating):
            return jnp.asarray(leaf).astype(dtype)
        return leaf

    return jax.tree.map(cast, tree)


def _loss_in_dtype(loss_fn: CarryingLossFn, compute_dtype: Any | None) -> CarryingLossFn:
    """``loss_fn`` computed with parameters, batch and carry cast to ``compute_dtype``; the loss
    comes back float32 and the carry in its own dtype, so gradients reach the float32 parameters."""
    if compute_dtype is None:
        return loss_fn

    def mixed(params: Any, batch: Any, carry: Any, rng: jax.Array) -> tuple[jax.Array, Any]:
        loss, new_carry = loss_fn(
            cast_floating(params, compute_dtype), cast_floating(batch, compute_dtype),
            cast_floating(carry, compute_dtype), rng,
        )
        restore = jax.tree.map(lambda new, old: new.astype(old.dtype), new_carry, carry)
        return loss.astype(jnp.float32), restore

    return mixed


def _all_finite(tree: Any) -> jax.Array:
    """True when every floating-point entry of ``tree`` is finite."""
    leaves = [jnp.all(jnp.isfinite(leaf)) for leaf in jax.tree.leaves(tree) if jnp.issubdtype(leaf.dtype, jnp.inexact)]
    return jnp.all(jnp.stack(leaves)) if leaves else jnp.bool_(True)


def _reset_where_documents_start(carry: Any, batch: Any) -> Any:
    """``carry`` with the rows of ``batch["reset"]`` zeroed, when both exist."""
    if carry is not None and isinstance(batch, Mapping) and "reset" in batch:
        return reset_carry(carry, batch["reset"])
    return carry


def make_train_step(
    loss_fn: LossFn, *, compute_dtype: Any | None = None
) -> Callable[..., tuple[TrainState, Metrics]]:
    """The jitted train step of ``loss_fn`` (see the module docstring).

    Returns ``train_step(state, batch, rng, progress=0.0) -> (state, metrics)`` with metrics
    ``loss``, ``grad_norm`` (global L2 norm before clipping), ``finite`` (1 if the update was
    applied, 0 if skipped) and ``nonfinite_in_a_row``. ``compute_dtype``: e.g. ``jnp.bfloat16``.
    """

    @jax.jit
    def train_step(state: TrainState, batch: Any, rng: jax.Array, progress: Any = 0.0) -> tuple[TrainState, Metrics]:
        carried_loss = _loss_in_dtype(_with_carry(loss_fn, state.carry), compute_dtype)
        carry = _reset_where_documents_start(state.carry, batch)
        (loss, new_carry), grads = jax.value_and_grad(carried_loss, has_aux=True)(state.params, batch, carry, rng)
        grad_norm = optax.tree.norm(grads)
        optimizer = optax.with_extra_args_support(state.optimizer)
        updates, opt_state = optimizer.update(grads, state.opt_state, state.params, progress=progress)
        params = optax.apply_updates(state.params, updates)
        finite = jnp.isfinite(loss) & jnp.isfinite(grad_norm) & _all_finite(params)

        def keep_if_finite(new: Any, old: Any) -> Any:
            return jax.tree.map(lambda n, o: jnp.where(finite, n, o), new, old)

        in_a_row = jnp.where(finite, 0, state.nonfinite_in_a_row + 1)
        state = state.replace(
            step=state.step + 1,
            params=keep_if_finite(params, state.params),
            opt_state=keep_if_finite(opt_state, state.opt_state),
            carry=keep_if_finite(new_carry, carry),
            nonfinite_in_a_row=in_a_row,
            nonfinite_total=state.nonfinite_total + (~finite).astype(jnp.int32),
        )
        metrics = {
            "loss": loss.astype(jnp.float32),
            "grad_norm": grad_norm.astype(jnp.float32),
            "finite": finite.astype(jnp.int32),
            "nonfinite_in_a_row": in_a_row,
        }
        return state, metrics

    return train_step
