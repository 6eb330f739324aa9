"""char-rnn batching: parallel streams in chunks, every target once per epoch, in order."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax import data


@pytest.mark.parametrize("tokens,batch,seq_len", [(101, 4, 5), (1000, 7, 13), (50, 3, 100), (9, 8, 1)])
def test_every_target_is_served_exactly_once_per_epoch_in_order_within_each_stream(tokens, batch, seq_len):
    ids = np.arange(tokens, dtype=np.int32)  # the id is the position, so order is visible
    streams = data.StreamBatches(ids, batch, seq_len)
    rows: list[list[int]] = [[] for _ in range(batch)]
    for index in range(streams.chunks_per_epoch):
        chunk = streams.chunk(index)
        assert chunk["inputs"].shape == chunk["targets"].shape == (batch, seq_len)
        assert bool(chunk["reset"].all()) == (index == 0) and bool(chunk["reset"].any()) == (index == 0)
        for b in range(batch):
            n = int(chunk["lengths"][b])
            np.testing.assert_array_equal(chunk["targets"][b, :n], chunk["inputs"][b, :n] + 1)  # next token
            rows[b] += chunk["targets"][b, :n].tolist()
    served = [t for row in rows for t in row]
    assert sorted(served) == list(range(1, tokens))  # each target once
    assert served == list(range(1, tokens))  # streams are contiguous, in order, one after another
    assert streams.targets_per_epoch == tokens - 1


def test_chunks_wrap_around_to_the_next_epoch():
    streams = data.StreamBatches(np.arange(41, dtype=np.int32), 4, 5)
    assert streams.chunks_per_epoch == 2
    again = streams.chunk(2)
    np.testing.assert_array_equal(again["inputs"], streams.chunk(0)["inputs"])
    assert again["reset"].all()


def test_too_short_a_split_is_refused():
    with pytest.raises(data.DataError, match="cannot fill 8 streams"):
        data.StreamBatches(np.arange(5, dtype=np.int32), 8, 4)
