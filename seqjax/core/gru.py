"""Gated recurrent unit (Cho et al. 2014), in its original form and in the "reset after" form."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.cell import FusedCell, FusedParams
from seqjax.core.projection import sum_of_outer_products

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

    def pointwise_forward(
        self, pointwise_params: jax.Array, carry: jax.Array, projected: jax.Array, recurrent: jax.Array
    ) -> tuple[jax.Array, tuple[jax.Array, ...]]:
        """``carry [batch, hidden]``, ``projected [batch, 3 * hidden]``, ``recurrent`` (see
        ``recurrent_kernel_of``) -> ``(h_t, saved)``; ``saved`` is ``(r, u, g)``, and the
        candidate's recurrent term ``W_g h + b_hg`` in the reset-after form."""
        x_r, x_u, x_g = jnp.split(projected, 3, axis=-1)
        if self.reset_after:
            h_r, h_u, h_g = jnp.split(recurrent, 3, axis=-1)
        else:
            h_r, h_u = jnp.split(recurrent, 2, axis=-1)
        r = jax.nn.sigmoid(x_r + h_r)
        u = jax.nn.sigmoid(x_u + h_u)
        if self.reset_after:
            candidate_recurrent = h_g + pointwise_params
            g = jnp.tanh(x_g + r * candidate_recurrent)
        else:
            candidate_recurrent = None
            g = jnp.tanh(x_g + (r * carry) @ pointwise_params)
        return (1.0 - u) * g + u * carry, (r, u, g, candidate_recurrent)

    def recurrent_kernel_gradient(
        self, hidden_before: jax.Array, d_projected: jax.Array, saved: tuple[jax.Array, ...]
    ) -> jax.Array:
        """The r and u columns share ``d_projected``'s; the candidate's (reset-after) is ``d g_pre * r``."""
        hidden_size = hidden_before.shape[-1]
        d_gates = sum_of_outer_products(hidden_before, d_projected[..., : 2 * hidden_size])
        if not self.reset_after:
            return d_gates
        d_candidate = sum_of_outer_products(hidden_before, _candidate_recurrent_cotangent(d_projected, saved[0]))
        return jnp.concatenate([d_gates, d_candidate], axis=1)

    def pointwise_params_gradient(
        self, carry_before: jax.Array, d_projected: jax.Array, saved: tuple[jax.Array, ...]
    ) -> jax.Array:
        """Reset-after: the candidate's recurrent bias, ``Σ d g_pre * r``; reset-before: the
        candidate's recurrent kernel, ``Σ (r * h)ᵀ d g_pre`` (``d g_pre``: ``d_projected``'s
        candidate columns)."""
        r = saved[0]
        if self.reset_after:
            return _candidate_recurrent_cotangent(d_projected, r).sum((0, 1))
        return sum_of_outer_products(r * carry_before, d_projected[..., 2 * carry_before.shape[-1]:])

    def pointwise_backward(
        self,
        pointwise_params: jax.Array,
        saved: tuple[jax.Array, ...],
        carry: jax.Array,
        d_new_carry: jax.Array,
    ) -> tuple[jax.Array, jax.Array, jax.Array]:
        """Cotangents through ``h_t = (1 - u) g + u h``, the candidate and the two gates."""
        r, u, g, candidate_recurrent = saved
        d_h = d_new_carry * u
        d_g_pre = d_new_carry * (1.0 - u) * (1.0 - g**2)
        d_u_pre = d_new_carry * (carry - g) * u * (1.0 - u)
        if self.reset_after:
            d_candidate_recurrent = d_g_pre * r
            d_r_pre = d_g_pre * candidate_recurrent * r * (1.0 - r)
            d_recurrent = jnp.concatenate([d_r_pre, d_u_pre, d_candidate_recurrent], axis=-1)
        else:
            d_reset_hidden = d_g_pre @ pointwise_params.T
            d_h = d_h + d_reset_hidden * r
            d_r_pre = d_reset_hidden * carry * r * (1.0 - r)
            d_recurrent = jnp.concatenate([d_r_pre, d_u_pre], axis=-1)
        d_projected = jnp.concatenate([d_r_pre, d_u_pre, d_g_pre], axis=-1)
        return d_h, d_projected, d_recurrent


def _candidate_recurrent_cotangent(d_projected: jax.Array, r: jax.Array) -> jax.Array:
    """Reset-after: ``d g_pre * r [..., hidden]``, the cotangent of ``W_g h + b_hg``, from the
    candidate's columns of ``d_projected [..., 3 * hidden]`` and the reset gate ``r [..., hidden]``."""
    return d_projected[..., 2 * r.shape[-1]:] * r
