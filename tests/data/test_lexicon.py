"""Token ids with padding and unknown tokens."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax.data import DataError
from seqjax.data.lexicon import PAD, UNKNOWN, Lexicon, pad_to


def test_rare_and_unseen_tokens_map_to_unknown_and_lowercasing_applies(tmp_path):
    lexicon = Lexicon.build([["The", "cat", "the"], ["the", "dog", "Cat"]], min_count=2, lowercase=True)
    assert lexicon.tokens == (PAD, UNKNOWN, "the", "cat")
    np.testing.assert_array_equal(lexicon.encode(["THE", "Cat", "dog", "zebra"]), [2, 3, 1, 1])
    lexicon.save(tmp_path / "l.json")
    assert Lexicon.load(tmp_path / "l.json") == lexicon
    with pytest.raises(DataError, match="at least 5 times"):
        Lexicon.build([["a"]], min_count=5)


def test_pad_to_truncates_and_pads():
    padded = pad_to([np.array([1, 2, 3]), np.array([4])], 2)
    np.testing.assert_array_equal(padded, [[1, 2], [4, 0]])
