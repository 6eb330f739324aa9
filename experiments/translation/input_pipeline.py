"""Multi30k for translation: subword tokenizers, sentences to id arrays, and the batches of a step.

Tokenisation: one SentencePiece BPE model per language, learned from that language's
training sentences alone (raw text: case and punctuation kept, no pre-tokenisation), with at
most ``vocab_size`` pieces. Decoding the pieces gives plain text, which sacreBLEU scores
against the raw references. The learned models are saved in the run directory, and read back
from there when a run resumes.

A batch: ``source [batch, source_time]`` and ``source_lengths``; ``target_inputs [batch, time]``
(beginning-of-sentence then the reference), ``target_outputs`` (the reference then
end-of-sentence) and ``target_lengths`` (reference length + 1). Times are rounded up to a
multiple of ``LENGTH_MULTIPLE`` and batches hold sentences of similar source length.
"""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np

from seqjax.data.lexicon import length_bucketed_batch_rows, pad_to, round_up
from seqjax.data.subwords import BOS_ID, EOS_ID, SubwordTokenizer

LENGTH_MULTIPLE = 8
Batch = dict[str, np.ndarray]
Pairs = list[tuple[str, str]]


@dataclasses.dataclass(frozen=True)
class Tokenizers:
    source: SubwordTokenizer
    target: SubwordTokenizer

    @classmethod
    def learned_or_loaded(cls, pairs: Pairs, vocab_size: int, directory: pathlib.Path) -> Tokenizers:
        """Reads ``source.model``/``target.model`` from ``directory`` if there, else learns and writes them."""
        paths = directory / "source.model", directory / "target.model"
        if all(path.is_file() for path in paths):
            return cls(*(SubwordTokenizer.load(path) for path in paths))
        directory.mkdir(parents=True, exist_ok=True)
        tokenizers = cls(*(SubwordTokenizer.learn([pair[side] for pair in pairs], vocab_size) for side in (0, 1)))
        for tokenizer, path in zip((tokenizers.source, tokenizers.target), paths):
            tokenizer.save(path)
        return tokenizers


@dataclasses.dataclass(frozen=True)
class EncodedPairs:
    """Sentence pairs as piece ids: ``source``/``target`` lists of ``[pieces] int32``, and the
    raw ``references`` (target sentences) for BLEU."""

    source: list[np.ndarray]
    target: list[np.ndarray]
    references: list[str]

    @classmethod
    def encode(cls, pairs: Pairs, tokenizers: Tokenizers, max_pieces: int) -> EncodedPairs:
        """Sentences longer than ``max_pieces`` pieces are cut to it."""
        source = [ids[:max_pieces] for ids in tokenizers.source.encode([p[0] for p in pairs])]
        target = [ids[:max_pieces] for ids in tokenizers.target.encode([p[1] for p in pairs])]
        return cls(source, target, [p[1] for p in pairs])

    @property
    def source_lengths(self) -> np.ndarray:
        return np.array([len(ids) for ids in self.source], np.int32)

    def batch(self, rows: np.ndarray) -> Batch:
        source = [self.source[i] for i in rows]
        target = [self.target[i] for i in rows]
        source_lengths = np.array([len(ids) for ids in source], np.int32)
        target_lengths = np.array([len(ids) + 1 for ids in target], np.int32)
        target_time = round_up(int(target_lengths.max()), LENGTH_MULTIPLE)
        return {
            "source": pad_to(source, round_up(int(source_lengths.max()), LENGTH_MULTIPLE)),
            "source_lengths": source_lengths,
            "target_inputs": pad_to([np.concatenate([[BOS_ID], ids]) for ids in target], target_time),
            "target_outputs": pad_to([np.concatenate([ids, [EOS_ID]]) for ids in target], target_time),
            "target_lengths": target_lengths,
        }

    def source_batches(self, batch_size: int) -> list[tuple[np.ndarray, Batch]]:
        """``(rows, batch)`` covering every sentence once, similar source lengths together (for decoding)."""
        order = np.argsort(self.source_lengths, kind="stable")
        return [(rows, self.batch(rows)) for rows in np.array_split(order, -(-len(order) // batch_size))]


def make_batch_at(pairs: EncodedPairs, batch_size: int, seed: int = 0):
    """``(step -> batch, batches per epoch)``: each epoch a fresh seeded order, bucketed by source length."""
    rows_at, per_epoch = length_bucketed_batch_rows(pairs.source_lengths, batch_size, seed)
    return (lambda step: pairs.batch(rows_at(step))), per_epoch
