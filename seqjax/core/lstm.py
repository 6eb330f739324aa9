"""Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.cell import FusedCell, FusedParams

INPUT_GATE, FORGET_GATE, CANDIDATE, OUTPUT_GATE = range(4)
"""Gate order in the fused matrices: i, f, g, o (the order of PyTorch and cuDNN)."""


class LSTMState(NamedTuple):
    """The LSTM carry. ``hidden``: ``h [batch, hidden]``; ``cell``: ``c [batch, hidden]``.

    Note the order: ``(hidden, cell)``, as in Haiku; Flax's ``LSTMCell`` carry is ``(c, h)``.
    """

    hidden: jax.Array
    cell: jax.Array


@dataclasses.dataclass(frozen=True)
class LSTMCell(FusedCell):
    """An LSTM step from one fused matrix of each kind::

        i, f, g, o = split(V x_t + W h_{t-1} + b)         # gate order i, f, g, o
        c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
        h_t = sigmoid(o) * tanh(c_t)

    Parameters are ``FusedParams`` with four gates: ``V [input, 4 * hidden]``,
    ``W [hidden, 4 * hidden]``, ``b [4 * hidden]``; gate ``k`` occupies columns
    ``[k * hidden, (k + 1) * hidden)``. The forget gate's bias slice
    ``b[hidden : 2 * hidden]`` starts at ``forget_bias`` (1.0 by default, Jozefowicz et
    al. 2015), the others at 0. The carry is ``LSTMState(hidden, cell)``; the output is ``h_t``.
    """

    sums_projection_and_recurrent = True
    num_gates = 4

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        forget_bias: float = 1.0,
        input_init: initializers.Initializer = initializers.lecun_normal,
        recurrent_init: initializers.Initializer = initializers.orthogonal,
        dtype: jnp.dtype = jnp.float32,
    ) -> FusedParams:
        """Draws parameters; each gate's ``[hidden, hidden]`` block of ``W`` is orthogonal by default."""
        return self._init_fused(
            key, input_size, hidden_size, {FORGET_GATE: forget_bias}, input_init, recurrent_init, dtype
        )

    def zero_carry(
        self, hidden_size: int, batch_shape: tuple[int, ...] = (), dtype: jnp.dtype = jnp.float32
    ) -> LSTMState:
        """``LSTMState`` of zeros, each ``[*batch_shape, hidden]``."""
        zeros = jnp.zeros((*batch_shape, hidden_size), dtype)
        return LSTMState(hidden=zeros, cell=zeros)

    def hidden_of(self, carry: LSTMState) -> jax.Array:
        return carry.hidden

    def pointwise_forward(
        self, pointwise_params: tuple, carry: LSTMState, projected: jax.Array, recurrent: jax.Array
    ) -> tuple[LSTMState, jax.Array]:
        """``projected``, ``recurrent`` ``[batch, 4 * hidden]`` -> ``(LSTMState, gates [batch, 4 * hidden])``.

        ``gates`` holds the activations ``sigmoid(i), sigmoid(f), tanh(g), sigmoid(o)``, all
        four from one ``tanh`` through ``sigmoid(x) = 0.5 * tanh(x / 2) + 0.5``.
        """
        scale, offset = _gate_constants(carry.cell.shape[-1], projected.dtype)
        gates = scale * jnp.tanh(scale * (projected + recurrent)) + offset
        i, f, g, o = jnp.split(gates, 4, axis=-1)
        cell = f * carry.cell + i * g
        return LSTMState(hidden=o * jnp.tanh(cell), cell=cell), gates

    def pointwise_backward(
        self, pointwise_params: tuple, saved: jax.Array, carry: LSTMState, d_new_carry: LSTMState
    ) -> tuple[LSTMState, jax.Array, jax.Array]:
        """Cotangents through the gates: ``d pre = d gates * gate'(pre)``, with
        ``sigmoid' = s (1 - s)`` and ``tanh' = 1 - t^2`` read off the saved activations."""
        gates = saved
        scale, offset = _gate_constants(carry.cell.shape[-1], gates.dtype)
        i, f, g, o = jnp.split(gates, 4, axis=-1)
        tanh_cell = jnp.tanh(f * carry.cell + i * g)
        d_cell = d_new_carry.cell + d_new_carry.hidden * o * (1.0 - tanh_cell**2)
        d_gates = jnp.concatenate([d_cell * g, d_cell * carry.cell, d_cell * i, d_new_carry.hidden * tanh_cell], axis=-1)
        d_pre = d_gates * (scale**2 - (gates - offset) ** 2)
        d_carry = LSTMState(hidden=jnp.zeros_like(carry.hidden), cell=d_cell * f)
        return d_carry, d_pre, d_pre


def _gate_constants(hidden_size: int, dtype: jnp.dtype) -> tuple[jax.Array, jax.Array]:
    """Per-column ``scale, offset`` ``[4 * hidden]`` with ``activation = scale * tanh(scale * pre) + offset``:
    ``(0.5, 0.5)`` (a sigmoid) for i, f and o, ``(1, 0)`` (a tanh) for g."""
    scale = jnp.repeat(jnp.array([0.5, 0.5, 1.0, 0.5], dtype), hidden_size)
    offset = jnp.repeat(jnp.array([0.5, 0.5, 0.0, 0.5], dtype), hidden_size)
    return scale, offset
