"""Both directions of a sequence, each with its own layer, merged per step."""

from __future__ import annotations

from typing import Any

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import core
from seqjax.nn.recurrent import RecurrentLayer


class Bidirectional(linen.Module):
    """Runs ``forward_layer`` left to right and ``backward_layer`` right to left.

    With ``lengths`` the backward layer starts at each sequence's own last real step (not
    at the padding), so both directions see exactly the real steps. Two ``RecurrentLayer``s
    that differ only in their initialisers (the same class, cell, size, options and dtype)
    run as one loop batched over the direction (``seqjax.core.run_both_directions``); the
    parameters stay where each layer keeps them.

    Call: ``(inputs [batch, time, input], lengths [batch] | None, initial_carry
    (forward, backward) | None)`` returns ``(outputs [batch, time, forward_hidden +
    backward_hidden], (forward final carry, backward final carry))``; the backward
    final carry is the state after step 0, i.e. after reading the whole sequence.
    """

    forward_layer: linen.Module
    backward_layer: linen.Module

    @linen.compact
    def __call__(
        self,
        inputs: jax.Array,
        lengths: jax.Array | None = None,
        initial_carry: tuple[Any, Any] | None = None,
    ) -> tuple[jax.Array, tuple[Any, Any]]:
        forward_carry, backward_carry = (None, None) if initial_carry is None else initial_carry
        if _same_run(self.forward_layer, self.backward_layer):
            input_size = jnp.shape(inputs)[-1]
            layer = self.forward_layer
            (forward_outputs, backward_outputs), (forward_final, backward_final) = core.run_both_directions(
                layer.make_cell(), layer.cell_params(input_size), self.backward_layer.cell_params(input_size), inputs,
                initial_carries=(forward_carry, backward_carry), lengths=lengths, options=layer.options,
            )
        else:
            forward_outputs, forward_final = self.forward_layer(inputs, lengths, forward_carry)
            backward_outputs, backward_final = self.backward_layer(inputs, lengths, backward_carry, reverse=True)
        return jnp.concatenate([forward_outputs, backward_outputs], axis=-1), (forward_final, backward_final)


def _same_run(forward_layer: linen.Module, backward_layer: linen.Module) -> bool:
    """Whether the two layers run the same computation on parameters of the same shapes."""
    return (isinstance(forward_layer, RecurrentLayer) and type(forward_layer) is type(backward_layer)
            and forward_layer.make_cell() == backward_layer.make_cell()
            and (forward_layer.hidden_size, forward_layer.options, forward_layer.param_dtype)
            == (backward_layer.hidden_size, backward_layer.options, backward_layer.param_dtype))
