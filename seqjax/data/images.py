"""Images read as sequences, one pixel a step: sequential digits and pixel-by-pixel Fashion-MNIST.

- **Digits**: scikit-learn's bundled ``load_digits`` (1,797 grey 8 x 8 images, 10 classes,
  intensities 0..16): 64 steps. Needs the ``experiments`` extra (``pip install
  seqjax[experiments]``); nothing is downloaded.
- **Fashion-MNIST** (Xiao et al. 2017): 28 x 28 grey images of clothing, 10 balanced classes,
  60,000 train + 10,000 test, read from the gzip'd IDX files in the data directory
  (``fashion-mnist/``, digests verified): 784 steps.

``pixel_sequences`` turns ``[n, height, width]`` images into ``[n, height * width, 1]``
float32 sequences in ``[0, 1]``, optionally reordered by a fixed permutation (the
"permuted" variant of Le et al. 2015, which spreads neighbouring pixels far apart in time).
"""

from __future__ import annotations

import gzip
import pathlib
from typing import Literal

import numpy as np

from seqjax.data.files import DataError, KnownFile, locate

FASHION_MNIST_FILES = {
    ("train", "images"): KnownFile(
        "fashion-mnist/train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"
    ),
    ("train", "labels"): KnownFile(
        "fashion-mnist/train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"
    ),
    ("test", "images"): KnownFile(
        "fashion-mnist/t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"
    ),
    ("test", "labels"): KnownFile(
        "fashion-mnist/t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"
    ),
}
_IDX_UNSIGNED_BYTE = 0x08


def read_idx(path: str | pathlib.Path) -> np.ndarray:
    """The uint8 array of a (gzip'd) IDX file: ``[n]`` labels or ``[n, rows, cols]`` images."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as file:
        data = file.read()
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != _IDX_UNSIGNED_BYTE:
        raise DataError(f"{path}: not an IDX file of unsigned bytes (header {data[:4].hex()})")
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * dims)
    if body.size != np.prod(shape):
        raise DataError(f"{path}: header says shape {shape} ({np.prod(shape)} bytes), the file holds {body.size}")
    return body.reshape(shape)


def load_fashion_mnist(
    split: Literal["train", "test"], directory: str | pathlib.Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(images [n, 28, 28] uint8, labels [n] int32)`` of a split, digests verified.

    ``directory``: the data directory holding ``fashion-mnist/`` (see ``seqjax.data.data_dir``).
    """
    if split not in ("train", "test"):
        raise DataError(f"split: expected 'train' or 'test', got {split!r}")
    images = read_idx(locate(FASHION_MNIST_FILES[split, "images"], directory=directory))
    labels = read_idx(locate(FASHION_MNIST_FILES[split, "labels"], directory=directory))
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise DataError(f"Fashion-MNIST {split}: images {images.shape} and labels {labels.shape} do not match")
    return images, labels.astype(np.int32)


DIGITS_TEST_SIZE = 360


def load_digits(split: Literal["train", "test"]) -> tuple[np.ndarray, np.ndarray]:
    """``(images [n, 8, 8] uint8 in 0..16, labels [n] int32)`` from scikit-learn.

    The 1,797 images are shuffled once with seed 0; the last ``DIGITS_TEST_SIZE`` (360) are
    the test split, the other 1,437 the training split.
    """
    if split not in ("train", "test"):
        raise DataError(f"split: expected 'train' or 'test', got {split!r}")
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as error:
        raise DataError("the digits need scikit-learn: pip install 'seqjax[experiments]'") from error
    bunch = sklearn_digits()
    order = np.random.default_rng(0).permutation(len(bunch.target))
    chosen = order[:-DIGITS_TEST_SIZE] if split == "train" else order[-DIGITS_TEST_SIZE:]
    return bunch.images[chosen].astype(np.uint8), bunch.target[chosen].astype(np.int32)


def fixed_permutation(length: int, seed: int) -> np.ndarray:
    """``[length]``: the permutation of pixel positions drawn by ``seed`` (the same on every machine)."""
    return np.random.default_rng(seed).permutation(length)


def pixel_sequences(images: np.ndarray, *, maximum: float = 255.0, permutation: np.ndarray | None = None) -> np.ndarray:
    """``[n, height * width, 1]`` float32 in ``[0, 1]`` from ``images [n, height, width]``.

    ``maximum``: the brightest intensity (255 for Fashion-MNIST, 16 for the digits).
    ``permutation``: ``[height * width]`` order in which the pixels are read (row by row if None).
    """
    if images.ndim != 3:
        raise DataError(f"images: expected [n, height, width], got shape {images.shape}")
    flat = images.reshape(images.shape[0], -1).astype(np.float32) / maximum
    if permutation is not None:
        if sorted(np.asarray(permutation).tolist()) != list(range(flat.shape[1])):
            raise DataError(f"permutation: expected a permutation of 0..{flat.shape[1] - 1}")
        flat = flat[:, permutation]
    return flat[..., None]


def average_pool(images: np.ndarray, factor: int) -> np.ndarray:
    """``[n, height // factor, width // factor]``: means over ``factor x factor`` blocks (shorter sequences for quick runs)."""
    n, height, width = images.shape
    if factor < 1 or height % factor or width % factor:
        raise DataError(f"factor: expected a divisor of the image size {height}x{width}, got {factor}")
    blocks = images.reshape(n, height // factor, factor, width // factor, factor).astype(np.float32)
    return blocks.mean(axis=(2, 4))
