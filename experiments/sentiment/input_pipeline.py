"""rt-polarity for classification: sentences to padded id arrays, the development split, and
the batches of a step.

Sentences are padded to a multiple of ``LENGTH_MULTIPLE`` tokens (the whole set to its
longest sentence, a batch to its own longest), so only a few shapes are compiled.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqjax.data.lexicon import Lexicon, pad_to, round_up, shuffled_batch_rows

LENGTH_MULTIPLE = 16
Part = tuple[list[tuple[str, ...]], np.ndarray]  # (sentences, labels [n])


def encode(sentences: list[tuple[str, ...]], lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray]:
    """``(tokens [n, time], lengths [n])``, ``time`` the longest sentence rounded up to 16."""
    encoder = lexicon.encoder()
    rows = [encoder(s) for s in sentences]
    lengths = np.array([len(r) for r in rows], np.int32)
    return pad_to(rows, round_up(int(lengths.max()), LENGTH_MULTIPLE)), lengths


def split_development(part: Part, seed: int) -> tuple[Part, Part]:
    """``(fitted part, development part)``: a seeded 10 % of ``part`` held out for early stopping."""
    sentences, labels = part
    order = np.random.default_rng(seed).permutation(len(labels))
    dev_rows, fit_rows = order[: len(order) // 10], order[len(order) // 10 :]
    return ([sentences[i] for i in fit_rows], labels[fit_rows]), ([sentences[i] for i in dev_rows], labels[dev_rows])


def batches(data: dict[str, np.ndarray], batch_size: int, seed: int) -> tuple[Callable[[int], dict], int]:
    """``(batch_at, steps per epoch)``: shuffled batches of the rows of ``data`` (``tokens``
    ``[n, time]`` trimmed to the batch's longest length rounded up to 16, the other arrays
    ``[n]``), a function of the step."""
    rows_at, per_epoch = shuffled_batch_rows(len(data["lengths"]), batch_size, seed)

    def batch_at(step: int) -> dict[str, np.ndarray]:
        rows = rows_at(step)
        longest = round_up(int(data["lengths"][rows].max()), LENGTH_MULTIPLE)
        return {name: array[rows, :longest] if name == "tokens" else array[rows] for name, array in data.items()}

    return batch_at, per_epoch
