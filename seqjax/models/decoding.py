"""Decoding a sequence from a step-by-step model: greedy and beam search with a length penalty.

Both work with any ``step(state, tokens [n]) -> (log_probs [n, vocab], state)`` whose state is
a pytree of arrays with ``n`` leading rows, and both run ``max_length`` steps inside one
``jax.lax.scan`` (jit them with ``max_length`` static). A sequence ends with its first
``end_id``; positions after it hold ``pad_id``.

Beam search keeps, for each sentence, the ``beam_width`` best unfinished hypotheses
(ranked by log-probability) and the ``beam_width`` best finished ones (ranked by
log-probability divided by the GNMT length penalty ``((5 + length) / 6) ** alpha``, Wu et al.
2016, the length counting the end token). Each step expands every unfinished hypothesis by
every token and keeps the best ``2 * beam_width`` candidates, so that ``beam_width`` of them
can still be unfinished. With ``beam_width=1`` and ``alpha=0`` it is greedy decoding, except
where greedy decoding does not end within ``max_length``: beam search then prefers a finished
hypothesis (one that ended where the end token was second best) to an unfinished one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from seqjax.core import bad_argument

StepFunction = Callable[[Any, jax.Array], tuple[jax.Array, Any]]


def greedy_decode(
    step: StepFunction, state: Any, batch: int, max_length: int, *, start_id: int, end_id: int, pad_id: int = 0
) -> jax.Array:
    """``[batch, max_length]``: the most likely next token at each step, from ``start_id``."""

    def one_step(carry: tuple[Any, jax.Array, jax.Array], _: None) -> tuple[tuple[Any, jax.Array, jax.Array], jax.Array]:
        state, previous, ended = carry
        log_probs, state = step(state, previous)
        token = jnp.argmax(log_probs, axis=-1)
        emitted = jnp.where(ended, pad_id, token)
        return (state, token, ended | (token == end_id)), emitted

    start = jnp.full((batch,), start_id, jnp.int32)
    _, tokens = jax.lax.scan(one_step, (state, start, jnp.zeros((batch,), bool)), None, length=max_length)
    return tokens.T


def length_penalty(length: jax.Array, alpha: float) -> jax.Array:
    """GNMT's ``((5 + length) / 6) ** alpha`` (1 when ``alpha == 0``)."""
    return ((5.0 + length) / 6.0) ** alpha


def repeat_rows(tree: Any, times: int) -> Any:
    """Every leaf's rows repeated ``times`` times in place: ``[n, ...] -> [n * times, ...]`` (beam layout)."""
    return jax.tree.map(lambda leaf: jnp.repeat(leaf, times, axis=0), tree)


def beam_search(
    step: StepFunction,
    state: Any,
    batch: int,
    max_length: int,
    *,
    beam_width: int,
    alpha: float,
    start_id: int,
    end_id: int,
    pad_id: int = 0,
) -> tuple[jax.Array, jax.Array]:
    """``(tokens [batch, max_length], scores [batch])``: each sentence's best hypothesis and its
    length-normalised log-probability. ``state`` has ``batch * beam_width`` rows, sentence ``b``'s
    beams in rows ``b * beam_width ...`` (``repeat_rows`` makes it from a per-sentence state).
    A sentence with no hypothesis ended within ``max_length`` steps gets its best unfinished one."""
    if beam_width < 1:
        raise bad_argument("beam_width", "at least 1", str(beam_width))
    if alpha < 0:
        raise bad_argument("alpha", "a length-penalty exponent >= 0", str(alpha))
    width = beam_width
    sentence_rows = jnp.arange(batch)[:, None]

    def one_step(carry: dict[str, Any], position: jax.Array) -> tuple[dict[str, Any], None]:
        log_probs, state = step(carry["state"], carry["last"].reshape(-1))
        vocab = log_probs.shape[-1]
        candidates = (carry["alive_scores"][:, :, None] + log_probs.reshape(batch, width, vocab)).reshape(batch, -1)
        scores, flat = jax.lax.top_k(candidates, 2 * width)  # [batch, 2 * width]
        parents, tokens = flat // vocab, flat % vocab
        sequences = carry["alive_tokens"][sentence_rows, parents].at[:, :, position].set(tokens)
        ended = tokens == end_id

        normalised = jnp.where(ended, scores / length_penalty(position + 1.0, alpha), -jnp.inf)
        pooled_scores = jnp.concatenate([carry["finished_scores"], normalised], axis=1)
        pooled_tokens = jnp.concatenate([carry["finished_tokens"], sequences], axis=1)
        finished_scores, kept = jax.lax.top_k(pooled_scores, width)

        alive_scores, alive = jax.lax.top_k(jnp.where(ended, -jnp.inf, scores), width)
        beam_rows = (sentence_rows * width + parents[sentence_rows, alive]).reshape(-1)
        return {
            "state": jax.tree.map(lambda leaf: leaf[beam_rows], state),
            "last": tokens[sentence_rows, alive],
            "alive_scores": alive_scores,
            "alive_tokens": sequences[sentence_rows, alive],
            "finished_scores": finished_scores,
            "finished_tokens": pooled_tokens[sentence_rows, kept],
        }, None

    first_scores = jnp.where(jnp.arange(width) == 0, 0.0, -jnp.inf)
    empty = jnp.full((batch, width, max_length), pad_id, jnp.int32)
    carry = {
        "state": state,
        "last": jnp.full((batch, width), start_id, jnp.int32),
        "alive_scores": jnp.broadcast_to(first_scores, (batch, width)),
        "alive_tokens": empty,
        "finished_scores": jnp.full((batch, width), -jnp.inf),
        "finished_tokens": empty,
    }
    carry, _ = jax.lax.scan(one_step, carry, jnp.arange(max_length))
    any_finished = carry["finished_scores"][:, 0] > -jnp.inf
    unfinished_scores = carry["alive_scores"][:, 0] / length_penalty(float(max_length), alpha)
    tokens = jnp.where(any_finished[:, None], carry["finished_tokens"][:, 0], carry["alive_tokens"][:, 0])
    return tokens, jnp.where(any_finished, carry["finished_scores"][:, 0], unfinished_scores)
