"""Sentiment, CI-sized: every pooling learns a synthetic polarity task well above chance."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from experiments.sentiment.train import SentimentConfig, member_architectures, parse_config, run
from seqjax import models
from seqjax.data.polarity import cross_validation_folds


def _data(count=400, seed=0):
    """Sentences of filler words with one cue word, placed anywhere, that decides the label."""
    rng = np.random.default_rng(seed)
    filler = [f"w{i}" for i in range(30)]
    cues = {1: ["good", "great", "fine"], 0: ["bad", "dull", "awful"]}
    sentences, labels = [], []
    for _ in range(count):
        label = int(rng.integers(0, 2))
        words = list(rng.choice(filler, int(rng.integers(4, 12))))
        words.insert(int(rng.integers(0, len(words) + 1)), str(rng.choice(cues[label])))
        sentences.append(tuple(words))
        labels.append(label)
    return sentences, np.array(labels, np.int32)


@pytest.mark.parametrize("pooling", models.POOLINGS)
def test_every_pooling_learns_well_above_chance(tmp_path, pooling):
    config = SentimentConfig(pooling=pooling, epochs=4, batch_size=20, embed_size=16, hidden_size=16,
                             dropout_rate=0.1, learning_rate=1e-2, min_word_count=1, run_dir=str(tmp_path))
    results = run(config, _data())
    assert results["mean_accuracy"] > 0.85
    assert (tmp_path / "results.json").exists()


@pytest.mark.parametrize("flag, value", [("--pooling", "median"), ("--pooling", "max,median"), ("--cell", "lstm,tcn")])
def test_bad_pooling_or_cell_is_refused_by_the_command_line(flag, value):
    with pytest.raises(ValueError, match=rf"{flag[2:]}: expected one of .* received '{value}'"):
        parse_config([flag, value])


def test_a_mixed_ensemble_takes_every_cell_and_pooling_pair_in_turn(tmp_path):
    config = SentimentConfig(pooling="max,attention", cell="lstm,gru", ensemble=5)
    assert member_architectures(config) == [("lstm", "max"), ("lstm", "attention"), ("gru", "max"),
                                            ("gru", "attention"), ("lstm", "max")]
    small = dataclasses.replace(config, ensemble=2, epochs=1, batch_size=20, embed_size=8, hidden_size=8,
                                dropout_rate=0.1, learning_rate=1e-2, min_word_count=1, run_dir=str(tmp_path))
    results = run(small, _data(100))
    assert results["member_architectures"] == ["lstm/max", "lstm/attention"]
    assert len(results["member_accuracies"][0]) == 2


def test_an_empty_ensemble_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"ensemble: expected a number of models >= 1, received 0"):
        run(SentimentConfig(ensemble=0, run_dir=str(tmp_path)), _data(50))


def test_a_larger_ensemble_in_the_same_run_dir_trains_only_the_members_it_adds(tmp_path):
    config = SentimentConfig(pooling="max", epochs=1, batch_size=20, embed_size=8, hidden_size=8, dropout_rate=0.1,
                             learning_rate=1e-2, min_word_count=1, run_dir=str(tmp_path))
    data = _data(100)
    first = run(config, data)
    assert first["fold_accuracies"] == first["member_accuracies"][0]  # one member is its own ensemble
    saved = [tmp_path / "fold-0" / f"member-{m}" / "test_probabilities.npy" for m in range(2)]
    written = saved[0].stat().st_mtime_ns
    second = run(dataclasses.replace(config, ensemble=2), data)
    assert saved[0].stat().st_mtime_ns == written and saved[1].is_file()
    assert second["member_accuracies"][0][0] == first["member_accuracies"][0][0]
    assert len(second["member_accuracies"][0]) == 2
    held_out_labels = data[1][cross_validation_folds(100, 10, config.seed)[0]]
    averaged = np.mean([np.load(path) for path in saved], axis=0)  # [held out, 2]
    assert second["fold_accuracies"][0] == np.mean(np.argmax(averaged, axis=-1) == held_out_labels)
    with pytest.raises(ValueError, match=r"holds a run with other options \(hidden_size\); expected the same"):
        run(dataclasses.replace(config, hidden_size=16), data)
