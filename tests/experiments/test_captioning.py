"""Captioning, CI-sized: scenes of synthetic items (one stripe pattern per class) captioned far
better than the most frequent caption; greedy and beam search both evaluated."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from experiments.captioning.config import CaptioningConfig
from experiments.captioning.experiment import run, scores
from experiments.captioning.train import parse_config
from seqjax.data.scenes import compose_scenes


def _items(seed):
    """Three noisy 28 x 28 images per class, class ``c`` a bright stripe at rows ``2c .. 2c + 5``."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), 3)
    images = rng.random((30, 28, 28)) * 60
    for i, c in enumerate(labels):
        images[i, 2 * c : 2 * c + 6] += 180
    return images.astype(np.uint8), labels


def test_a_tiny_captioner_beats_the_most_frequent_caption(tmp_path):
    images, labels = _items(0)
    scenes = {"train": compose_scenes(images, labels, 1000, 0, "exclude"),
              "valid": compose_scenes(images, labels, 100, 1, "exclude"),
              "test": compose_scenes(images, labels, 100, 2, "require")}
    config = CaptioningConfig(epochs=3, batch_size=32, hidden_size=64, embed_size=16, learning_rate=6e-3,
                              dropout_rate=0.0, beam_width=2, run_dir=str(tmp_path))
    results = run(config, scenes)
    most_frequent = collections.Counter(scenes["train"].captions).most_common(1)[0][0]
    baseline = scores([most_frequent] * 100, scenes["valid"].captions)["bleu4"]
    assert results["greedy"]["valid"]["bleu4"] > baseline + 25  # 46.8 against 12.5 when written
    assert results["beam"]["valid"]["bleu4"] > baseline + 25
    assert results["greedy"]["test"]["bleu4"] > baseline + 20  # unseen pairs of classes
    assert (tmp_path / "captions.png").stat().st_size > 0


def test_options_are_checked_by_the_command_line():
    assert parse_config(["--no-attend"]).attend is False
    with pytest.raises(SystemExit):
        parse_config(["--beam-width", "wide"])
