"""Generating token sequences from any encoder-decoder model, greedily or by beam search.

The model is a Flax module with two methods: ``encode(*inputs) -> (memory, carry)`` (what the
decoder attends to or starts from, and its first carry; every leaf with ``batch`` rows) and
``decode(memory, tokens [batch, time], carry) -> (logits [batch, time, vocab], carry)``.
``seqjax.models.Translator`` (a source sentence) and ``seqjax.models.Captioner`` (an image)
are two.
"""

from __future__ import annotations

import functools
from typing import Any

import flax.linen as linen
import jax

from seqjax.models import decoding


def decoder_step_function(model: linen.Module, params: Any, memory: Any) -> decoding.StepFunction:
    """``step(carry, tokens [n]) -> (log_probs [n, vocab], carry)`` for ``seqjax.models.decoding``:
    the decoder fed one token per row (``memory`` has the same ``n`` rows)."""

    def step(carry: Any, tokens: jax.Array) -> tuple[jax.Array, Any]:
        logits, carry = model.apply(params, memory, tokens[:, None], carry, method="decode")
        return jax.nn.log_softmax(logits[:, 0]), carry

    return step


@functools.partial(jax.jit, static_argnames=("model", "max_length", "beam_width", "alpha", "start_id", "end_id"))
def generate_sequences(
    model: linen.Module, params: Any, inputs: tuple, *, max_length: int, start_id: int, end_id: int,
    beam_width: int = 1, alpha: float = 0.0,
) -> jax.Array:
    """Token ids ``[batch, max_length]`` for ``model.encode(*inputs)``, padded with 0 after the first
    ``end_id``: greedy decoding when ``beam_width == 1`` (``alpha`` unused), else beam search with
    GNMT length penalty ``alpha`` (see ``seqjax.models.decoding``)."""
    memory, carry = model.apply(params, *inputs, method="encode")
    batch = jax.tree.leaves(inputs)[0].shape[0]
    if beam_width == 1:
        step = decoder_step_function(model, params, memory)
        return decoding.greedy_decode(step, carry, batch, max_length, start_id=start_id, end_id=end_id)
    step = decoder_step_function(model, params, decoding.repeat_rows(memory, beam_width))
    tokens, _ = decoding.beam_search(
        step, decoding.repeat_rows(carry, beam_width), batch, max_length,
        beam_width=beam_width, alpha=alpha, start_id=start_id, end_id=end_id,
    )
    return tokens
