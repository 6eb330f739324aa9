"""Layers stacked on top of each other, with dropout and residual connections between them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flax.linen as linen
import jax

from seqjax.core import bad_argument
from seqjax.nn.dropout import checked_dropout


class Stacked(linen.Module):
    """Runs ``layers`` in order, each on the outputs of the one below.

    Each layer is called as ``layer(inputs, lengths, initial_carry)`` and returns
    ``(outputs, final_carry)``: any ``RecurrentLayer`` or ``Bidirectional``.

    Attributes:
      layers: the layers, bottom first (``stack`` builds them from one prototype).
      dropout_rate: dropout applied to the inputs of every layer but the first (between
        layers, as in PyTorch's ``nn.LSTM(dropout=...)``); active when ``deterministic``
        is False, with the ``"dropout"`` rng.
      residual: add each layer's inputs to its outputs, from the second layer on
        (``y_l = layer_l(y_{l-1}) + y_{l-1}``); needs equal widths.

    Call: ``(inputs [batch, time, input], lengths [batch] | None, initial_carries
    (one per layer) | None, *, deterministic=True)`` returns ``(outputs [batch, time,
    hidden], final carries, a tuple with one per layer)``.
    """

    layers: Sequence[linen.Module]
    dropout_rate: float = 0.0
    residual: bool = False

    @linen.compact
    def __call__(
        self,
        inputs: jax.Array,
        lengths: jax.Array | None = None,
        initial_carries: Sequence[Any] | None = None,
        *,
        deterministic: bool = True,
    ) -> tuple[jax.Array, tuple[Any, ...]]:
        if initial_carries is not None and len(initial_carries) != len(self.layers):
            raise bad_argument(
                "initial_carries", f"{len(self.layers)} carries, one per layer", f"{len(initial_carries)}"
            )
        outputs, carries = inputs, []
        for index, layer in enumerate(self.layers):
            layer_inputs = outputs
            if index > 0 and self.dropout_rate != 0.0:  # a bad rate reaches the check
                layer_inputs = checked_dropout(self.dropout_rate)(layer_inputs, deterministic=deterministic)
            carry = None if initial_carries is None else initial_carries[index]
            outputs, final = layer(layer_inputs, lengths, carry)
            if self.residual and index > 0:
                if outputs.shape != layer_inputs.shape:
                    raise bad_argument(
                        f"layers[{index}]", f"output shape {layer_inputs.shape} for a residual connection",
                        f"{outputs.shape}",
                    )
                outputs = outputs + layer_inputs
            carries.append(final)
        return outputs, tuple(carries)


def stack(layer: linen.Module, num_layers: int, *, dropout_rate: float = 0.0, residual: bool = False) -> Stacked:
    """``num_layers`` copies of ``layer`` (each with its own parameters) in a ``Stacked``."""
    if not isinstance(num_layers, int) or num_layers < 1:
        raise bad_argument("num_layers", "a positive int", repr(num_layers))
    return Stacked(
        layers=tuple(layer.clone() for _ in range(num_layers)), dropout_rate=dropout_rate, residual=residual
    )
