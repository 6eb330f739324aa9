"""The simple (Elman) RNN: ``h_t = f(V x_t + W h_{t-1} + b)``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.cell import FusedCell, FusedParams


@dataclasses.dataclass(frozen=True)
class SimpleRNNCell(FusedCell):
    """``h_t = activation(V x_t + W h_{t-1} + b)``; the carry and the output are both ``h_t``.

    Parameters are ``FusedParams`` with one gate: ``V [input, hidden]``,
    ``W [hidden, hidden]``, ``b [hidden]``. The carry is an array ``[batch, hidden]``.

    Attributes:
      activation: any elementwise callable; ``jnp.tanh`` (default) or ``jax.nn.relu``.
    """

    activation: Callable[[jax.Array], jax.Array] = jnp.tanh
    num_gates = 1

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        input_init: initializers.Initializer = initializers.lecun_normal,
        recurrent_init: initializers.Initializer = initializers.orthogonal,
        dtype: jnp.dtype = jnp.float32,
    ) -> FusedParams:
        """Draws parameters; use ``recurrent_init=initializers.identity`` with ReLU for an IRNN."""
        return self._init_fused(key, input_size, hidden_size, {}, input_init, recurrent_init, dtype)

    def pointwise(
        self, pointwise_params: tuple, carry: jax.Array, projected: jax.Array, recurrent: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """``h_t = activation(projected + recurrent)``, all ``[batch, hidden]``."""
        h = self.activation(projected + recurrent)
        return h, h
