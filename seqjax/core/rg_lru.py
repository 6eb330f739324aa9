"""The Real-Gated Linear Recurrent Unit of Griffin (De et al. 2024)."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.projection import gate_projections
from seqjax.core.cell import LinearRecurrentCell, init_projection
from seqjax.errors import bad_argument

VALUE, RECURRENCE_GATE, INPUT_GATE = range(3)


class RGLRUParams(NamedTuple):
    """``input_kernel [input, 3 * hidden]`` and ``bias [3 * hidden]`` (value, recurrence gate,
    input gate), and ``decay_logit Λ [hidden]`` with ``a = sigmoid(Λ)``."""

    input_kernel: jax.Array
    bias: jax.Array
    decay_logit: jax.Array


@dataclasses.dataclass(frozen=True)
class RGLRUCell(LinearRecurrentCell):
    """Griffin's recurrence, ``h_t = a_t * h_{t-1} + sqrt(1 - a_t²) * (i_t * v_t)``, where::

        v_t = V_v x_t + b_v                      # the value
        r_t = sigmoid(V_r x_t + b_r)             # recurrence gate
        i_t = sigmoid(V_i x_t + b_i)             # input gate
        a_t = a ** (c * r_t),  a = sigmoid(Λ),  c = 8

    computed as ``log a_t = -c * r_t * softplus(-Λ)`` and ``sqrt(1 - a_t²) = sqrt(-expm1(2 log a_t))``.
    Griffin's RG-LRU reads its input ``x`` as the value and applies block-diagonal gates;
    here one dense fused projection gives the value and both gates, so that the cell is a
    layer of any input width (in ``seqjax.nn.GriffinBlock`` it is ``[hidden, 3 * hidden]``).
    ``Λ`` starts where ``a ** c`` is uniform in ``[0.9, 0.999]``, as in the paper. Parameters:
    ``3 * hidden * (input + 1) + hidden``. Carry and output: ``h [batch, hidden]``.
    """

    c: float = 8.0
    num_gates = 3

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        min_decay: float = 0.9,
        max_decay: float = 0.999,
        input_init: initializers.Initializer = initializers.lecun_normal,
        dtype: jnp.dtype = jnp.float32,
    ) -> RGLRUParams:
        """Each block of ``V`` by ``input_init``, biases zero; ``a ** c`` uniform in ``[min_decay, max_decay]``."""
        if not 0.0 < min_decay < max_decay < 1.0:
            raise bad_argument("min_decay, max_decay", "0 < min_decay < max_decay < 1",
                               f"min_decay={min_decay!r}, max_decay={max_decay!r}")
        projection_key, decay_key = jax.random.split(key)
        projection = init_projection(projection_key, input_size, hidden_size, 3, {}, input_init, dtype)
        decay_c = jax.random.uniform(decay_key, (hidden_size,), dtype, min_decay, max_decay)  # a ** c
        log_a = jnp.log(decay_c) / self.c
        return RGLRUParams(*projection, decay_logit=log_a - jnp.log(-jnp.expm1(log_a)))

    def coefficients(self, params: RGLRUParams, inputs: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``(a_t, sqrt(1 - a_t²) * i_t * v_t)``, each ``[..., hidden]``."""
        value, recurrence_gate, input_gate = gate_projections(inputs, params.input_kernel, params.bias, 3)
        log_a = -self.c * jax.nn.sigmoid(recurrence_gate) * jax.nn.softplus(-params.decay_logit)
        multiplier = jnp.sqrt(-jnp.expm1(2.0 * log_a))
        return jnp.exp(log_a), multiplier * jax.nn.sigmoid(input_gate) * value
