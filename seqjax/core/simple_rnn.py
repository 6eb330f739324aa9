"""The simple (Elman) RNN: ``h_t = f(V x_t + W h_{t-1} + b)``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.errors import bad_argument
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
    sums_projection_and_recurrent = True
    num_gates = 1

    def __post_init__(self) -> None:
        if not callable(self.activation):
            raise bad_argument("activation", "an elementwise callable such as jnp.tanh or jax.nn.relu",
                               repr(self.activation))

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

    def pointwise_forward(
        self, pointwise_params: tuple, carry: jax.Array, projected: jax.Array, recurrent: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """``h_t = activation(pre)``, ``pre = projected + recurrent``, all ``[batch, hidden]``; saves ``pre``."""
        pre = projected + recurrent
        return self.activation(pre), pre

    def pointwise_backward(
        self, pointwise_params: tuple, saved: jax.Array, carry: jax.Array, d_new_carry: jax.Array
    ) -> tuple[jax.Array, jax.Array, jax.Array]:
        """``d pre = activation'(pre) * d h_t`` (by ``jax.vjp`` of the activation, whatever it is)."""
        _, activation_vjp = jax.vjp(self.activation, saved)
        (d_pre,) = activation_vjp(d_new_carry)
        return jnp.zeros_like(carry), d_pre, d_pre
