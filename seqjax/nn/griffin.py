"""Griffin's residual block (De et al. 2024): a gated RG-LRU branch with a short causal
convolution, then a gated MLP, each behind an RMSNorm and a residual connection."""

from __future__ import annotations

from typing import NamedTuple

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import core
from seqjax.core import bad_argument
from seqjax.core.lengths import reverse_within_lengths
from seqjax.nn.dense import Dense


class RMSNorm(linen.Module):
    """``x / sqrt(mean(x²) + epsilon) * scale`` over the last axis; ``scale [features]`` starts at 1."""

    epsilon: float = 1e-6

    @linen.compact
    def __call__(self, inputs: jax.Array) -> jax.Array:
        scale = self.param("scale", linen.initializers.ones, (inputs.shape[-1],))
        return inputs * jax.lax.rsqrt(jnp.mean(jnp.square(inputs), -1, keepdims=True) + self.epsilon) * scale


class GriffinState(NamedTuple):
    """The carry of a ``GriffinBlock``: ``convolution [batch, conv_width - 1, recurrent]``, the
    convolution's last inputs, and ``recurrence [batch, recurrent]``, the RG-LRU's state."""

    convolution: jax.Array
    recurrence: jax.Array


class CausalConvolution(linen.Module):
    """A depthwise causal convolution over time: ``y_t = Σ_k w_k * x_{t-k} + bias``, ``k < width``.

    Call: ``(inputs [batch, time, features], lengths [batch] | None, previous [batch, width - 1,
    features])`` returns ``(outputs [batch, time, features], the last width - 1 real inputs)``.
    """

    width: int = 4

    @linen.compact
    def __call__(
        self, inputs: jax.Array, lengths: jax.Array | None, previous: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        features = inputs.shape[-1]
        kernel = self.param("kernel", linen.initializers.lecun_normal(), (self.width, features))
        bias = self.param("bias", linen.initializers.zeros, (features,))
        extended = jnp.concatenate([previous, inputs], axis=1)  # [batch, width - 1 + time, features]
        time = inputs.shape[1]
        outputs = bias + sum(extended[:, k : k + time] * kernel[self.width - 1 - k] for k in range(self.width))
        ends = jnp.full((inputs.shape[0],), time) if lengths is None else lengths
        last = ends[:, None] + jnp.arange(self.width - 1)[None, :]  # positions in `extended`
        return outputs, jnp.take_along_axis(extended, last[..., None], axis=1)


class GriffinBlock(linen.Module):
    """``y = x + W_o(GeLU(W_g n) * RG-LRU(conv(W_r n)))``, ``n = RMSNorm(x)``; then
    ``z = y + W_d(GeLU(W_a m) * W_b m)``, ``m = RMSNorm(y)`` (Griffin's recurrent block and MLP block).

    Call: ``(inputs [batch, time, hidden_size], lengths [batch] | None, initial_carry
    (GriffinState) | None, *, reverse=False)`` returns ``(outputs [batch, time, hidden_size],
    GriffinState)``, like a ``RecurrentLayer``, so that blocks stack with ``nn.stack`` and carry
    their state across chunks (truncated BPTT). Outputs past a sequence's end are zero.

    Attributes:
      hidden_size: the block's width ``D`` (inputs and outputs: the residual path).
      recurrent_size: the width of the RG-LRU branch (``hidden_size`` when 0; Griffin uses 4D/3).
      conv_width: taps of the causal convolution (4, as in Griffin).
      mlp_expansion: the gated MLP's hidden width over ``D`` (3, as in Griffin).
      options: ``core.RunOptions`` of the RG-LRU's scan.
    """

    hidden_size: int
    recurrent_size: int = 0
    conv_width: int = 4
    mlp_expansion: int = 3
    options: core.RunOptions = core.RunOptions()

    @property
    def recurrent_width(self) -> int:
        return self.recurrent_size or self.hidden_size

    def zero_carry(self, batch: int) -> GriffinState:
        """Zeros: no inputs before the first step and a zero RG-LRU state."""
        width = self.recurrent_width
        return GriffinState(jnp.zeros((batch, self.conv_width - 1, width)), jnp.zeros((batch, width)))

    def carry_from_hidden(self, hidden: jax.Array) -> GriffinState:
        """The RG-LRU state ``hidden [batch, recurrent]``, no convolution inputs."""
        return self.zero_carry(hidden.shape[0])._replace(recurrence=hidden)

    @linen.compact
    def __call__(
        self,
        inputs: jax.Array,
        lengths: jax.Array | None = None,
        initial_carry: GriffinState | None = None,
        *,
        reverse: bool = False,
    ) -> tuple[jax.Array, GriffinState]:
        if inputs.ndim != 3 or inputs.shape[-1] != self.hidden_size:
            raise bad_argument("inputs", f"[batch, time, {self.hidden_size}] (the block's width)", f"shape {inputs.shape}")
        if reverse:
            inputs = reverse_within_lengths(inputs, lengths)
        carry = self.zero_carry(inputs.shape[0]) if initial_carry is None else initial_carry
        width = self.recurrent_width
        normed = RMSNorm(name="recurrent_norm")(inputs)
        gate = jax.nn.gelu(Dense(width, name="gate")(normed))
        convolved, convolution = CausalConvolution(self.conv_width, name="convolution")(
            Dense(width, name="recurrent_in")(normed), lengths, carry.convolution
        )
        cell = core.RGLRUCell()
        params = self.param("cell", lambda key: cell.init(key, width, width))
        recurrent, recurrence = core.run(
            cell, params, convolved, initial_carry=carry.recurrence, lengths=lengths, options=self.options
        )
        hidden = inputs + Dense(self.hidden_size, name="recurrent_out")(recurrent * gate)
        normed = RMSNorm(name="mlp_norm")(hidden)
        expanded = self.mlp_expansion * self.hidden_size
        mlp = jax.nn.gelu(Dense(expanded, name="mlp_gate")(normed)) * Dense(expanded, name="mlp_in")(normed)
        outputs = hidden + Dense(self.hidden_size, name="mlp_out")(mlp)
        if lengths is not None:
            outputs = jnp.where(core.real_steps(lengths, *inputs.shape[:2])[..., None], outputs, 0.0)
        if reverse:
            outputs = reverse_within_lengths(outputs, lengths)
        return outputs, GriffinState(convolution, recurrence)
