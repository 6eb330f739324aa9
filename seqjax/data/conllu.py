"""CoNLL-U treebanks (Universal Dependencies): words and their part-of-speech tags.

Only what tagging needs is read: column 2 (the word form) and column 4 (UPOS) or 5 (XPOS)
of each word line. Comment lines (``#``) are skipped, as are multi-word token ranges
(``3-4``) and empty nodes (``5.1``), so the words are the syntactic words the tags belong
to. A blank line ends a sentence. A malformed file raises ``DataError`` naming the file and
the line: a word line without 10 tab-separated columns, an unknown UPOS tag, bytes that are
not UTF-8, a blank line that ends no sentence, or no sentence at all.
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Literal

from seqjax.data.files import DataError, KnownFile, locate, numbered_lines

UPOS_TAGS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
    "SCONJ", "SYM", "VERB", "X",
)
_BASE = "https://raw.githubusercontent.com/UniversalDependencies/UD_English-LinES/master/en_lines-ud-{}.conllu"
UD_ENGLISH_LINES = {
    "train": KnownFile("ud-english-lines/en_lines-ud-train.conllu",
                       "27609ded288bf3704def21f18d227e3f40957b4981174411f6bed34acf3025b6", _BASE.format("train")),
    "dev": KnownFile("ud-english-lines/en_lines-ud-dev.conllu",
                     "3aabd1f843517fb615c8760c316a76125af2fff01c59b9a4049fe7c393891d2b", _BASE.format("dev")),
    "test": KnownFile("ud-english-lines/en_lines-ud-test.conllu",
                      "14c56b50da6d8876ce1fdaa9b19c2845dfff73ff57766ddc2f812d88612ce3a8", _BASE.format("test")),
}


@dataclasses.dataclass(frozen=True)
class TaggedSentence:
    """``words`` and their ``tags``, one each per syntactic word."""

    words: tuple[str, ...]
    tags: tuple[str, ...]


def read_conllu(path: str | pathlib.Path, tag_column: Literal["upos", "xpos"] = "upos") -> list[TaggedSentence]:
    """The sentences of a CoNLL-U file with the tags of ``tag_column``."""
    column = 3 if tag_column == "upos" else 4
    sentences: list[TaggedSentence] = []
    words: list[str] = []
    tags: list[str] = []
    for number, line in numbered_lines(path):
        if line.startswith("#"):
            continue
        if not line.strip():
            if not words:
                raise DataError(f"{path}:{number}: a blank line that ends no sentence")
            sentences.append(TaggedSentence(tuple(words), tuple(tags)))
            words, tags = [], []
            continue
        fields = line.split("\t")
        if len(fields) != 10:
            raise DataError(f"{path}:{number}: expected 10 tab-separated columns (CoNLL-U), found {len(fields)}")
        if "-" in fields[0] or "." in fields[0]:
            continue
        if tag_column == "upos" and fields[column] not in UPOS_TAGS:
            raise DataError(f"{path}:{number}: {fields[column]!r} is not a UPOS tag (expected one of {UPOS_TAGS})")
        words.append(fields[1])
        tags.append(fields[column])
    if words:
        sentences.append(TaggedSentence(tuple(words), tuple(tags)))
    if not sentences:
        raise DataError(f"{path}: no sentences")
    return sentences


def load_ud_english_lines(
    split: Literal["train", "dev", "test"], directory: str | pathlib.Path | None = None, *,
    download: bool = False, download_option: str | None = None,
) -> list[TaggedSentence]:
    """The UD English LinES split (sha256 verified), UPOS tags.

    ``download``: fetch the files missing from the data directory from their original
    addresses (sha256 verified; needs internet); ``download_option``: how the caller's user asks
    for that, named in the message for a missing file."""
    if split not in UD_ENGLISH_LINES:
        raise DataError(f"split: expected one of {sorted(UD_ENGLISH_LINES)}, got {split!r}")
    return read_conllu(locate(UD_ENGLISH_LINES[split], directory=directory, download=download,
                               download_option=download_option))
