"""POS tagging, CI-sized: a small tagger learns a synthetic treebank whose tags follow from
word endings and order, well above the majority tag, including on words unseen in training."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.pos_tagging.config import TaggingConfig
from experiments.pos_tagging.experiment import run
from experiments.pos_tagging.train import parse_config
from seqjax import train
from seqjax.data.conllu import TaggedSentence

ENDINGS = {"NOUN": "ion", "VERB": "ing", "ADJ": "ous"}


def _sentences(seed: int, count: int) -> list[TaggedSentence]:
    """DET ADJ* NOUN VERB (ADV) sentences; content words are random stems with a tag's ending."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("bcdfgklmnprstvz"))

    def word(tag: str) -> str:
        return "".join(rng.choice(letters, 3)) + ENDINGS[tag]

    sentences = []
    for _ in range(count):
        tags = ["DET"] + ["ADJ"] * int(rng.integers(0, 3)) + ["NOUN", "VERB"] + ["ADV"] * int(rng.integers(0, 2))
        words = [{"DET": str(rng.choice(["the", "a", "The"])), "ADV": "quickly"}.get(t) or word(t) for t in tags]
        sentences.append(TaggedSentence(tuple(words), tuple(tags)))
    return sentences


def test_a_small_tagger_learns_tags_well_above_the_majority_tag(tmp_path):
    splits = {"train": _sentences(0, 300), "dev": _sentences(1, 60), "test": _sentences(2, 60)}
    config = TaggingConfig(epochs=4, batch_size=16, embed_size=16, hidden_size=16, num_layers=1,
                           learning_rate=1e-2, dropout_rate=0.1, run_dir=str(tmp_path))
    results = run(config, splits)
    tags = [t for s in splits["test"] for t in s.tags]
    majority = max(tags.count(t) for t in set(tags)) / len(tags)
    assert majority < 0.35
    assert results["test"]["accuracy"] > 0.9
    assert results["test"]["unseen_accuracy"] > 0.8  # random stems: only the character features can tell
    assert (tmp_path / "results.json").exists() and (tmp_path / "words.json").exists()
    # The reported model is the epoch best on dev, as the loop measured it, not the last one.
    evaluations = [r for r in train.read_metrics(tmp_path) if r["split"] == "eval"]
    best = max(evaluations, key=lambda r: r["accuracy"])
    assert results["best_step"] == best["step"]
    assert results["dev"]["accuracy"] == pytest.approx(best["accuracy"], abs=1e-9)


def test_every_option_is_a_flag():
    config = parse_config(["--epochs", "3", "--no-char-features", "--hidden-size", "8"])
    assert config == TaggingConfig(epochs=3, char_features=False, hidden_size=8)
