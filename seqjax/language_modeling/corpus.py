"""A corpus ready for language modelling: its vocabulary and its train/validation token ids."""

from __future__ import annotations

import dataclasses
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

    def record(self) -> dict[str, str] | None:
        """What finds the source again: its file name, the path it was read from and its SHA-256
        (None without a source). ``find_recorded`` uses it."""
        if self.source is None:
            return None
        return {"name": self.source.name, "path": str(self.source.absolute()), "sha256": data.sha256_of(self.source)}


def find_recorded(record: dict[str, str], data_dir: str | pathlib.Path | None = None) -> pathlib.Path:
    """The file of a ``Corpus.record``: at its recorded path, else under its name in the data
    directory, its digest verified; a ``DataError`` that says to pass ``--data`` otherwise."""
    for candidate in (pathlib.Path(record["path"]), data.data_dir(data_dir) / record["name"]):
        if candidate.is_file() and data.sha256_of(candidate) == record["sha256"]:
            return candidate
    raise data.DataError(
        f"the corpus this run trained on, {record['name']} (sha256 {record['sha256'][:12]}...), is no longer at "
        f"{record['path']} nor in the data directory {data.data_dir(data_dir)}: pass its new path with --data "
        "(its digest is checked)"
    )


def load_corpus(
    path: str | pathlib.Path | None,
    data_dir: str | pathlib.Path | None,
    level: data.text.Level,
    validation_fraction: float,
    *,
    download: bool = False,
    download_option: str | None = None,
    vocabulary: data.Vocabulary | None = None,
) -> Corpus:
    """The corpus at ``path``, or tiny-shakespeare from the data directory (digest verified;
    ``download``, ``download_option``: see ``seqjax.data.locate``)."""
    located = data.locate(data.TINY_SHAKESPEARE, path, data_dir, download=download, download_option=download_option)
    corpus = Corpus.from_text(data.read_text(located), level, validation_fraction, vocabulary)
    return dataclasses.replace(corpus, source=located)
