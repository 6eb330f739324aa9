"""The simple (Elman) RNN: ``h_t = f(V x_t + W h_{t-1} + b)``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.cell import FusedParams, init_fused, project_fused, zero_hidden


@dataclasses.dataclass(frozen=True)
class SimpleRNNCell:
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
        return init_fused(
            key,
            input_size,
            hidden_size,
            self.num_gates,
            input_init=input_init,
            recurrent_init=recurrent_init,
            gate_biases={},
            dtype=dtype,
        )

    project_inputs = staticmethod(project_fused)
    zero_carry = staticmethod(zero_hidden)

    def step(
        self, params: FusedParams, carry: jax.Array, projected: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """``carry [batch, hidden]``, ``projected [batch, hidden]`` -> ``(h_t, h_t)``."""
        h = self.activation(projected + carry @ params.recurrent_kernel)
        return h, h
