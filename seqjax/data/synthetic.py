"""Generated long-range tasks for studying vanishing and exploding gradients (seeded numpy).

- **Adding problem** (Hochreiter & Schmidhuber 1997; Le et al. 2015): ``T`` steps of two
  channels, a random number in ``[0, 1)`` and a marker that is 1 at exactly two steps, one
  in each half; the target is the sum of the two marked numbers. Predicting 1 always gives
  an MSE of 1/6 (the trivial baseline, ``ADDING_BASELINE_MSE``).
- **Copy task** (Arjovsky et al. 2016): ``remember`` symbols from ``1..symbols``, then
  ``T`` blanks (0), a delimiter (``symbols + 1``) and ``remember - 1`` more blanks; the
  target is blank everywhere except the last ``remember`` steps, which repeat the symbols.
  A memoryless model that predicts blanks where they are certain and a uniform guess
  over the symbols in the last ``remember`` steps scores ``copy_baseline_cross_entropy``.
"""

from __future__ import annotations

import math

import numpy as np

from seqjax.data.files import DataError

ADDING_BASELINE_MSE = 1.0 / 6.0
"""The adding problem's MSE when always predicting 1, the mean of the target (its variance, 1/6)."""


def adding_problem(seed: int, batch: int, time: int) -> tuple[np.ndarray, np.ndarray]:
    """``(inputs [batch, time, 2] float32, targets [batch] float32)`` of the adding problem."""
    if time < 2:
        raise DataError(f"time: expected at least 2 steps, got {time}")
    rng = np.random.default_rng(seed)
    values = rng.random((batch, time), dtype=np.float32)
    half = time // 2
    first = rng.integers(0, half, batch)
    second = rng.integers(half, time, batch)
    markers = np.zeros((batch, time), np.float32)
    rows = np.arange(batch)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    targets = values[rows, first] + values[rows, second]
    return np.stack([values, markers], axis=-1), targets.astype(np.float32)


def copy_task(seed: int, batch: int, time: int, *, symbols: int = 8, remember: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """``(inputs [batch, time + 2 * remember] int32, targets [batch, time + 2 * remember] int32)``.

    Token ids: 0 blank, ``1..symbols`` data, ``symbols + 1`` the delimiter (``symbols + 2`` ids).
    """
    if time < 1 or symbols < 2 or remember < 1:
        raise DataError(f"time, symbols, remember: expected >= 1, >= 2, >= 1; got {time}, {symbols}, {remember}")
    rng = np.random.default_rng(seed)
    length = time + 2 * remember
    data = rng.integers(1, symbols + 1, (batch, remember)).astype(np.int32)
    inputs = np.zeros((batch, length), np.int32)
    inputs[:, :remember] = data
    inputs[:, remember + time - 1] = symbols + 1
    targets = np.zeros((batch, length), np.int32)
    targets[:, -remember:] = data
    return inputs, targets


def copy_baseline_cross_entropy(time: int, *, symbols: int = 8, remember: int = 10) -> float:
    """Mean cross-entropy per step (nats) of the memoryless baseline of ``copy_task``."""
    return remember * math.log(symbols) / (time + 2 * remember)
