"""minGRU (Feng et al. 2024, "Were RNNs all we needed?"): a GRU whose gates do not read ``h_{t-1}``."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.projection import gate_projections
from seqjax.core.cell import LinearRecurrentCell, ProjectionParams, init_projection

UPDATE_GATE, CANDIDATE = range(2)


def positive_candidate(x: jax.Array) -> jax.Array:
    """The paper's ``g``: ``x + 1/2`` for ``x >= 0``, ``sigmoid(x)`` below; positive and continuous."""
    return jnp.where(x >= 0, x + 0.5, jax.nn.sigmoid(x))


@dataclasses.dataclass(frozen=True)
class MinGRUCell(LinearRecurrentCell):
    """``h_t = u_t * h_{t-1} + (1 - u_t) * g_t``, with (gate order u, candidate)::

        u_t = sigmoid(V_u x_t + b_u)        # the paper's z_t is 1 - u_t
        g_t = V_g x_t + b_g                 # log_space=False (the paper's sequential form)
        g_t = positive_candidate(V_g x_t + b_g)   # log_space=True (its log-space form)

    As in seqjax's GRU, ``u`` near 1 keeps the state, and its bias ``b[:hidden]`` starts at
    ``update_bias`` (1.0). The paper's log-space form makes the candidate positive so that
    its cumulative-product scan can run on logarithms; seqjax's associative scan never
    divides by a cumulative product, so both forms run by the same scan, stable in float32.

    Parameters (``ProjectionParams``): ``input_kernel [input, 2 * hidden]``, ``bias
    [2 * hidden]``; ``2 * hidden * (input + 1)`` in all. Carry and output: ``h [batch, hidden]``.
    """

    log_space: bool = False
    num_gates = 2

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        update_bias: float = 1.0,
        input_init: initializers.Initializer = initializers.lecun_normal,
        dtype: jnp.dtype = jnp.float32,
    ) -> ProjectionParams:
        """Draws each gate block of ``V`` by ``input_init``; biases zero but the update gate's."""
        return init_projection(key, input_size, hidden_size, 2, {UPDATE_GATE: update_bias}, input_init, dtype)

    def coefficients(self, params: ProjectionParams, inputs: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``(u [..., hidden], (1 - u) * g [..., hidden])`` from ``inputs [..., input]``."""
        update, candidate = gate_projections(inputs, params.input_kernel, params.bias, 2)
        if self.log_space:
            candidate = positive_candidate(candidate)
        return jax.nn.sigmoid(update), jax.nn.sigmoid(-update) * candidate
