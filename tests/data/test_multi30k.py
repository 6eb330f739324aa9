"""Multi30k: gzip'd UTF-8 lines, errors naming file and line, aligned pairs, verified real files."""

from __future__ import annotations

import gzip

import pytest

from seqjax.data import DataError, data_dir
from seqjax.data.multi30k import load_parallel, read_lines, read_parallel


def _gz(path, data: bytes):
    with gzip.open(path, "wb") as file:
        file.write(data)
    return path


def test_gzipped_utf8_lines_are_read_and_bad_lines_are_named(tmp_path):
    good = _gz(tmp_path / "a.de.gz", "Ein Mann läuft.\nZwei Hunde spielen.\n".encode())
    assert read_lines(good) == ["Ein Mann läuft.", "Zwei Hunde spielen."]
    latin1 = _gz(tmp_path / "b.de.gz", "Ein Mann.\nEin Mädchen.\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"b.de.gz:2: not UTF-8"):
        read_lines(latin1)
    blank = _gz(tmp_path / "c.en.gz", b"A man.\n  \nA dog.\n")
    with pytest.raises(DataError, match=r"c.en.gz:2: an empty line"):
        read_lines(blank)
    with pytest.raises(DataError, match=r"d.en.gz: no sentences"):
        read_lines(_gz(tmp_path / "d.en.gz", b""))
    (tmp_path / "plain.en").write_text("A man.\n")
    assert read_lines(tmp_path / "plain.en") == ["A man."]


def test_pairs_need_line_aligned_files(tmp_path):
    source = _gz(tmp_path / "s.de.gz", "Ein Mann.\nEin Hund.\n".encode())
    target = _gz(tmp_path / "t.en.gz", b"A man.\n")
    with pytest.raises(DataError, match=r"s.de.gz has 2 lines but .*t.en.gz has 1"):
        read_parallel(source, target)
    assert read_parallel(source, _gz(tmp_path / "u.en.gz", b"A man.\nA dog.\n"))[1] == ("Ein Hund.", "A dog.")


def test_bad_split_or_languages_are_refused():
    with pytest.raises(DataError, match="split: expected one of"):
        load_parallel("test_2017")
    with pytest.raises(DataError, match="source: expected one of .* got 'cs'"):
        load_parallel("val", "cs")
    with pytest.raises(DataError, match="two different languages"):
        load_parallel("val", "en", "en")


@pytest.mark.skipif(not (data_dir() / "multi30k" / "val.de.gz").is_file(), reason="../shared/data is absent")
def test_real_splits_have_the_published_sizes():
    sizes = {split: len(load_parallel(split, "de", "en")) for split in ("train", "val", "test_2016_flickr")}
    assert sizes == {"train": 29_000, "val": 1_014, "test_2016_flickr": 1_000}
    assert load_parallel("val", "fr", "en")[0][1] == load_parallel("val", "de", "en")[0][1]
