"""rt-polarity: latin-1 sentences, errors naming file and line, fixed cross-validation folds."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax.data import DataError, data_dir
from seqjax.data.polarity import cross_validation_folds, load_rt_polarity, read_sentences


def test_latin1_lines_become_token_tuples_and_bad_lines_are_named(tmp_path):
    (tmp_path / "a.pos").write_bytes("a fine , touching film .\nun film très beau\n".encode("latin-1"))
    assert read_sentences(tmp_path / "a.pos") == [("a", "fine", ",", "touching", "film", "."),
                                                  ("un", "film", "très", "beau")]
    with pytest.raises(DataError, match=r"a.pos:2: not utf-8"):
        read_sentences(tmp_path / "a.pos", encoding="utf-8")
    (tmp_path / "b.neg").write_bytes(b"dull .\n   \nflat .\n")
    with pytest.raises(DataError, match=r"b.neg:2: an empty line"):
        read_sentences(tmp_path / "b.neg")


def test_folds_are_disjoint_cover_everything_and_are_fixed_by_the_seed():
    folds = cross_validation_folds(103, 10, seed=0)
    assert len(folds) == 10 and sorted(np.concatenate(folds).tolist()) == list(range(103))
    assert all(np.array_equal(a, b) for a, b in zip(folds, cross_validation_folds(103, 10, seed=0)))
    with pytest.raises(DataError, match="folds"):
        cross_validation_folds(5, 10)


@pytest.mark.skipif(not (data_dir() / "rt-polarity.pos").is_file(), reason="../shared/data is absent")
def test_real_data_has_5331_sentences_of_each_polarity():
    sentences, labels = load_rt_polarity()
    assert len(sentences) == 10_662 and labels.sum() == 5331
    assert sentences[0][:4] == ("the", "rock", "is", "destined")
    assert any("é" in token for sentence in sentences for token in sentence)  # latin-1 decoded
