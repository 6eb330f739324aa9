"""Text corpora: digests, encodings, vocabularies and the split by position."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from seqjax import data

SHARED = data.data_dir()  # $SEQJAX_DATA_DIR, else ../shared/data beside the project


@pytest.mark.skipif(
    not (SHARED / data.TINY_SHAKESPEARE.name).is_file(), reason=f"the shared data directory {SHARED} is not here"
)
def test_the_shared_tiny_shakespeare_is_found_and_verified():
    path = data.locate(data.TINY_SHAKESPEARE, directory=SHARED)
    text = data.read_text(path)
    assert len(text) == 1_115_394 and len(set(text)) == 65


def test_a_file_whose_digest_does_not_match_is_rejected_with_both_digests(tmp_path):
    (tmp_path / "tinyshakespeare.txt").write_text("First Citizen:\nBefore we proceed any further, hear me speak.\n")
    actual = hashlib.sha256((tmp_path / "tinyshakespeare.txt").read_bytes()).hexdigest()
    with pytest.raises(data.DataError, match=f"sha256 {actual} does not match the expected {data.TINY_SHAKESPEARE.sha256}"):
        data.locate(data.TINY_SHAKESPEARE, directory=tmp_path)
    with pytest.raises(data.DataError, match="does not match"):
        data.locate(data.TINY_SHAKESPEARE, path=tmp_path / "tinyshakespeare.txt")


def test_a_missing_file_names_the_directory_and_the_ways_to_provide_it(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(data.DataError, match=f"not in the data directory {tmp_path}.*SEQJAX_DATA_DIR"):
        data.locate(data.TINY_SHAKESPEARE)
    with pytest.raises(data.DataError, match=r"or pass --download to fetch it from https://raw\.githubusercontent"):
        data.locate(data.TINY_SHAKESPEARE, download_option="--download")


def test_a_download_lands_verified_in_the_data_directory_and_a_bad_one_leaves_nothing(tmp_path):
    """The download path, offline: the "address" is a local file:// URL."""
    source = tmp_path / "upstream.txt"
    source.write_text("a small corpus\n")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    directory = tmp_path / "data"
    known = data.KnownFile("corpora/small.txt", digest, source.as_uri())
    assert data.locate(known, directory=directory, download=True) == directory / "corpora" / "small.txt"
    assert (directory / "corpora" / "small.txt").read_text() == "a small corpus\n"
    wrong = data.KnownFile("corpora/other.txt", "0" * 64, source.as_uri())
    with pytest.raises(data.DataError, match=f"corpora/other.txt: the download from {source.as_uri()} failed: .*sha256"):
        data.locate(wrong, directory=directory, download=True)
    missing = data.KnownFile("corpora/gone.txt", digest, (tmp_path / "gone.txt").as_uri())
    with pytest.raises(data.DataError, match="corpora/gone.txt: the download from .* failed"):
        data.locate(missing, directory=directory, download=True)
    assert sorted(p.name for p in (directory / "corpora").iterdir()) == ["small.txt"]


def test_a_file_without_an_address_points_to_the_readme(tmp_path):
    with pytest.raises(data.DataError, match="no address serves this file's bytes: seqjax's documentation, docs/data.md"):
        data.locate(data.KnownFile("fashion-mnist/x.gz", "0" * 64), directory=tmp_path, download_option="--download")


def test_empty_and_non_utf8_files_give_clear_errors(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "latin1.txt").write_bytes("caf\u00e9 cr\u00e8me".encode("latin-1"))
    with pytest.raises(data.DataError, match="empty.txt: the file is empty"):
        data.read_text(tmp_path / "empty.txt")
    with pytest.raises(data.DataError, match=r"latin1.txt: not UTF-8 text \(byte 0xe9 at offset 3"):
        data.read_text(tmp_path / "latin1.txt")


@pytest.mark.parametrize("level", ["char", "word"])
def test_vocabulary_round_trip_through_json(tmp_path, level):
    text = "To be, or not to be:\nthat is the question.\n"
    vocabulary = data.Vocabulary.from_text(text, level)
    vocabulary.save(tmp_path / "vocabulary.json")
    loaded = data.Vocabulary.load(tmp_path / "vocabulary.json")
    assert loaded == vocabulary
    ids = loaded.encode(text)
    assert ids.dtype == np.int32 and ids.max() < loaded.size
    expected = text if level == "char" else "To be, or not to be:\nthat is the question.\n"
    assert loaded.decode(ids) == expected
    assert (tmp_path / "vocabulary.json").read_text().startswith("{")


def test_words_are_separated_by_spaces_and_newlines_are_tokens():
    assert data.tokenize("a  b\n c", "word") == ["a", "b", "\n", "c"]
    assert data.detokenize(["a", "b", "\n", "c"], "word") == "a b\nc"


def test_unknown_tokens_are_named():
    vocabulary = data.Vocabulary.from_text("abc")
    with pytest.raises(data.DataError, match="'z' is not in the 3-token vocabulary"):
        vocabulary.encode("abz")
    with pytest.raises(data.DataError, match="'z', 'y' are not in the 3-token vocabulary"):
        vocabulary.encode("azbyz")
    assert vocabulary.unknown("azbyz") == ["z", "y"]


def test_split_by_position_keeps_the_last_tenth_for_validation():
    ids = np.arange(1000, dtype=np.int32)
    train, validation = data.split_by_position(ids, 0.1)
    np.testing.assert_array_equal(train, np.arange(900))
    np.testing.assert_array_equal(validation, np.arange(900, 1000))
