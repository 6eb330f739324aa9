"""Gated recurrent unit (Cho et al. 2014), in its original form and in the "reset after" form."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.cell import FusedCell, FusedParams

RESET_GATE, UPDATE_GATE, CANDIDATE = range(3)
"""Gate order in the fused matrices: r, u, g (PyTorch's r, z, n)."""


class ResetAfterGRUParams(NamedTuple):
    """``FusedParams`` plus the candidate's recurrent bias ``b_hg [hidden]`` of the reset-after form."""

    input_kernel: jax.Array
    recurrent_kernel: jax.Array
    bias: jax.Array
    candidate_recurrent_bias: jax.Array


@dataclasses.dataclass(frozen=True)
class GRUCell(FusedCell):
    """A GRU step; gates r (reset), u (update), g (candidate), in that order::

        r = sigmoid(V_r x + W_r h + b_r)
        u = sigmoid(V_u x + W_u h + b_u)
        g = tanh(V_g x + W_g (r * h) + b_g)            # reset_after=False (default, Cho et al.)
        g = tanh(V_g x + b_g + r * (W_g h + b_hg))     # reset_after=True (cuDNN, PyTorch, Flax)
        h_t = (1 - u) * g + u * h_{t-1}

    With ``u`` near 1 the unit keeps its state, so the update gate's bias slice
    ``b[hidden : 2 * hidden]`` starts at ``update_bias`` (1.0 by default).

    Parameters: ``V [input, 3 * hidden]``, ``W [hidden, 3 * hidden]``, ``b [3 * hidden]``
    (``FusedParams``); the reset-after form adds ``candidate_recurrent_bias [hidden]``
    (``ResetAfterGRUParams``), needed there because ``r`` multiplies ``W_g h + b_hg``.
    The reset-after form needs one recurrent matrix product per step instead of two
    in sequence. The carry is an array ``h [batch, hidden]``; the output is ``h_t``.
    """

    reset_after: bool = False
    num_gates = 3

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        update_bias: float = 1.0,
        input_init: initializers.Initializer = initializers.lecun_normal,
        recurrent_init: initializers.Initializer = initializers.orthogonal,
        dtype: jnp.dtype = jnp.float32,
    ) -> FusedParams | ResetAfterGRUParams:
        """Draws parameters; each gate's ``[hidden, hidden]`` block of ``W`` is orthogonal by default."""
        params = self._init_fused(
            key, input_size, hidden_size, {UPDATE_GATE: update_bias}, input_init, recurrent_init, dtype
        )
        if not self.reset_after:
            return params
        return ResetAfterGRUParams(*params, candidate_recurrent_bias=jnp.zeros((hidden_size,), dtype))

    def recurrent_kernel_of(self, params: FusedParams | ResetAfterGRUParams) -> jax.Array:
        """All of ``W`` (reset-after); only ``[W_r, W_u]`` (reset-before, where ``W_g`` acts on ``r * h``)."""
        if self.reset_after:
            return params.recurrent_kernel
        return params.recurrent_kernel[:, : 2 * (params.recurrent_kernel.shape[1] // 3)]

    def pointwise_params(self, params: FusedParams | ResetAfterGRUParams) -> jax.Array:
        """``b_hg [hidden]`` (reset-after) or ``W_g [hidden, hidden]`` (reset-before)."""
        if self.reset_after:
            return params.candidate_recurrent_bias
        return params.recurrent_kernel[:, 2 * (params.recurrent_kernel.shape[1] // 3) :]

    def pointwise(
        self, pointwise_params: jax.Array, carry: jax.Array, projected: jax.Array, recurrent: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """``carry [batch, hidden]``, ``projected [batch, 3 * hidden]``, ``recurrent`` (see
        ``recurrent_kernel_of``) -> ``(h_t, h_t)``."""
        x_r, x_u, x_g = jnp.split(projected, 3, axis=-1)
        if self.reset_after:
            h_r, h_u, h_g = jnp.split(recurrent, 3, axis=-1)
            r = jax.nn.sigmoid(x_r + h_r)
            g = jnp.tanh(x_g + r * (h_g + pointwise_params))
        else:
            h_r, h_u = jnp.split(recurrent, 2, axis=-1)
            r = jax.nn.sigmoid(x_r + h_r)
            g = jnp.tanh(x_g + (r * carry) @ pointwise_params)
        u = jax.nn.sigmoid(x_u + h_u)
        h = (1.0 - u) * g + u * carry
        return h, h
