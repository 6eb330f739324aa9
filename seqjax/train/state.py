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
      optimizer: the optax transformation (static, not saved).
    """

    step: jax.Array
    params: Any
    opt_state: Any
    rng: jax.Array
    carry: Any
    nonfinite_in_a_row: jax.Array
    nonfinite_total: jax.Array
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
            optimizer=optimizer,
        )
