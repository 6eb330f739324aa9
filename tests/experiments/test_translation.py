"""Translation, CI-sized: a synthetic language pair whose target reverses the word order and
turns some words into two, so source and target differ in length and order; a tiny model
must beat the BLEU of fluent but unrelated target sentences by a wide margin."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.translation.config import TranslationConfig
from experiments.translation.experiment import corpus_bleu, run
from experiments.translation.train import parse_config


def _pairs(count, seed):
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(count):
        words = rng.integers(0, 12, size=int(rng.integers(3, 8)))
        source = " ".join(f"q{w}" for w in words)
        target = " ".join(f"t{w}" if w < 8 else f"t{w} x{w}" for w in words[::-1])
        pairs.append((source, target))
    return pairs


def test_a_tiny_model_learns_a_reordering_translation(tmp_path):
    splits = {"train": _pairs(1200, 0), "val": _pairs(60, 1), "test": _pairs(100, 2)}
    config = TranslationConfig(vocab_size=40, epochs=6, batch_size=32, learning_rate=1e-2, label_smoothing=0.0,
                               embed_size=16, encoder_size=32, decoder_size=32, dropout_rate=0.0, beam_width=3,
                               run_dir=str(tmp_path))
    results = run(config, splits)
    references = [target for _, target in splits["test"]]
    unrelated = corpus_bleu(references[1:] + references[:1], references)  # fluent, but not a translation
    assert unrelated < 15
    assert results["greedy"]["test_bleu"] > unrelated + 40
    assert results["beam"]["test_bleu"] > unrelated + 40
    hypotheses = (tmp_path / "test.beam.txt").read_text().splitlines()
    assert len(hypotheses) == 100 and all(word.startswith(("t", "x")) for word in hypotheses[0].split())
    assert (tmp_path / "results.json").exists() and (tmp_path / "target.model").exists()


def test_options_are_checked_by_the_command_line():
    assert parse_config(["--source", "en", "--target", "fr"]).target == "fr"
    with pytest.raises(SystemExit):
        parse_config(["--score", "cosine"])
