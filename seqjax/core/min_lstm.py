"""minLSTM (Feng et al. 2024, "Were RNNs all we needed?"): an LSTM whose gates do not read ``h_{t-1}``."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.projection import gate_projections
from seqjax.core.cell import LinearRecurrentCell, ProjectionParams, init_projection
from seqjax.core.min_gru import positive_candidate

INPUT_GATE, FORGET_GATE, CANDIDATE = range(3)


@dataclasses.dataclass(frozen=True)
class MinLSTMCell(LinearRecurrentCell):
    """``h_t = f'_t * h_{t-1} + i'_t * g_t``, with (gate order i, f, candidate, as seqjax's LSTM)::

        i_t = sigmoid(V_i x_t + b_i),  f_t = sigmoid(V_f x_t + b_f)
        f'_t = f_t / (f_t + i_t),      i'_t = i_t / (f_t + i_t)     # normalised: f' + i' = 1
        g_t = V_g x_t + b_g            # or positive_candidate(...) with log_space=True

    The normalised gates are computed from logarithms, ``f' = sigmoid(log f - log i)`` with
    ``log f = -softplus(-(V_f x + b_f))``, which stays exact when both gates are tiny. The
    forget gate's bias ``b[hidden : 2 * hidden]`` starts at ``forget_bias`` (1.0).

    Parameters (``ProjectionParams``): ``input_kernel [input, 3 * hidden]``, ``bias
    [3 * hidden]``; ``3 * hidden * (input + 1)`` in all. Carry and output: ``h [batch, hidden]``.
    """

    log_space: bool = False
    num_gates = 3

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        forget_bias: float = 1.0,
        input_init: initializers.Initializer = initializers.lecun_normal,
        dtype: jnp.dtype = jnp.float32,
    ) -> ProjectionParams:
        """Draws each gate block of ``V`` by ``input_init``; biases zero but the forget gate's."""
        return init_projection(key, input_size, hidden_size, 3, {FORGET_GATE: forget_bias}, input_init, dtype)

    def coefficients(self, params: ProjectionParams, inputs: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``(f' [..., hidden], i' * g [..., hidden])`` from ``inputs [..., input]``."""
        input_gate, forget_gate, candidate = gate_projections(inputs, params.input_kernel, params.bias, 3)
        if self.log_space:
            candidate = positive_candidate(candidate)
        log_ratio = jax.nn.softplus(-input_gate) - jax.nn.softplus(-forget_gate)  # log f - log i
        return jax.nn.sigmoid(log_ratio), jax.nn.sigmoid(-log_ratio) * candidate
