"""Plain-text corpora: reading, vocabularies of characters or words, and the train/validation split."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import re
from collections.abc import Sequence
from typing import Literal

import numpy as np

from seqjax.data.files import DataError, write_text_atomically

Level = Literal["char", "word"]
_WORDS = re.compile(r"\n|[^\s]+")


def read_text(path: str | pathlib.Path) -> str:
    """The UTF-8 text of ``path``; ``DataError`` if it is empty or not UTF-8."""
    data = pathlib.Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(
            f"{path}: not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start} cannot be decoded)"
        ) from error
    if not text:
        raise DataError(f"{path}: the file is empty; a corpus needs at least two characters")
    return text


def tokenize(text: str, level: Level) -> list[str]:
    """Characters, or words: runs of non-space characters, and each newline as a token of its
    own (other spaces only separate words; ``detokenize`` puts one space back)."""
    if level == "char":
        return list(text)
    if level == "word":
        return _WORDS.findall(text)
    raise DataError(f"level: expected 'char' or 'word', got {level!r}")


def detokenize(tokens: Sequence[str], level: Level) -> str:
    """The text of ``tokens``: concatenated characters, or words joined by one space (none
    next to a newline)."""
    if level == "char":
        return "".join(tokens)
    pieces: list[str] = []
    for token in tokens:
        if pieces and token != "\n" and pieces[-1] != "\n":
            pieces.append(" ")
        pieces.append(token)
    return "".join(pieces)


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The tokens of a corpus, each with an id (its index in ``tokens``), sorted.

    Saved as JSON: ``{"level": "char", "tokens": [...]}``.
    """

    level: Level
    tokens: tuple[str, ...]

    @classmethod
    def from_text(cls, text: str, level: Level = "char") -> Vocabulary:
        """The sorted distinct tokens of ``text`` at ``level`` (``"char"`` or ``"word"``).

        Examples:
            >>> vocabulary = Vocabulary.from_text("abba cab")
            >>> vocabulary.tokens, vocabulary.decode(vocabulary.encode("cab"))
            ((' ', 'a', 'b', 'c'), 'cab')
        """
        return cls(level=level, tokens=tuple(sorted(set(tokenize(text, level)))))

    @property
    def size(self) -> int:
        return len(self.tokens)

    def unknown(self, text: str) -> list[str]:
        """The distinct tokens of ``text`` not in the vocabulary, in order of appearance."""
        known = set(self.tokens)
        return list(dict.fromkeys(p for p in tokenize(text, self.level) if p not in known))

    def encode(self, text: str) -> np.ndarray:
        """``text`` as ids ``[tokens]`` (int32); ``DataError`` names every token not in the vocabulary."""
        if unknown := self.unknown(text):
            verb = "is" if len(unknown) == 1 else "are"
            raise DataError(f"text: {', '.join(map(repr, unknown))} {verb} not in the {self.size}-token vocabulary")
        index = {token: i for i, token in enumerate(self.tokens)}
        return np.fromiter((index[p] for p in tokenize(text, self.level)), np.int32)

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """The text of token ``ids`` (joined by spaces at the word level)."""
        return detokenize([self.tokens[int(i)] for i in ids], self.level)

    def save(self, path: str | pathlib.Path) -> None:
        """Writes the vocabulary to ``path`` as JSON (``level``, ``tokens``), atomically."""
        write_text_atomically(path, json.dumps({"level": self.level, "tokens": list(self.tokens)}, ensure_ascii=False))

    @classmethod
    def load(cls, path: str | pathlib.Path) -> Vocabulary:
        """The vocabulary ``save`` wrote to ``path``."""
        data = json.loads(pathlib.Path(path).read_text())
        return cls(level=data["level"], tokens=tuple(data["tokens"]))


def split_by_position(ids: np.ndarray, validation_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """``(train, validation)``: the first ``1 - validation_fraction`` of the tokens, and the rest."""
    if not 0.0 < validation_fraction < 1.0:
        raise DataError(f"validation_fraction: expected a number in (0, 1), got {validation_fraction!r}")
    cut = int(round(len(ids) * (1.0 - validation_fraction)))
    train, validation = ids[:cut], ids[cut:]
    if len(train) < 2 or len(validation) < 2:
        raise DataError(f"the corpus of {len(ids)} tokens is too short to split into train and validation")
    return train, validation
