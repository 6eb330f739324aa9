"""Captioned Fashion-MNIST scenes: splits, the caption vocabulary, and the batches of a step.

Training scenes use the first 50,000 Fashion-MNIST training images, validation scenes the
last 10,000 (both without the held-out class pairs of ``seqjax.data.scenes``), test scenes
the 10,000 test images, every one with a held-out pair. Captions are split on spaces; the
vocabulary is every caption word plus padding (0), unknown (1), start (2) and end (3).
Every batch is padded to ``CAPTION_STEPS`` tokens (one compiled shape).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from seqjax.data.images import load_fashion_mnist
from seqjax.data.lexicon import PAD, UNKNOWN, Lexicon, pad_to, shuffled_batch_rows
from seqjax.data.scenes import Scenes, compose_scenes

START, END = "<s>", "</s>"
START_ID, END_ID = 2, 3
CAPTION_STEPS = 32
Batch = dict[str, np.ndarray]


def caption_lexicon(captions: list[str]) -> Lexicon:
    words = sorted({word for caption in captions for word in caption.split()})
    return Lexicon((PAD, UNKNOWN, START, END, *words))


@dataclasses.dataclass(frozen=True)
class EncodedScenes:
    """``images [n, 64, 64]``, ``token_inputs``/``token_outputs [n, CAPTION_STEPS]`` (start + caption,
    caption + end), ``lengths [n]`` (words + 1), and the captions as text."""

    images: np.ndarray
    token_inputs: np.ndarray
    token_outputs: np.ndarray
    lengths: np.ndarray
    captions: list[str]

    @classmethod
    def encode(cls, scenes: Scenes, lexicon: Lexicon) -> EncodedScenes:
        encoder = lexicon.encoder()
        ids = [encoder(caption.split()) for caption in scenes.captions]
        return cls(
            images=scenes.images,
            token_inputs=pad_to([np.concatenate([[START_ID], row]) for row in ids], CAPTION_STEPS),
            token_outputs=pad_to([np.concatenate([row, [END_ID]]) for row in ids], CAPTION_STEPS),
            lengths=np.array([len(row) + 1 for row in ids], np.int32),
            captions=scenes.captions,
        )

    def batch(self, rows: np.ndarray) -> Batch:
        return {name: getattr(self, name)[rows] for name in ("images", "token_inputs", "token_outputs", "lengths")}


def make_scenes(sizes: dict[str, int], seed: int, data_dir: str | None = None) -> dict[str, Scenes]:
    """``{"train", "valid", "test"}`` scenes of the given sizes (see the module docstring)."""
    train_images, train_labels = load_fashion_mnist("train", data_dir)
    test_images, test_labels = load_fashion_mnist("test", data_dir)
    return {
        "train": compose_scenes(train_images[:50_000], train_labels[:50_000], sizes["train"], seed, "exclude"),
        "valid": compose_scenes(train_images[50_000:], train_labels[50_000:], sizes["valid"], seed + 1, "exclude"),
        "test": compose_scenes(test_images, test_labels, sizes["test"], seed + 2, "require"),
    }


def make_batch_at(scenes: EncodedScenes, batch_size: int, seed: int = 0):
    """``(step -> batch, batches per epoch)``: each epoch a fresh seeded order of the scenes."""
    rows_at, per_epoch = shuffled_batch_rows(len(scenes.lengths), batch_size, seed)
    return (lambda step: scenes.batch(rows_at(step))), per_epoch
