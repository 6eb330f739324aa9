"""Truncated backpropagation through time: carry the state forward, backpropagate ``k`` steps.

Two ways to use it:

- **A stream, one chunk per train step** (char-rnn): the train step receives a chunk of
  ``k`` steps and the carry the previous chunk ended with (``TrainState.carry``). The carry
  enters the step as data, so no gradient crosses a chunk boundary. Rows of the carry are
  reset to zero where ``batch["reset"]`` says a new document starts (``reset_carry``).
- **A long sequence in one loss** (``run_in_chunks``): the sequence is cut into chunks of
  ``k`` steps run one after another by ``lax.scan``; the carry passes on its value but not
  its gradient (``stop_gradient``), so the outputs equal a full unroll's while the gradient
  of a step's output only reaches the inputs of its own chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from seqjax.core import bad_argument

Carry = Any
ChunkFn = Callable[[jax.Array, Carry], tuple[jax.Array, Carry]]


def reset_carry(carry: Carry, reset: jax.Array) -> Carry:
    """Zeros the rows of ``carry`` (arrays ``[batch, ...]``) where ``reset [batch]`` is true."""
    reset = jnp.asarray(reset, bool)

    def zero_where_reset(leaf: jax.Array) -> jax.Array:
        return jnp.where(reset.reshape((-1,) + (1,) * (leaf.ndim - 1)), jnp.zeros_like(leaf), leaf)

    return jax.tree.map(zero_where_reset, carry)


def run_in_chunks(fn: ChunkFn, inputs: jax.Array, carry: Carry, chunk_length: int) -> tuple[jax.Array, Carry]:
    """Runs ``fn`` over ``inputs`` chunk by chunk with truncated gradients.

    Args:
      fn: ``(inputs [batch, chunk_length, ...], carry) -> (outputs [batch, chunk_length, ...],
        carry)``, e.g. ``lambda x, c: core.run(cell, params, x, initial_carry=c)``.
      inputs: ``[batch, time, ...]`` with ``time`` a multiple of ``chunk_length``.
      carry: the carry before the first step.
      chunk_length: ``k``, the steps a gradient may travel back.

    Returns:
      ``(outputs [batch, time, ...], final carry)``; the outputs equal ``fn`` run over the
      whole sequence, and the gradient of the output at step ``t`` with respect to the
      inputs before ``t``'s chunk, and to ``carry``, is zero.
    """
    if not isinstance(chunk_length, int) or chunk_length < 1:
        raise bad_argument("chunk_length", "a positive int", repr(chunk_length))
    batch, time = inputs.shape[:2]
    if time % chunk_length:
        raise bad_argument(
            "inputs", f"a time axis that is a multiple of chunk_length={chunk_length}", f"shape {inputs.shape}"
        )
    chunks = jnp.moveaxis(inputs.reshape(batch, time // chunk_length, chunk_length, *inputs.shape[2:]), 1, 0)

    def body(carry: Carry, chunk: jax.Array) -> tuple[Carry, jax.Array]:
        outputs, carry = fn(chunk, jax.lax.stop_gradient(carry))
        return carry, outputs

    final, outputs = jax.lax.scan(body, carry, chunks)  # outputs [chunks, batch, k, ...]
    return jnp.moveaxis(outputs, 0, 1).reshape(batch, time, *outputs.shape[3:]), final
