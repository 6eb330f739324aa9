"""The training state: everything a resumed run needs to continue bit for bit."""

from __future__ import annotations

from typing import Any

import flax.struct
import jax
import jax.numpy as jnp
import optax


class TrainState(flax.struct.PyTreeNode):
    """Parameters, optimiser state, counters, random key and the carried recurrent state.

    Attributes:
      step: number of train steps taken (int32 scalar); also the data position, since the
        loop asks its data for the batch of a given step.
      params: the model's parameters.
      opt_state: the optimiser's state.
      rng: the run's base key; step ``s`` uses ``jax.random.fold_in(rng, s)``.
      carry: the recurrent state carried from one step's chunk to the next (truncated
        BPTT over a stream), or None.
      nonfinite_in_a_row: consecutive steps skipped for a non-finite loss or gradient.
      nonfinite_total: all steps skipped so far.
      train_seconds: seconds spent in train steps so far, over every resumed part of the run
        (float32 scalar; compilation, evaluation and checkpoints not counted). A time-limited
        run's learning-rate schedule follows it, so it is saved and restored with the rest.
      optimizer: the optax transformation (static, not saved).
    """

    step: jax.Array
    params: Any
    opt_state: Any
    rng: jax.Array
    carry: Any
    nonfinite_in_a_row: jax.Array
    nonfinite_total: jax.Array
    train_seconds: jax.Array
    optimizer: optax.GradientTransformation = flax.struct.field(pytree_node=False)

    @classmethod
    def create(
        cls, params: Any, optimizer: optax.GradientTransformation, rng: jax.Array, carry: Any = None
    ) -> TrainState:
        """A state at step 0 (``rng``: a key from ``jax.random.key``)."""
        zero = jnp.zeros([], jnp.int32)
        return cls(
            step=zero,
            params=params,
            opt_state=optimizer.init(params),
            rng=rng,
            carry=carry,
            nonfinite_in_a_row=zero,
            nonfinite_total=zero,
            train_seconds=jnp.zeros([], jnp.float32),
            optimizer=optimizer,
        )
