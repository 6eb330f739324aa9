"""Handwritten Shakespeare: text lines, their synthetic pen trajectories, and training batches.

Lines of tiny-shakespeare (speaker names and lines outside ``MIN_CHARS..MAX_CHARS``
characters left out, duplicates removed) are shuffled with the seed; the first
``valid_lines`` form the fixed validation set, the next ``train_lines`` the training set,
each line written by a fresh random writer (``seqjax.data.handwriting``). Offsets are divided
by one ``scale`` (their standard deviation over the training points) before training.

A batch: ``inputs [batch, time, 3]`` (a pen-up start point ``(0, 0, 1)`` then every point
but the last), ``targets`` (every point) and ``lengths``; time padded to a multiple of 64;
and the text: ``text [batch, characters]`` (ids of the training alphabet, 0 padding, 1
unknown) and ``text_lengths``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from seqjax.data import TINY_SHAKESPEARE, locate, read_text
from seqjax.data.handwriting import HandwrittenLines, write_lines
from seqjax.data.lexicon import Lexicon, pad_to, round_up, shuffled_batch_rows

MIN_CHARS, MAX_CHARS = 8, 18
LENGTH_MULTIPLE = 64
START = np.array([[0.0, 0.0, 1.0]], np.float32)
Batch = dict[str, np.ndarray]


def shakespeare_lines(data_dir: str | None = None, download: bool = False) -> list[str]:
    text = read_text(locate(TINY_SHAKESPEARE, directory=data_dir, download=download, download_option="--download"))
    lines = [line.strip() for line in text.splitlines()]
    kept = {line for line in lines if MIN_CHARS <= len(line) <= MAX_CHARS and not line.endswith(":")}
    return sorted(kept)


@dataclasses.dataclass(frozen=True)
class Splits:
    train: HandwrittenLines
    valid: HandwrittenLines
    scale: float
    alphabet: Lexicon

    @classmethod
    def write(cls, texts: list[str], train_lines: int, valid_lines: int, seed: int) -> Splits:
        order = np.random.default_rng(seed).permutation(len(texts))
        valid = write_lines([texts[i] for i in order[:valid_lines]], seed + 1)
        train = write_lines([texts[i] for i in order[valid_lines : valid_lines + train_lines]], seed)
        scale = float(np.concatenate(train.points)[:, :2].std())
        return cls(train, valid, scale, Lexicon.build([list(text) for text in train.texts]))

    def normalised(self, points: np.ndarray) -> np.ndarray:
        return points / np.array([self.scale, self.scale, 1.0], np.float32)

    def examples(self, split: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(normalised points, character ids)`` of each line of ``split`` (``"train"`` or ``"valid"``)."""
        lines = getattr(self, split)
        encode = self.alphabet.encoder()
        return [(self.normalised(points), encode(list(text))) for points, text in zip(lines.points, lines.texts)]


def batch_of(examples: list[tuple[np.ndarray, np.ndarray]]) -> Batch:
    """The batch of ``(normalised points, character ids)`` examples (see the module docstring)."""
    rows = [points for points, _ in examples]
    lengths = np.array([len(r) for r in rows], np.int32)
    time = round_up(int(lengths.max()), LENGTH_MULTIPLE)
    inputs, targets = np.zeros((2, len(rows), time, 3), np.float32)
    for i, row in enumerate(rows):
        targets[i, : len(row)] = row
        inputs[i, : len(row)] = np.concatenate([START, row[:-1]])
    texts = [ids for _, ids in examples]
    text_lengths = np.array([len(ids) for ids in texts], np.int32)
    return {"inputs": inputs, "targets": targets, "lengths": lengths,
            "text": pad_to(texts, round_up(int(text_lengths.max()), 8)), "text_lengths": text_lengths}


def make_batch_at(examples: list[tuple[np.ndarray, np.ndarray]], batch_size: int, seed: int = 0):
    """``(step -> batch, batches per epoch)``: each epoch a fresh seeded order of the lines."""
    rows_at, per_epoch = shuffled_batch_rows(len(examples), batch_size, seed)
    return (lambda step: batch_of([examples[i] for i in rows_at(step)])), per_epoch
