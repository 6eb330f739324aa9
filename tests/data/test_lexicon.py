"""Token ids with padding and unknown tokens."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax.data import DataError
from seqjax.data.lexicon import (
    PAD,
    UNKNOWN,
    Lexicon,
    length_bucketed_batch_rows,
    pad_to,
    round_up,
    shuffled_batch_rows,
)


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


def test_round_up_and_shuffled_batches_visit_each_example_once_an_epoch_in_a_seeded_order():
    assert [round_up(n, 16) for n in (1, 16, 17)] == [16, 16, 32]
    rows_at, per_epoch = shuffled_batch_rows(10, 3, seed=0)
    assert per_epoch == 3
    epoch = np.concatenate([rows_at(step) for step in range(3)])
    assert len(set(epoch.tolist())) == 9 and all(len(rows_at(s)) == 3 for s in range(6))
    assert not np.array_equal(rows_at(0), rows_at(3))  # a new order each epoch
    np.testing.assert_array_equal(rows_at(4), shuffled_batch_rows(10, 3, seed=0)[0](4))
    with pytest.raises(DataError, match="batch_size"):
        shuffled_batch_rows(2, 3, seed=0)


def test_length_bucketed_batches_cover_an_epoch_and_group_similar_lengths():
    lengths = np.random.default_rng(0).integers(1, 60, size=1000)
    rows_at, per_epoch = length_bucketed_batch_rows(lengths, 10, seed=0, pool_batches=20)
    assert per_epoch == 100
    epoch = np.concatenate([rows_at(step) for step in range(per_epoch)])
    assert sorted(epoch.tolist()) == list(range(1000))  # every example once
    spread = np.mean([np.ptp(lengths[rows_at(step)]) for step in range(per_epoch)])
    random_spread = np.mean([np.ptp(lengths[rows]) for rows in np.split(np.arange(1000), 100)])
    assert spread < random_spread / 5  # batches of similar lengths
    assert not np.array_equal(rows_at(0), rows_at(per_epoch))  # a new order each epoch
    np.testing.assert_array_equal(rows_at(150), length_bucketed_batch_rows(lengths, 10, 0, 20)[0](150))
    with pytest.raises(DataError, match="batch_size"):
        length_bucketed_batch_rows(lengths[:5], 10, seed=0)
