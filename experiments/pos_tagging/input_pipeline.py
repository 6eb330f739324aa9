"""UD English LinES for tagging: sentences to padded id arrays, and the batches of a step.

Words are looked up lower-cased; words seen once in training are left out of the word
vocabulary (they and every word unseen in training map to the unknown id 1), so the
unknown embedding is trained on real rare words. The character features see the original
spelling (capitals included), truncated to ``MAX_CHARS`` characters. Sentences are padded
to a multiple of ``LENGTH_MULTIPLE`` words, so only a few shapes are compiled.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from seqjax.data.conllu import UPOS_TAGS, TaggedSentence
from seqjax.data.lexicon import Lexicon, pad_to, round_up, shuffled_batch_rows

MAX_CHARS = 16
LENGTH_MULTIPLE = 16
Batch = dict[str, np.ndarray]


@dataclasses.dataclass(frozen=True)
class Lexicons:
    """The word and character vocabularies, built from the training sentences."""

    words: Lexicon
    chars: Lexicon

    @classmethod
    def from_training(cls, sentences: list[TaggedSentence], min_word_count: int = 2) -> Lexicons:
        return cls(
            Lexicon.build((s.words for s in sentences), min_count=min_word_count, lowercase=True),
            Lexicon.build((w for s in sentences for w in s.words), min_count=1),
        )


@dataclasses.dataclass(frozen=True)
class EncodedSplit:
    """A split as arrays: ``words [n, time]``, ``chars [n, time, MAX_CHARS]``, ``char_lengths
    [n, time]``, ``tags [n, time]`` (``time`` = the longest sentence, rounded up), ``lengths [n]``,
    and ``unseen [n, time]``: 1 where the word (lower-cased) never occurs in training."""

    words: np.ndarray
    chars: np.ndarray
    char_lengths: np.ndarray
    tags: np.ndarray
    lengths: np.ndarray
    unseen: np.ndarray

    def batch(self, rows: np.ndarray) -> Batch:
        """The sentences ``rows``, cut to their own longest length (rounded up to ``LENGTH_MULTIPLE``)."""
        time = round_up(int(self.lengths[rows].max()), LENGTH_MULTIPLE)
        return {name: getattr(self, name)[rows, :time] if name != "lengths" else self.lengths[rows]
                for name in ("words", "chars", "char_lengths", "tags", "lengths", "unseen")}


def encode(sentences: list[TaggedSentence], lexicons: Lexicons, training_words: set[str]) -> EncodedSplit:
    tag_ids = {tag: i for i, tag in enumerate(UPOS_TAGS)}
    encode_words, encode_chars = lexicons.words.encoder(), lexicons.chars.encoder()
    time = round_up(max(len(s.words) for s in sentences), LENGTH_MULTIPLE)
    char_rows = [pad_to([encode_chars(list(w)) for w in s.words], MAX_CHARS) for s in sentences]
    chars = np.zeros((len(sentences), time, MAX_CHARS), np.int32)
    for i, row in enumerate(char_rows):
        chars[i, : len(row)] = row
    return EncodedSplit(
        words=pad_to([encode_words(s.words) for s in sentences], time),
        chars=chars,
        char_lengths=pad_to([np.array([min(len(w), MAX_CHARS) for w in s.words]) for s in sentences], time),
        tags=pad_to([np.array([tag_ids[t] for t in s.tags]) for s in sentences], time),
        lengths=np.array([len(s.words) for s in sentences], np.int32),
        unseen=pad_to([np.array([w.lower() not in training_words for w in s.words]) for s in sentences], time),
    )


def make_batch_at(split: EncodedSplit, batch_size: int, seed: int = 0):
    """``(step -> batch, batches per epoch)``: each epoch a fresh seeded order of the sentences
    (see ``seqjax.data.lexicon.shuffled_batch_rows``)."""
    rows_at, per_epoch = shuffled_batch_rows(len(split.lengths), batch_size, seed)
    return (lambda step: split.batch(rows_at(step))), per_epoch
