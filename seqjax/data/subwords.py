"""Subword tokens from SentencePiece (Kudo & Richardson 2018), for open-vocabulary translation.

A ``SubwordTokenizer`` is learned from raw training sentences (byte-pair encoding by
default), so rare words split into known pieces instead of becoming an unknown token, and
decoding gives back plain text (the pieces mark word starts with ``▁``), which is what
sacreBLEU scores. Ids 0-3 are reserved: padding, unknown, beginning and end of sentence.
Learning is deterministic: the same sentences and options give the same pieces.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import pathlib
from collections.abc import Iterable, Sequence

import numpy as np
import sentencepiece

from seqjax.data.files import DataError

PAD_ID, UNKNOWN_ID, BOS_ID, EOS_ID = 0, 1, 2, 3


@dataclasses.dataclass(frozen=True)
class SubwordTokenizer:
    """A learned SentencePiece model (``model``: its serialised bytes)."""

    model: bytes

    @classmethod
    def learn(
        cls, sentences: Iterable[str], vocab_size: int, *, model_type: str = "bpe", character_coverage: float = 1.0
    ) -> SubwordTokenizer:
        """Learns at most ``vocab_size`` pieces (fewer when the text has fewer) from ``sentences``."""
        if vocab_size < 8:
            raise DataError(f"vocab_size: expected at least 8 (4 reserved ids and some pieces), got {vocab_size}")
        written = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(list(sentences)), model_writer=written, vocab_size=vocab_size,
            model_type=model_type, character_coverage=character_coverage, hard_vocab_limit=False,
            pad_id=PAD_ID, unk_id=UNKNOWN_ID, bos_id=BOS_ID, eos_id=EOS_ID, num_threads=1,
            minloglevel=2,
        )
        return cls(written.getvalue())

    @functools.cached_property
    def _processor(self) -> sentencepiece.SentencePieceProcessor:
        return sentencepiece.SentencePieceProcessor(model_proto=self.model)

    @property
    def size(self) -> int:
        return self._processor.get_piece_size()

    def encode(self, sentences: Sequence[str]) -> list[np.ndarray]:
        """Each sentence's piece ids ``[pieces] int32`` (no beginning or end marker)."""
        return [np.asarray(ids, np.int32) for ids in self._processor.encode(list(sentences))]

    def pieces(self, sentence: str) -> list[str]:
        return self._processor.encode(sentence, out_type=str)

    def decode(self, ids: Iterable[int]) -> str:
        """The text of ``ids``, read up to the first end-of-sentence id; padding and markers dropped."""
        kept = []
        for i in map(int, ids):
            if i == EOS_ID:
                break
            if i > EOS_ID:
                kept.append(i)
        return self._processor.decode(kept)

    def save(self, path: str | pathlib.Path) -> None:
        pathlib.Path(path).write_bytes(self.model)

    @classmethod
    def load(cls, path: str | pathlib.Path) -> SubwordTokenizer:
        return cls(pathlib.Path(path).read_bytes())
