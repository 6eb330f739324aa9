"""Attention of decoder states over an encoded source sequence (Luong et al. 2015; Bahdanau et al. 2015)."""

from __future__ import annotations

from typing import NamedTuple

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax.choices import SCORES, ScoreName
from seqjax.core import bad_argument, real_steps
from seqjax.nn.dense import Dense


class Memory(NamedTuple):
    """An encoded source sequence, ready to be attended to.

    Fields:
      values: the encoder's outputs ``[batch, source_time, value]``; contexts are their weighted sums.
      keys: the values projected once for scoring, ``[batch, source_time, key]``.
      lengths: real source steps ``[batch]``; steps at or past them get weight 0.
    """

    values: jax.Array
    keys: jax.Array
    lengths: jax.Array


class CrossAttention(linen.Module):
    """Scores every source step for every query, softmax over the real source steps, and returns
    ``(contexts [batch, time, value], weights [batch, time, source_time])``.

    Scores of a query ``q`` (a decoder state ``[query_size]``) and a value ``v``:
    ``"general"`` ``q · W v`` (Luong), ``"dot"`` ``q · v`` (needs equal sizes),
    ``"additive"`` ``u · tanh(A q + W v)`` (Bahdanau). ``memory(values, lengths)`` computes the
    ``W v`` part once per source sentence; ``__call__(queries, memory)`` scores any number of
    queries against it (all target steps in training, one at a time in decoding). The weights
    are also sown as ``intermediates/.../attention_weights``.

    Attributes:
      query_size: width of the queries (for ``"general"``, the keys' width).
      score: ``"general"``, ``"dot"`` or ``"additive"``.
      attention_size: hidden width of the additive score.
    """

    query_size: int
    score: ScoreName = "general"
    attention_size: int = 128

    def setup(self) -> None:
        if self.score not in SCORES:
            raise bad_argument("score", f"one of {SCORES}", repr(self.score))
        if self.score == "general":
            self.key_projection = Dense(self.query_size, use_bias=False)
        elif self.score == "additive":
            self.key_projection = Dense(self.attention_size)
            self.query_projection = Dense(self.attention_size, use_bias=False)
            self.score_vector = Dense(1, use_bias=False)

    def memory(self, values: jax.Array, lengths: jax.Array) -> Memory:
        """``values [batch, source_time, value]`` with their keys."""
        if self.score == "dot":
            if values.shape[-1] != self.query_size:
                raise bad_argument("values", f"width {self.query_size} (dot score: the query size)",
                                   str(values.shape[-1]))
            return Memory(values, values, lengths)
        return Memory(values, self.key_projection(values), lengths)

    def __call__(self, queries: jax.Array, memory: Memory) -> tuple[jax.Array, jax.Array]:
        if self.score == "additive":
            hidden = jnp.tanh(self.query_projection(queries)[:, :, None] + memory.keys[:, None])
            scores = self.score_vector(hidden)[..., 0]
        else:
            scores = jnp.einsum("btq,bsq->bts", queries, memory.keys)
        source_steps = real_steps(memory.lengths, *memory.values.shape[:2])
        weights = jax.nn.softmax(jnp.where(source_steps[:, None], scores, -jnp.inf), axis=-1)
        self.sow("intermediates", "attention_weights", weights)
        return jnp.einsum("bts,bsv->btv", weights, memory.values), weights


def attentional_states(attention: CrossAttention, combine: Dense, states: jax.Array, memory: Memory) -> jax.Array:
    """Luong's attentional states ``h̃_t = tanh(W_c [context_t; h_t])`` ``[batch, time, combine
    width]`` for decoder ``states [batch, time, query]`` (``combine``: ``W_c``, without bias)."""
    contexts, _ = attention(states, memory)
    return jnp.tanh(combine(jnp.concatenate([contexts, states], axis=-1)))
