"""Both directions of a sequence, each with its own layer, merged per step."""

from __future__ import annotations

from typing import Any

import flax.linen as linen
import jax
import jax.numpy as jnp


class Bidirectional(linen.Module):
    """Runs ``forward_layer`` left to right and ``backward_layer`` right to left.

    With ``lengths`` the backward layer starts at each sequence's own last real step (not
    at the padding), so both directions see exactly the real steps.

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
        forward_outputs, forward_final = self.forward_layer(inputs, lengths, forward_carry)
        backward_outputs, backward_final = self.backward_layer(inputs, lengths, backward_carry, reverse=True)
        return jnp.concatenate([forward_outputs, backward_outputs], axis=-1), (forward_final, backward_final)
