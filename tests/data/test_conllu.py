"""The CoNLL-U reader: words and UPOS tags, skipped lines, and errors that name file and line."""

from __future__ import annotations

import pytest

from seqjax.data import DataError, data_dir
from seqjax.data.conllu import load_ud_english_lines, read_conllu

GOOD = (
    "# sent_id = 1\n# text = Don't stop.\n"
    "1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "1\tDo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n"
    "2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_\n"
    "3\tstop\tstop\tVERB\tVB\t_\t0\troot\t_\t_\n"
    "3.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t_\t_\n"
    "4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n"
    "\n"
    "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n"
)


def test_words_and_tags_without_ranges_or_empty_nodes(tmp_path):
    (tmp_path / "a.conllu").write_text(GOOD, encoding="utf-8")
    first, second = read_conllu(tmp_path / "a.conllu")
    assert first.words == ("Do", "n't", "stop", ".") and first.tags == ("AUX", "PART", "VERB", "PUNCT")
    assert second.words == ("Hi",) and second.tags == ("INTJ",)
    assert read_conllu(tmp_path / "a.conllu", tag_column="xpos")[0].tags == ("VBP", "RB", "VB", ".")


@pytest.mark.parametrize(
    "content, message",
    [
        (GOOD.replace("\tPART\tRB\t_\t3\tadvmod\t_\t_", "\tPART\tRB"), r"a.conllu:5: expected 10 tab-separated columns.*found 5"),
        (GOOD.replace("\tPUNCT\t", "\tPUNC\t"), r"a.conllu:8: 'PUNC' is not a UPOS tag"),
        (GOOD.replace("\n\n1\tHi", "\n\n\n1\tHi"), r"a.conllu:10: a blank line that ends no sentence"),
        ("# only a comment\n", r"a.conllu: no sentences"),
    ],
    ids=["missing-columns", "unknown-tag", "empty-line", "empty-file"],
)
def test_malformed_files_are_refused_naming_file_and_line(tmp_path, content, message):
    (tmp_path / "a.conllu").write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_conllu(tmp_path / "a.conllu")


def test_wrong_encoding_is_refused_naming_the_line(tmp_path):
    (tmp_path / "a.conllu").write_bytes(GOOD.replace("Hi", "Café").encode("latin-1"))
    with pytest.raises(DataError, match=r"a.conllu:10: not UTF-8"):
        read_conllu(tmp_path / "a.conllu")


@pytest.mark.skipif(not (data_dir() / "ud-english-lines").is_dir(), reason="../shared/data/ud-english-lines is absent")
def test_real_treebank_has_the_documented_sentence_and_word_counts():
    counts = {split: load_ud_english_lines(split) for split in ("train", "dev", "test")}
    assert [len(s) for s in counts.values()] == [3457, 1118, 1121]  # as in ../shared/data/README.md
    assert sum(len(s.words) for split in counts.values() for s in split) == 106_305
