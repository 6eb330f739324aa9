"""Multi30k task 1 (Elliott et al. 2016): English image descriptions with German and French
translations, line-aligned across languages, gzip'd UTF-8 (train 29,000, val 1,014,
test_2016_flickr 1,000 sentences).

``read_lines`` decodes a gzip'd (or plain) UTF-8 file a line at a time and raises
``DataError`` naming the file and line for bytes that are not UTF-8 or for an empty line.
``load_parallel`` pairs two languages of a split and checks that their files are aligned
(the same number of lines).
"""

from __future__ import annotations

import pathlib

from seqjax.data.files import DataError, KnownFile, locate, numbered_lines

LANGUAGES = ("en", "de", "fr")
SPLITS = ("train", "val", "test_2016_flickr")
_BASE = "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/{}"
_SHA256 = {
    "test_2016_flickr.de": "9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8",
    "test_2016_flickr.en": "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9",
    "test_2016_flickr.fr": "6d326e188d259fb1d04ac19eae3af956559b3a0b93d7635e56c90987c40c8b90",
    "train.de": "726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6",
    "train.en": "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f",
    "train.fr": "622e75069e9f4c577425c4f277116ce66e63a2401c0a2312d90073cb12379a3c",
    "val.de": "f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a",
    "val.en": "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28",
    "val.fr": "ca3106f1a72390591d25f6c45cb4cd39dec4cd3f123e099748a3ce5256c160e9",
}
MULTI30K = {
    stem: KnownFile(f"multi30k/{stem}.gz", digest, _BASE.format(f"{stem}.gz")) for stem, digest in _SHA256.items()
}


def read_lines(path: str | pathlib.Path) -> list[str]:
    """The lines of ``path`` (gzip'd when its name ends in ``.gz``), stripped of surrounding white space."""
    lines = []
    for number, line in numbered_lines(path):
        if not line.strip():
            raise DataError(f"{path}:{number}: an empty line (expected one sentence a line)")
        lines.append(line.strip())
    if not lines:
        raise DataError(f"{path}: no sentences")
    return lines


def read_parallel(source_path: str | pathlib.Path, target_path: str | pathlib.Path) -> list[tuple[str, str]]:
    """``(source sentence, target sentence)`` pairs from two line-aligned files."""
    source, target = read_lines(source_path), read_lines(target_path)
    if len(source) != len(target):
        raise DataError(
            f"{source_path} has {len(source)} lines but {target_path} has {len(target)}: "
            "expected line-aligned translations"
        )
    return list(zip(source, target))


def load_parallel(
    split: str, source: str = "de", target: str = "en", directory: str | pathlib.Path | None = None, *,
    download: bool = False, download_option: str | None = None,
) -> list[tuple[str, str]]:
    """The ``split`` of Multi30k as ``(source, target)`` sentence pairs, digests verified.

    ``download``: fetch the files missing from the data directory from their original
    addresses (sha256 verified; needs internet); ``download_option``: how the caller's user asks
    for that, named in the message for a missing file."""
    for name, value, allowed in (("split", split, SPLITS), ("source", source, LANGUAGES), ("target", target, LANGUAGES)):
        if value not in allowed:
            raise DataError(f"{name}: expected one of {allowed}, got {value!r}")
    if source == target:
        raise DataError(f"source and target: expected two different languages, got {source!r} twice")
    return read_parallel(
        locate(MULTI30K[f"{split}.{source}"], directory=directory, download=download, download_option=download_option),
        locate(MULTI30K[f"{split}.{target}"], directory=directory, download=download, download_option=download_option),
    )
