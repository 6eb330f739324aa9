"""Finding data files, verifying their SHA-256 digests, and (optionally) downloading them.

A data file is named by a ``KnownFile`` (its name, digest and original address). It is
found from an explicit path, or in a data directory: the ``data_dir`` argument, else the
``SEQJAX_DATA_DIR`` environment variable, else ``../shared/data`` beside the project.
Nothing is downloaded unless a caller asks for it (``download=True``).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
import pathlib
import urllib.request
from collections.abc import Iterator

DATA_DIR_VARIABLE = "SEQJAX_DATA_DIR"
"""The environment variable naming the data directory when no ``--data-dir`` is given."""
_PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = _PROJECT_ROOT.parent / "shared" / "data"


class DataError(ValueError):
    """A data file that is missing, corrupt, or not what a loader expects."""


@dataclasses.dataclass(frozen=True)
class KnownFile:
    """A public data file: its path in a data directory, its SHA-256 and where it came from
    (``url`` is ``None`` when no address serves the same bytes: no download then)."""

    name: str
    sha256: str
    url: str | None = None


TINY_SHAKESPEARE = KnownFile(
    name="tinyshakespeare.txt",
    sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
)
"""Karpathy's tiny-shakespeare (1,115,394 characters, public-domain text), the demo's corpus."""


def sha256_of(path: str | pathlib.Path) -> str:
    """The SHA-256 of the file at ``path``, as 64 hex digits, read in blocks of 1 MiB.

    Examples:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty"
        >>> _ = path.write_bytes(b"")
        >>> sha256_of(path)
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: str | pathlib.Path, expected: str) -> None:
    """Raises ``DataError`` naming the file, the expected and the actual digest if they differ."""
    actual = sha256_of(path)
    if actual != expected:
        raise DataError(
            f"{path}: sha256 {actual} does not match the expected {expected}; the file is corrupt, "
            "truncated or a different version. Replace it with the original."
        )


def write_text_atomically(path: str | pathlib.Path, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``path`` through a temporary file and a rename, so that a
    reader sees the old content or the new one, never a part."""
    path = pathlib.Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def data_dir(explicit: str | pathlib.Path | None = None) -> pathlib.Path:
    """``explicit``, else ``$SEQJAX_DATA_DIR``, else ``../shared/data`` beside the project."""
    chosen = explicit or os.environ.get(DATA_DIR_VARIABLE) or DEFAULT_DATA_DIR
    return pathlib.Path(chosen)


def locate(
    known: KnownFile,
    path: str | pathlib.Path | None = None,
    directory: str | pathlib.Path | None = None,
    *,
    download: bool = False,
    download_option: str | None = None,
) -> pathlib.Path:
    """The verified path of ``known``.

    Args:
      path: an explicit file (its digest is checked only if its name is ``known.name``:
        another corpus may be given in its place).
      directory: a data directory (see ``data_dir``).
      download: when the file is not in the directory, fetch it from ``known.url`` into the
        directory and verify it (needs internet; never used by the tests).
      download_option: how the caller's user asks for the download (e.g. ``"--download"``);
        the message for a missing file names it.
    """
    if path is not None:
        path = pathlib.Path(path)
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        if path.name == pathlib.PurePosixPath(known.name).name:
            verify_sha256(path, known.sha256)
        return path
    root = data_dir(directory)
    where = root / known.name
    if not where.is_file():
        if not download or known.url is None:
            fetch = "; no address serves this file's bytes: seqjax's documentation, docs/data.md, " \
                    "says how to fetch it"
            if known.url is not None:
                fetch = f", or pass {download_option} to fetch it from {known.url}" if download_option else \
                    f", or fetch it from {known.url}"
            raise DataError(
                f"{known.name} is not in the data directory {root} (set --data-dir or "
                f"${DATA_DIR_VARIABLE}, pass the file's path{fetch})"
            )
        where.parent.mkdir(parents=True, exist_ok=True)
        partial = where.with_suffix(where.suffix + ".part")
        try:
            urllib.request.urlretrieve(known.url, partial)  # noqa: S310 - a fixed https address
            verify_sha256(partial, known.sha256)
        except (OSError, DataError) as error:
            partial.unlink(missing_ok=True)
            raise DataError(f"{known.name}: the download from {known.url} failed: {error}") from None
        partial.replace(where)
    verify_sha256(where, known.sha256)
    return where


def numbered_lines(path: str | pathlib.Path, encoding: str = "UTF-8") -> Iterator[tuple[int, str]]:
    """``(line number from 1, line without its line break)`` for each line of ``path`` (gzip'd
    when its name ends in ``.gz``); ``DataError`` naming the file and line for bytes that are
    not ``encoding``."""
    path = pathlib.Path(path)
    with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                yield number, raw.decode(encoding).rstrip("\r\n")
            except UnicodeDecodeError as error:
                raise DataError(f"{path}:{number}: not {encoding} ({error.reason} at byte {error.start})") from None
