"""A corpus ready for language modelling: its vocabulary and its train/validation token ids."""

from __future__ import annotations

import dataclasses
import json
import pathlib

import numpy as np

from seqjax import data


@dataclasses.dataclass(frozen=True)
class Corpus:
    """``train [N]`` and ``validation [M]`` int32 ids of a text, split by position, and the vocabulary.

    ``source``: the file the text came from, when it came from one.
    """

    vocabulary: data.Vocabulary
    train: np.ndarray
    validation: np.ndarray
    source: pathlib.Path | None = None

    @classmethod
    def from_text(cls, text: str, level: data.text.Level, validation_fraction: float,
                  vocabulary: data.Vocabulary | None = None) -> Corpus:
        """The vocabulary is built from the whole text (so validation has no unknown tokens)
        unless one is given; the last ``validation_fraction`` of the tokens is validation."""
        vocabulary = vocabulary or data.Vocabulary.from_text(text, level)
        train, validation = data.split_by_position(vocabulary.encode(text), validation_fraction)
        return cls(vocabulary, train, validation)

    def record(self, path: str | pathlib.Path) -> None:
        """Writes the source file's path and SHA-256 to ``path`` (JSON), when there is a source."""
        if self.source is not None:
            record = {"path": str(self.source.absolute()), "sha256": data.sha256_of(self.source)}
            pathlib.Path(path).write_text(json.dumps(record, indent=2))


def recorded_source(path: str | pathlib.Path) -> pathlib.Path | None:
    """The source file named by a ``Corpus.record`` file, its digest verified; None without a record."""
    path = pathlib.Path(path)
    if not path.is_file():
        return None
    record = json.loads(path.read_text())
    data.verify_sha256(record["path"], record["sha256"])
    return pathlib.Path(record["path"])


def load_corpus(
    path: str | pathlib.Path | None,
    data_dir: str | pathlib.Path | None,
    level: data.text.Level,
    validation_fraction: float,
    *,
    download: bool = False,
    vocabulary: data.Vocabulary | None = None,
) -> Corpus:
    """The corpus at ``path``, or tiny-shakespeare from the data directory (digest verified)."""
    located = data.locate(data.TINY_SHAKESPEARE, path, data_dir, download=download)
    corpus = Corpus.from_text(data.read_text(located), level, validation_fraction, vocabulary)
    return dataclasses.replace(corpus, source=located)
