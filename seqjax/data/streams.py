"""Batching as char-rnn does it: the token stream cut into parallel streams, served in chunks.

The ``N + 1`` tokens of a split give ``N`` (input, target) pairs, ``target = next token``.
The pairs are cut into ``batch`` contiguous streams (the first ``N % batch`` streams one pair
longer), and each stream into chunks of ``seq_len`` steps: chunk ``i`` of the epoch is
``[batch, seq_len]`` with row ``b`` the ``i``-th piece of stream ``b``. Consecutive chunks
continue each row, so a model's carry passes from chunk to chunk (truncated BPTT). The last
chunk is padded where a stream has ended; its ``lengths`` say how many steps of each row are
real. So every target of the split is served exactly once per epoch, in order within its
stream. ``reset`` is true in the first chunk of every epoch (the streams start over).
"""

from __future__ import annotations

import math

import numpy as np

from seqjax.data.files import DataError


class StreamBatches:
    """The chunks of one split (see the module docstring).

    Args:
      ids: ``[N + 1]`` token ids of the split, in order.
      batch: the number of parallel streams.
      seq_len: the steps of a chunk.
      rows: the streams that ``chunk`` serves (default: all); a process of a multi-process run
        serves its own (``seqjax.train.distributed.process_rows``), and the streams are cut
        as for the whole batch, so the processes' chunks together are the whole batch's.
    """

    def __init__(self, ids: np.ndarray, batch: int, seq_len: int, rows: slice = slice(None)):
        ids = np.asarray(ids, np.int32)
        if batch < 1 or seq_len < 1:
            raise DataError(f"batch and seq_len: expected positive ints, got {batch} and {seq_len}")
        pairs = len(ids) - 1
        if pairs < batch:
            raise DataError(f"a split of {len(ids)} tokens cannot fill {batch} streams (needs at least {batch + 1})")
        self.batch, self.seq_len, self.rows = batch, seq_len, rows
        base, extra = divmod(pairs, batch)
        self.stream_lengths = np.array([base + (b < extra) for b in range(batch)], np.int64)  # [batch]
        starts = np.concatenate([[0], np.cumsum(self.stream_lengths)[:-1]])
        self.chunks_per_epoch = math.ceil(int(self.stream_lengths.max()) / seq_len)
        width = self.chunks_per_epoch * seq_len
        served = range(batch)[rows]
        if not served:
            raise DataError(f"rows: expected a non-empty slice of the {batch} streams, got {rows}")
        self._inputs = np.zeros((len(served), width), np.int32)
        self._targets = np.zeros((len(served), width), np.int32)
        for row, b in enumerate(served):
            start, length = starts[b], self.stream_lengths[b]
            self._inputs[row, :length] = ids[start : start + length]
            self._targets[row, :length] = ids[start + 1 : start + 1 + length]

    @property
    def targets_per_epoch(self) -> int:
        return int(self.stream_lengths.sum())

    def chunk(self, index: int) -> dict[str, np.ndarray]:
        """Chunk ``index`` (any int; it wraps around the epoch).

        Returns ``inputs [rows, seq_len]``, ``targets [rows, seq_len]`` (int32),
        ``lengths [rows]`` (real steps of each row, int32) and ``reset [rows]`` (bool), where
        ``rows`` is the number of streams served (``batch`` unless ``rows`` was given).
        """
        position = index % self.chunks_per_epoch
        begin = position * self.seq_len
        lengths = np.clip(self.stream_lengths[self.rows] - begin, 0, self.seq_len).astype(np.int32)
        return {
            "inputs": self._inputs[:, begin : begin + self.seq_len],
            "targets": self._targets[:, begin : begin + self.seq_len],
            "lengths": lengths,
            "reset": np.full((len(lengths),), position == 0),
        }
