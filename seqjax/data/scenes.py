"""Captioned scenes composed from real images: one to four Fashion-MNIST items on a 2 x 2 grid,
with a generated caption that names them and where they are.

A scene is a ``64 x 64`` canvas of four ``32 x 32`` cells; each item (a ``28 x 28`` image)
sits in its cell at a random offset of up to 4 pixels. Captions (words separated by spaces):

- one item: ``"a sandal in the top left"``;
- two items in one row: ``"a sandal to the left of a dress"``; in one column: ``"a bag above a shirt"``;
- otherwise, in reading order: ``"a coat in the top left , a bag in the top right and a boot in the bottom right"``.

To test generalisation to unseen combinations, ``HELD_OUT_PAIRS`` are pairs of classes that
never appear together in scenes made with ``held_out="exclude"`` (training and validation)
and of which every scene made with ``held_out="require"`` (the test) holds at least one.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np

from seqjax.data.files import DataError

CLASS_WORDS = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot")
POSITIONS = ("top left", "top right", "bottom left", "bottom right")
HELD_OUT_PAIRS = frozenset({(0, 5), (1, 8), (2, 9), (3, 7), (4, 6)})
CANVAS, CELL, ITEM = 64, 32, 28
EMPTY = -1


@dataclasses.dataclass(frozen=True)
class Scenes:
    """``images [n, 64, 64]`` float32 in ``[0, 1]``, ``cells [n, 4]`` (the class in each cell, or -1),
    and one caption per scene."""

    images: np.ndarray
    cells: np.ndarray
    captions: list[str]


def caption(cells: np.ndarray) -> str:
    """The caption of a scene with ``cells [4]`` (class ids, -1 where empty; in reading order)."""
    filled = [(int(cell), int(c)) for cell, c in enumerate(cells) if c != EMPTY]
    if not filled:
        raise DataError("caption: a scene needs at least one item")
    (first, a), *rest = filled
    if not rest:
        return f"a {CLASS_WORDS[a]} in the {POSITIONS[first]}"
    if len(rest) == 1:
        second, b = rest[0]
        if first // 2 == second // 2:
            return f"a {CLASS_WORDS[a]} to the left of a {CLASS_WORDS[b]}"
        if first % 2 == second % 2:
            return f"a {CLASS_WORDS[a]} above a {CLASS_WORDS[b]}"
    phrases = [f"a {CLASS_WORDS[c]} in the {POSITIONS[cell]}" for cell, c in filled]
    return " , ".join(phrases[:-1]) + " and " + phrases[-1]


def has_held_out_pair(cells: np.ndarray) -> bool:
    present = {int(c) for c in cells if c != EMPTY}
    return any(a in present and b in present for a, b in HELD_OUT_PAIRS)


def compose_scenes(
    images: np.ndarray, labels: np.ndarray, count: int, seed: int, held_out: Literal["exclude", "require"]
) -> Scenes:
    """``count`` scenes from ``images [N, 28, 28]`` (uint8) with class ``labels [N]``, seeded.

    ``held_out="exclude"``: no scene holds a pair of ``HELD_OUT_PAIRS``; ``"require"``: every scene
    holds one (and so two to four items)."""
    if held_out not in ("exclude", "require"):
        raise DataError(f"held_out: expected 'exclude' or 'require', got {held_out!r}")
    if images.shape[1:] != (ITEM, ITEM) or len(images) != len(labels):
        raise DataError(f"images: expected [N, {ITEM}, {ITEM}] with N labels, got {images.shape} and {len(labels)} labels")
    by_class = [np.flatnonzero(labels == c) for c in range(len(CLASS_WORDS))]
    missing = [CLASS_WORDS[c] for c, rows in enumerate(by_class) if not len(rows)]
    if missing:
        raise DataError(f"labels: expected images of all {len(CLASS_WORDS)} classes, none of {missing}")
    rng = np.random.default_rng(seed)
    canvases = np.zeros((count, CANVAS, CANVAS), np.float32)
    all_cells = np.full((count, 4), EMPTY, np.int32)
    for n in range(count):
        while True:
            cells = np.full(4, EMPTY, np.int32)
            chosen = rng.choice(4, size=int(rng.integers(1, 5)), replace=False)
            cells[chosen] = rng.integers(0, len(CLASS_WORDS), size=len(chosen))
            if has_held_out_pair(cells) == (held_out == "require"):
                break
        for cell in chosen:
            image = images[rng.choice(by_class[cells[cell]])]
            top, left = (cell // 2) * CELL + int(rng.integers(0, 5)), (cell % 2) * CELL + int(rng.integers(0, 5))
            canvases[n, top : top + ITEM, left : left + ITEM] = image / 255.0
        all_cells[n] = cells
    return Scenes(canvases, all_cells, [caption(cells) for cells in all_cells])
