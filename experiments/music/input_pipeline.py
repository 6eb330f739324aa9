"""JSB chorales for next-step prediction: piano rolls to padded input/target batches.

A chorale's roll ``[time, 88]`` gives ``inputs = roll[:-1]`` and ``targets = roll[1:]``
(predict each quarter-note step from all before it), ``lengths = time - 1``. Batches are
padded to a multiple of ``LENGTH_MULTIPLE`` steps.
"""

from __future__ import annotations

import numpy as np

from seqjax.data.lexicon import round_up, shuffled_batch_rows

LENGTH_MULTIPLE = 32
Batch = dict[str, np.ndarray]


def batch_of(rolls: list[np.ndarray]) -> Batch:
    """``{"inputs", "targets"}`` ``[n, time, 88]`` and ``"lengths"`` ``[n]`` for the chorales ``rolls``."""
    lengths = np.array([len(roll) - 1 for roll in rolls], np.int32)
    time = round_up(int(lengths.max()), LENGTH_MULTIPLE)
    inputs = np.zeros((len(rolls), time, rolls[0].shape[1]), np.float32)
    targets = np.zeros_like(inputs)
    for i, roll in enumerate(rolls):
        inputs[i, : len(roll) - 1], targets[i, : len(roll) - 1] = roll[:-1], roll[1:]
    return {"inputs": inputs, "targets": targets, "lengths": lengths}


def make_batch_at(rolls: list[np.ndarray], batch_size: int, seed: int = 0):
    """``(step -> batch, batches per epoch)``: each epoch a fresh seeded order of the chorales."""
    rows_at, per_epoch = shuffled_batch_rows(len(rolls), batch_size, seed)
    return (lambda step: batch_of([rolls[i] for i in rows_at(step)])), per_epoch
