"""Sampling text from a trained language model, primed with any text."""

from __future__ import annotations

import functools
import math
from typing import Any

import jax
import jax.numpy as jnp

from seqjax import data, models
from seqjax.core import bad_argument


def choose_next(logits: jax.Array, key: jax.Array, temperature: float, top_k: int) -> jax.Array:
    """Next tokens ``[batch]`` from ``logits [batch, vocab]``.

    ``temperature == 0`` is greedy (argmax); otherwise sample from
    ``softmax(logits / temperature)`` restricted to the ``top_k`` most likely tokens
    (all of them when ``top_k == 0``).
    """
    if temperature == 0.0:
        return jnp.argmax(logits, axis=-1)
    if top_k:
        kth = jax.lax.top_k(logits, top_k)[0][..., -1:]
        logits = jnp.where(logits < kth, -jnp.inf, logits)
    return jax.random.categorical(key, logits / temperature, axis=-1)


def choose_next_frame(logits: jax.Array, key: jax.Array, temperature: float) -> jax.Array:
    """Next multi-hot frames ``[batch, vocab]`` float from independent Bernoulli ``logits [batch,
    vocab]``: each token on with probability ``sigmoid(logits / temperature)``, or where
    ``logits > 0`` when ``temperature == 0``."""
    if temperature == 0.0:
        return (logits > 0).astype(jnp.float32)
    return jax.random.bernoulli(key, jax.nn.sigmoid(logits / temperature)).astype(jnp.float32)


@functools.partial(jax.jit, static_argnames=("model", "length", "temperature", "top_k"))
def generate(
    model: models.LanguageModel, params: Any, prime: jax.Array, key: jax.Array, *,
    length: int, temperature: float, top_k: int = 0,
) -> jax.Array:
    """``length`` token ids ``[length]`` that follow the ids ``prime [P]`` (P >= 1), or, for a
    multi-hot prime ``[P, vocab]``, ``length`` frames ``[length, vocab]`` (``choose_next_frame``;
    ``top_k`` unused)."""
    logits, carries = model.apply(params, prime[None], None, model.zero_carries(1))

    def step(state: tuple[jax.Array, Any], key: jax.Array) -> tuple[tuple[jax.Array, Any], jax.Array]:
        last_logits, carries = state
        if prime.ndim == 2:
            token = choose_next_frame(last_logits, key, temperature)  # [1, vocab]
        else:
            token = choose_next(last_logits, key, temperature, top_k)  # [1]
        logits, carries = model.apply(params, token[:, None], None, carries)
        return (logits[:, -1], carries), token[0]

    _, tokens = jax.lax.scan(step, (logits[:, -1], carries), jax.random.split(key, length))
    return tokens


def check_sampling_options(vocabulary: data.Vocabulary, prime: str | None, length: int, *, temperature: float,
                           top_k: int) -> None:
    """Raises an ``ArgumentError`` naming the first bad option of ``sample_text`` (``prime=None``:
    not checked)."""
    if prime is None:
        pass
    elif not prime:
        raise bad_argument("prime", "at least one token of text to start from", "an empty string")
    elif unknown := vocabulary.unknown(prime):
        raise bad_argument("prime", f"text in the {vocabulary.size}-token vocabulary",
                           f"{prime!r}, whose {', '.join(map(repr, unknown))} are not in it")
    if not (isinstance(length, int) and length >= 0):
        raise bad_argument("length", "an int >= 0", repr(length))
    if not (math.isfinite(temperature) and temperature >= 0):
        raise bad_argument("temperature", "a finite number >= 0 (0: greedy)", repr(temperature))
    if not (isinstance(top_k, int) and 0 <= top_k <= vocabulary.size):
        raise bad_argument("top_k", f"an int in [0, {vocabulary.size}] (the vocabulary's size; 0: all)", repr(top_k))


def sample_text(
    model: models.LanguageModel, params: Any, vocabulary: data.Vocabulary, prime: str, length: int, *,
    temperature: float = 1.0, top_k: int = 0, seed: int = 0,
) -> str:
    """``prime`` followed by ``length`` sampled tokens; the same seed gives the same text."""
    check_sampling_options(vocabulary, prime, length, temperature=temperature, top_k=top_k)
    ids = jnp.asarray(vocabulary.encode(prime))
    tokens = generate(model, params, ids, jax.random.key(seed), length=length,
                      temperature=float(temperature), top_k=int(top_k))
    return vocabulary.decode(list(vocabulary.encode(prime)) + [int(t) for t in tokens])
