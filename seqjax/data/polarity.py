"""Sentence polarity data v1.0 (Pang & Lee 2005): 5,331 positive and 5,331 negative movie-review
snippets, one a line, already lower-cased and tokenised (tokens are split on white space).

The files are **latin-1**, not UTF-8. ``read_sentences`` decodes each line in the given
encoding and raises ``DataError`` naming the file and line for a byte it cannot decode or
for an empty line. ``cross_validation_folds`` gives the fixed, seeded 10 folds used by the
literature's protocol (Kim 2014).
"""

from __future__ import annotations

import pathlib

import numpy as np

from seqjax.data.files import DataError, KnownFile, locate, numbered_lines

_BASE = "https://raw.githubusercontent.com/yoonkim/CNN_sentence/master/rt-polarity.{}"
RT_POLARITY = {
    "pos": KnownFile("rt-polarity.pos", "2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0",
                     _BASE.format("pos")),
    "neg": KnownFile("rt-polarity.neg", "4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca",
                     _BASE.format("neg")),
}


def read_sentences(path: str | pathlib.Path, encoding: str = "latin-1") -> list[tuple[str, ...]]:
    """One tuple of tokens per line of ``path``."""
    sentences = []
    for number, line in numbered_lines(path, encoding):
        tokens = tuple(line.split())
        if not tokens:
            raise DataError(f"{path}:{number}: an empty line (expected one sentence a line)")
        sentences.append(tokens)
    if not sentences:
        raise DataError(f"{path}: no sentences")
    return sentences


def load_rt_polarity(directory: str | pathlib.Path | None = None, *, download: bool = False,
                     download_option: str | None = None) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """``(sentences, labels [10662] int32)``: the positive sentences (label 1), then the negative (0).

    ``download``: fetch the files missing from the data directory from their original
    addresses (sha256 verified; needs internet); ``download_option``: how the caller's user asks
    for that, named in the message for a missing file."""
    fetch = {"download": download, "download_option": download_option}
    positive = read_sentences(locate(RT_POLARITY["pos"], directory=directory, **fetch))
    negative = read_sentences(locate(RT_POLARITY["neg"], directory=directory, **fetch))
    labels = np.array([1] * len(positive) + [0] * len(negative), np.int32)
    return positive + negative, labels


def cross_validation_folds(count: int, folds: int = 10, seed: int = 0) -> list[np.ndarray]:
    """``folds`` disjoint index arrays covering ``range(count)``, from one seeded shuffle."""
    if not 2 <= folds <= count:
        raise DataError(f"folds: expected 2..{count}, got {folds}")
    return np.array_split(np.random.default_rng(seed).permutation(count), folds)
