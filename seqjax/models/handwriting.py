"""Handwriting prediction (Graves 2013, section 4): stacked recurrent layers with skip
connections from the input to every layer and from every layer to a mixture density output."""

from __future__ import annotations

import functools
from typing import Any

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax.models import mixture_density
from seqjax.models.language_model import CellName, recurrent_layer


class HandwritingModel(linen.Module):
    """Call: ``(points [batch, time, 3], lengths [batch] | None, carries (one per layer) | None)``
    returns ``(mixture, carries)``: a ``mixture_density.Mixture`` ``[batch, time]`` for the
    point after each input point. Layer ``l > 1`` reads the input points and layer ``l - 1``'s
    outputs; the output layer reads every layer's outputs.

    Attributes:
      hidden_size, num_layers: each layer's width, and how many.
      num_components: Gaussians in the mixture.
      cell: ``"lstm"`` (or ``"gru"``, ``"rnn"``).
    """

    hidden_size: int = 256
    num_layers: int = 3
    num_components: int = 20
    cell: CellName = "lstm"

    def zero_carries(self, batch: int) -> tuple[Any, ...]:
        cell = recurrent_layer(self.cell, self.hidden_size, parent=None).make_cell()
        return tuple(cell.zero_carry(self.hidden_size, (batch,)) for _ in range(self.num_layers))

    @linen.compact
    def __call__(
        self, points: jax.Array, lengths: jax.Array | None = None, carries: tuple[Any, ...] | None = None
    ) -> tuple[mixture_density.Mixture, tuple[Any, ...]]:
        carries = carries or (None,) * self.num_layers
        outputs, finals = [], []
        for index in range(self.num_layers):
            layer_inputs = points if index == 0 else jnp.concatenate([points, outputs[-1]], axis=-1)
            layer = recurrent_layer(self.cell, self.hidden_size, name=f"layer_{index}")
            out, final = layer(layer_inputs, lengths, carries[index])
            outputs.append(out)
            finals.append(final)
        head = mixture_density.MixtureDensityHead(self.num_components, name="head")
        return head(jnp.concatenate(outputs, axis=-1)), tuple(finals)


@functools.partial(jax.jit, static_argnames=("model", "length", "bias"))
def sample_strokes(
    model: HandwritingModel, params: Any, prime: jax.Array, key: jax.Array, *, length: int, bias: float = 0.0
) -> jax.Array:
    """``length`` points ``[length, 3]`` drawn one at a time after the points ``prime [P, 3]`` (P >= 1;
    a single ``(0, 0, 1)`` starts from nothing); ``bias`` as in ``mixture_density.sample``."""
    mixture, carries = model.apply(params, prime[None], None, model.zero_carries(1))
    last = jax.tree.map(lambda x: x[:, -1], mixture)

    def step(state: tuple[mixture_density.Mixture, Any], key: jax.Array):
        mixture, carries = state
        point = mixture_density.sample(mixture, key, bias)  # [1, 3]
        mixture, carries = model.apply(params, point[:, None], None, carries)
        return (jax.tree.map(lambda x: x[:, 0], mixture), carries), point[0]

    _, points = jax.lax.scan(step, (last, carries), jax.random.split(key, length))
    return points
