"""The lab's tasks: how each makes its training batches, its evaluation set and its baseline.

Every task gives float32 inputs ``[batch, time, features]``; targets are ``[batch]`` floats
(adding), ``[batch]`` class ids (images) or ``[batch, time]`` symbol ids (copy). Training
batches are a function of the step alone, so a resumed run sees the same data.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Callable
from typing import Literal

import numpy as np

from seqjax import data
from seqjax.data import images

Kind = Literal["regression", "classification", "copy"]
Batch = dict[str, np.ndarray]
TASK_NAMES = ("adding", "copy", "digits", "permuted_digits", "fashion_pixels")
COPY_SYMBOLS, COPY_REMEMBER = 8, 10
_EVAL_SEED = 10**9  # training batches use seeds 0, 1, 2, ...; evaluation a seed far from them


@dataclasses.dataclass(frozen=True)
class Task:
    """A task as the runner sees it.

    Attributes:
      name: e.g. ``"adding-200"``.
      kind: ``"regression"`` (MSE), ``"classification"`` (accuracy) or ``"copy"`` (per-step cross-entropy).
      time: steps per sequence.
      input_size, output_size: features per step in, outputs (1, classes or symbols) out.
      metric: what ``evaluate`` reports and the table shows (``"mse"``, ``"accuracy"``, ``"cross_entropy"``).
      baseline: the metric of the trivial model (predict 1; the majority class; the memoryless copier).
      solved_at: the metric value that counts as solved (reached or beaten).
      train_batch: ``step -> batch`` of ``batch_size`` examples.
      eval_batch: the fixed evaluation set.
    """

    name: str
    kind: Kind
    time: int
    input_size: int
    output_size: int
    metric: str
    baseline: float
    solved_at: float
    train_batch: Callable[[int], Batch]
    eval_batch: Batch

    @property
    def higher_is_better(self) -> bool:
        return self.metric == "accuracy"


def adding(time: int, batch_size: int, eval_size: int = 1000) -> Task:
    """The adding problem at ``time`` steps; solved at MSE 0.01 (6 % of the baseline's 1/6)."""

    def as_batch(seed: int, size: int) -> Batch:
        inputs, targets = data.adding_problem(seed, size, time)
        return {"inputs": inputs, "targets": targets}

    return Task(
        f"adding-{time}", "regression", time, 2, 1, "mse", data.ADDING_BASELINE_MSE, 0.01,
        lambda step: as_batch(step, batch_size), as_batch(_EVAL_SEED, eval_size),
    )


def copy(blanks: int, batch_size: int, eval_size: int = 1000, remember: int = COPY_REMEMBER) -> Task:
    """The copy task: ``remember`` (10) symbols of 8, ``blanks`` blanks, recall; one-hot inputs of 10 ids.

    Solved at a cross-entropy of 10 % of the memoryless baseline's.
    """
    ids = COPY_SYMBOLS + 2

    def as_batch(seed: int, size: int) -> Batch:
        inputs, targets = data.copy_task(seed, size, blanks, symbols=COPY_SYMBOLS, remember=remember)
        return {"inputs": np.eye(ids, dtype=np.float32)[inputs], "targets": targets}

    baseline = data.copy_baseline_cross_entropy(blanks, symbols=COPY_SYMBOLS, remember=remember)
    suffix = "" if remember == COPY_REMEMBER else f"-remember-{remember}"
    return Task(
        f"copy-{blanks}{suffix}", "copy", blanks + 2 * remember, ids, ids, "cross_entropy", baseline,
        0.1 * baseline, lambda step: as_batch(step, batch_size), as_batch(_EVAL_SEED, eval_size),
    )


def _image_classification(
    name: str, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], batch_size: int, solved_at: float
) -> Task:
    """Pixel sequences ``[n, time, 1]`` and labels; batches drawn with replacement by a seeded generator."""
    train_inputs, train_labels = train
    test_inputs, test_labels = test

    def train_batch(step: int) -> Batch:
        chosen = np.random.default_rng(step).integers(0, len(train_labels), batch_size)
        return {"inputs": train_inputs[chosen], "targets": train_labels[chosen]}

    majority = np.bincount(test_labels).max() / len(test_labels)
    return Task(
        name, "classification", train_inputs.shape[1], 1, int(train_labels.max()) + 1, "accuracy", float(majority),
        solved_at, train_batch, {"inputs": test_inputs, "targets": test_labels},
    )


def digits(batch_size: int, *, permuted: bool = False) -> Task:
    """scikit-learn's 8 x 8 digits pixel by pixel (64 steps), optionally in a fixed permuted order (seed 0).

    Solved at 90 % test accuracy (360 test images).
    """
    permutation = images.fixed_permutation(64, seed=0) if permuted else None
    splits = []
    for split in ("train", "test"):
        pictures, labels = images.load_digits(split)
        splits.append((images.pixel_sequences(pictures, maximum=16.0, permutation=permutation), labels))
    return _image_classification("permuted-digits" if permuted else "digits", *splits, batch_size, 0.9)


def fashion_pixels(
    batch_size: int, *, data_dir: str | pathlib.Path | None = None, pool: int = 1, eval_size: int = 2000
) -> Task:
    """Fashion-MNIST pixel by pixel (784 steps; ``pool`` > 1 averages blocks first: 49 steps at 4).

    Evaluated on the first ``eval_size`` test images (2,000 of the 10,000: an evaluation of
    784 steps every few hundred training steps must stay cheap on a CPU); solved at 80 % accuracy.
    """
    splits = []
    for split in ("train", "test"):
        pictures, labels = images.load_fashion_mnist(split, data_dir)
        if split == "test":
            pictures, labels = pictures[:eval_size], labels[:eval_size]
        if pool > 1:
            pictures = images.average_pool(pictures, pool)
        splits.append((images.pixel_sequences(pictures), labels))
    time = splits[0][0].shape[1]
    return _image_classification(f"fashion-pixels-{time}", *splits, batch_size, 0.8)


def make_task(
    name: str, *, time: int, batch_size: int, data_dir: str | pathlib.Path | None = None, pool: int = 1
) -> Task:
    """The task called ``name`` (one of ``TASK_NAMES``); ``time`` sets the length of adding and the blanks of copy."""
    builders: dict[str, Callable[[], Task]] = {
        "adding": lambda: adding(time, batch_size),
        "copy": lambda: copy(time, batch_size),
        "digits": lambda: digits(batch_size),
        "permuted_digits": lambda: digits(batch_size, permuted=True),
        "fashion_pixels": lambda: fashion_pixels(batch_size, data_dir=data_dir, pool=pool),
    }
    if name not in builders:
        raise ValueError(f"task: expected one of {sorted(builders)}, received {name!r}")
    return builders[name]()
