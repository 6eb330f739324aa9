"""Greedy decoding and beam search against explicit references on a toy model whose next-token
distribution depends on the history through its state: a numpy greedy loop, and the exhaustive
search over every sequence for the best length-normalised score."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax.models import decoding

PAD, START, END, VOCAB = 0, 1, 2, 5


def _toy(seed):
    """``step(state, tokens)``: log-softmax of ``table[previous] + bonus[sum of the history mod 3]``."""
    rng = np.random.default_rng(seed)
    table, bonus = rng.normal(size=(VOCAB, VOCAB)) * 1.5, rng.normal(size=(3, VOCAB))

    def log_probs(previous, history_sum):
        return jax.nn.log_softmax(jnp.asarray(table)[previous] + jnp.asarray(bonus)[history_sum % 3])

    def step(state, tokens):
        history_sum = state + tokens
        return log_probs(tokens, history_sum), history_sum

    return step, log_probs


def _sequence_log_prob(log_probs, sequence):
    previous, history_sum, total = START, 0, 0.0
    for token in sequence:
        history_sum += previous
        total += float(log_probs(jnp.array([previous]), jnp.array([history_sum]))[0, token])
        previous = token
    return total


def _exhaustive_best(log_probs, max_length, alpha):
    """The sequence ending in END within ``max_length`` tokens with the best normalised score."""
    best, best_score = None, -np.inf
    for length in range(1, max_length + 1):
        for body in itertools.product([t for t in range(VOCAB) if t != END], repeat=length - 1):
            sequence = (*body, END)
            score = _sequence_log_prob(log_probs, sequence) / ((5 + length) / 6) ** alpha
            if score > best_score:
                best, best_score = sequence, score
    return list(best), best_score


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_greedy_decoding_follows_the_argmax_and_pads_after_the_end(seed):
    step, log_probs = _toy(seed)
    tokens = decoding.greedy_decode(step, jnp.zeros(1, jnp.int32), 1, 8, start_id=START, end_id=END)
    previous, history_sum, expected = START, 0, []
    while len(expected) < 8:
        history_sum += previous
        previous = int(np.argmax(log_probs(jnp.array([previous]), jnp.array([history_sum]))[0]))
        expected.append(previous)
        if previous == END:
            break
    assert tokens[0].tolist() == expected + [PAD] * (8 - len(expected))


@pytest.mark.parametrize("seed,alpha", [(0, 0.0), (1, 0.6), (2, 2.0), (3, 1.0)])
def test_a_wide_beam_finds_the_exhaustive_best_with_the_length_penalty(seed, alpha):
    step, log_probs = _toy(seed)
    width, max_length = 64, 4  # 4 ** 3 unfinished prefixes at most: the search is exact
    tokens, scores = jax.jit(decoding.beam_search, static_argnums=(0, 2, 3), static_argnames=("beam_width", "alpha",
                             "start_id", "end_id"))(step, jnp.zeros(width, jnp.int32), 1, max_length,
                                                     beam_width=width, alpha=alpha, start_id=START, end_id=END)
    best, best_score = _exhaustive_best(log_probs, max_length, alpha)
    assert tokens[0].tolist() == best + [PAD] * (max_length - len(best))
    assert abs(float(scores[0]) - best_score) < 1e-4


def test_beam_of_one_without_length_penalty_is_greedy_decoding_where_greedy_ends():
    step, _ = _toy(4)
    state = jnp.array([0, 1, 2], jnp.int32)  # three sentences starting from different histories
    greedy = np.asarray(decoding.greedy_decode(step, state, 3, 7, start_id=START, end_id=END))
    beam, _ = decoding.beam_search(step, state, 3, 7, beam_width=1, alpha=0.0, start_id=START, end_id=END)
    beam = np.asarray(beam)
    ended = (greedy == END).any(axis=1)
    assert ended.tolist() == [False, True, True]  # the first never ends within 7 steps
    assert np.array_equal(greedy[ended], beam[ended])
    assert END in beam[0].tolist()  # beam search found a finished hypothesis instead


def test_sentences_of_a_batch_are_searched_independently():
    step, _ = _toy(5)
    state = jnp.array([0, 1], jnp.int32)
    together, _ = decoding.beam_search(step, decoding.repeat_rows(state, 3), 2, 6, beam_width=3, alpha=0.6,
                                       start_id=START, end_id=END)
    for row in range(2):
        alone, _ = decoding.beam_search(step, decoding.repeat_rows(state[row : row + 1], 3), 1, 6, beam_width=3,
                                        alpha=0.6, start_id=START, end_id=END)
        assert np.array_equal(together[row], alone[0])


def test_without_an_ending_the_best_unfinished_hypothesis_is_returned():
    step, _ = _toy(6)

    def never_ends(state, tokens):
        log_probs, state = step(state, tokens)
        return jax.nn.log_softmax(log_probs.at[:, END].set(-jnp.inf)), state

    tokens, scores = decoding.beam_search(never_ends, jnp.zeros(2, jnp.int32), 1, 5, beam_width=2, alpha=0.0,
                                          start_id=START, end_id=END)
    assert END not in tokens[0].tolist() and np.isfinite(float(scores[0]))


def test_bad_beam_options_are_refused():
    step, _ = _toy(0)
    with pytest.raises(ValueError, match="beam_width.*at least 1.*0"):
        decoding.beam_search(step, jnp.zeros(1, jnp.int32), 1, 3, beam_width=0, alpha=0.0, start_id=START, end_id=END)
    with pytest.raises(ValueError, match="alpha.*-1"):
        decoding.beam_search(step, jnp.zeros(1, jnp.int32), 1, 3, beam_width=2, alpha=-1.0, start_id=START, end_id=END)
