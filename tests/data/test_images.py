"""Images as pixel sequences: IDX reading, Fashion-MNIST (real files), the digits, permutation and pooling."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from seqjax.data import DataError, data_dir, images


def _write_idx(path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as file:
        file.write(header + array.astype(np.uint8).tobytes())


def test_idx_files_are_read_with_their_shape_and_bad_ones_are_refused(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    _write_idx(tmp_path / "a.gz", array)
    np.testing.assert_array_equal(images.read_idx(tmp_path / "a.gz"), array)
    with gzip.open(tmp_path / "short.gz", "wb") as file:
        file.write(bytes([0, 0, 0x08, 1]) + (10).to_bytes(4, "big") + bytes(3))
    with pytest.raises(DataError, match=r"shape \(10,\).*holds 3"):
        images.read_idx(tmp_path / "short.gz")
    (tmp_path / "text").write_bytes(b"hello world")
    with pytest.raises(DataError, match="not an IDX file"):
        images.read_idx(tmp_path / "text")


def test_a_fashion_mnist_file_with_another_digest_is_refused(tmp_path):
    (tmp_path / "fashion-mnist").mkdir()
    for split in ("train", "test"):
        for kind in ("images", "labels"):
            _write_idx(tmp_path / images.FASHION_MNIST_FILES[split, kind].name, np.zeros((1, 28, 28) if kind == "images" else (1,)))
    with pytest.raises(DataError, match="sha256"):
        images.load_fashion_mnist("test", tmp_path)
    with pytest.raises(DataError, match="'train' or 'test'"):
        images.load_fashion_mnist("valid", tmp_path)


@pytest.mark.skipif(not (data_dir() / "fashion-mnist").is_dir(), reason="../shared/data/fashion-mnist is absent")
def test_real_fashion_mnist_has_balanced_classes_and_the_published_first_labels():
    pictures, labels = images.load_fashion_mnist("test")
    assert pictures.shape == (10_000, 28, 28) and pictures.dtype == np.uint8
    assert np.bincount(labels).tolist() == [1000] * 10
    # The first test labels as published with the data set (Ankle boot, Pullover, Trouser, Trouser, Shirt, ...).
    assert labels[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    sequences = images.pixel_sequences(pictures[:5])
    assert sequences.shape == (5, 784, 1) and 0.0 <= sequences.min() and sequences.max() <= 1.0
    np.testing.assert_allclose(sequences[2, 28 * 10 + 7, 0], pictures[2, 10, 7] / 255.0)


def test_digits_splits_are_disjoint_and_cover_the_1797_images():
    pytest.importorskip("sklearn")
    train, test = images.load_digits("train"), images.load_digits("test")
    assert train[0].shape == (1437, 8, 8) and test[0].shape == (images.DIGITS_TEST_SIZE, 8, 8)
    assert train[0].max() == 16 and set(np.unique(test[1])) == set(range(10))
    flat = {row.tobytes() for row in train[0].reshape(len(train[0]), -1)}
    assert sum(row.tobytes() in flat for row in test[0].reshape(len(test[0]), -1)) < 5  # a few true duplicates at most


def test_permutation_reorders_every_sequence_the_same_way_and_is_fixed_by_its_seed():
    pictures = np.random.default_rng(0).integers(0, 17, (3, 8, 8))
    order = images.fixed_permutation(64, seed=0)
    np.testing.assert_array_equal(order, images.fixed_permutation(64, seed=0))
    assert not np.array_equal(order, np.arange(64))
    permuted = images.pixel_sequences(pictures, maximum=16.0, permutation=order)
    for step in (0, 17, 63):
        np.testing.assert_allclose(permuted[:, step, 0], pictures.reshape(3, 64)[:, order[step]] / 16.0)
    with pytest.raises(DataError, match="permutation"):
        images.pixel_sequences(pictures, permutation=np.zeros(64, int))


def test_average_pool_takes_block_means():
    pictures = np.arange(2 * 4 * 6).reshape(2, 4, 6)
    pooled = images.average_pool(pictures, 2)
    assert pooled.shape == (2, 2, 3)
    assert pooled[1, 1, 2] == np.mean(pictures[1, 2:4, 4:6])
    with pytest.raises(DataError, match="divisor"):
        images.average_pool(pictures, 4)
