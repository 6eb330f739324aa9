"""Composed scenes: captions from positions, held-out pairs kept out of training and in test."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax.data import DataError
from seqjax.data.scenes import CLASS_WORDS, EMPTY, caption, compose_scenes, has_held_out_pair


def test_captions_name_items_and_positions():
    E = EMPTY
    assert caption(np.array([E, E, 5, E])) == "a sandal in the bottom left"
    assert caption(np.array([5, 3, E, E])) == "a sandal to the left of a dress"
    assert caption(np.array([E, 8, E, 6])) == "a bag above a shirt"
    assert caption(np.array([4, E, E, 9])) == "a coat in the top left and a boot in the bottom right"
    assert caption(np.array([4, 8, E, 9])) == ("a coat in the top left , a bag in the top right and "
                                               "a boot in the bottom right")
    with pytest.raises(DataError, match="at least one item"):
        caption(np.array([E, E, E, E]))


def _items(seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), 3)
    images = (rng.random((30, 28, 28)) * 255).astype(np.uint8)
    return images, labels


def test_scenes_place_each_item_in_its_cell_and_keep_held_out_pairs_apart():
    images, labels = _items()
    train = compose_scenes(images, labels, 200, seed=0, held_out="exclude")
    test = compose_scenes(images, labels, 50, seed=1, held_out="require")
    assert train.images.shape == (200, 64, 64) and 0.0 <= train.images.min() and train.images.max() <= 1.0
    assert not any(has_held_out_pair(cells) for cells in train.cells)
    assert all(has_held_out_pair(cells) for cells in test.cells)
    for image, cells, text in zip(train.images, train.cells, train.captions):
        for cell, c in enumerate(cells):
            quadrant = image[(cell // 2) * 32 : (cell // 2) * 32 + 32, (cell % 2) * 32 : (cell % 2) * 32 + 32]
            assert (quadrant.sum() > 0) == (c != EMPTY)
            assert c == EMPTY or CLASS_WORDS[c] in text.split()
    again = compose_scenes(images, labels, 200, seed=0, held_out="exclude")
    assert np.array_equal(again.images, train.images) and again.captions == train.captions


def test_bad_inputs_are_refused():
    images, labels = _items()
    with pytest.raises(DataError, match="held_out"):
        compose_scenes(images, labels, 5, 0, held_out="maybe")
    with pytest.raises(DataError, match=r"none of \['boot'\]"):
        compose_scenes(images[:27], labels[:27], 5, 0, held_out="exclude")
    with pytest.raises(DataError, match=r"expected \[N, 28, 28\]"):
        compose_scenes(images[:, :20], labels, 5, 0, held_out="exclude")
