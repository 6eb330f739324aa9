"""Gated recurrent unit (Cho et al. 2014), in its original form and in the "reset after" form."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.cell import FusedParams, init_fused, project_fused, zero_hidden

RESET_GATE, UPDATE_GATE, CANDIDATE = range(3)
"""Gate order in the fused matrices: r, u, g (PyTorch's r, z, n)."""


class ResetAfterGRUParams(NamedTuple):
    """``FusedParams`` plus the candidate's recurrent bias ``b_hg [hidden]`` of the reset-after form."""

    input_kernel: jax.Array
    recurrent_kernel: jax.Array
    bias: jax.Array
    candidate_recurrent_bias: jax.Array


@dataclasses.dataclass(frozen=True)
class GRUCell:
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
        params = init_fused(
            key,
            input_size,
            hidden_size,
            self.num_gates,
            input_init=input_init,
            recurrent_init=recurrent_init,
            gate_biases={UPDATE_GATE: update_bias},
            dtype=dtype,
        )
        if not self.reset_after:
            return params
        return ResetAfterGRUParams(*params, candidate_recurrent_bias=jnp.zeros((hidden_size,), dtype))

    project_inputs = staticmethod(project_fused)
    zero_carry = staticmethod(zero_hidden)

    def step(
        self, params: FusedParams | ResetAfterGRUParams, carry: jax.Array, projected: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """``carry [batch, hidden]``, ``projected [batch, 3 * hidden]`` -> ``(h_t, h_t)``."""
        hidden_size = carry.shape[-1]
        x_r, x_u, x_g = jnp.split(projected, 3, axis=-1)
        kernel = params.recurrent_kernel
        if self.reset_after:
            h_r, h_u, h_g = jnp.split(carry @ kernel, 3, axis=-1)
            r = jax.nn.sigmoid(x_r + h_r)
            u = jax.nn.sigmoid(x_u + h_u)
            g = jnp.tanh(x_g + r * (h_g + params.candidate_recurrent_bias))
        else:
            h_r, h_u = jnp.split(carry @ kernel[:, : 2 * hidden_size], 2, axis=-1)
            r = jax.nn.sigmoid(x_r + h_r)
            u = jax.nn.sigmoid(x_u + h_u)
            g = jnp.tanh(x_g + (r * carry) @ kernel[:, 2 * hidden_size :])
        h = (1.0 - u) * g + u * carry
        return h, h
