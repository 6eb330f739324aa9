"""Sentiment, CI-sized: every pooling learns a synthetic polarity task well above chance."""

from __future__ import annotations

import dataclasses
import json

import jax
import numpy as np
import optax
import pytest

from experiments.sentiment.input_pipeline import batches, encode
from experiments.sentiment.config import SentimentConfig
from experiments.sentiment.experiment import member_architectures, pretrain_encoder, run, train_member
from experiments.sentiment.train import parse_config
from seqjax import models, train
from seqjax.data.lexicon import Lexicon


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
    config = SentimentConfig(pooling=(pooling,), epochs=4, batch_size=20, embed_size=16, hidden_size=16,
                             dropout_rate=0.1, learning_rate=1e-2, min_word_count=1, run_dir=str(tmp_path))
    results = run(config, _data())
    assert results["mean_accuracy"] > 0.85
    assert (tmp_path / "results.json").exists()


@pytest.mark.parametrize("flag, values", [("--pooling", ["median"]), ("--pooling", ["max", "median"]),
                                          ("--cell", ["lstm", "tcn"])])
def test_bad_pooling_or_cell_is_refused_by_the_command_line(flag, values, capsys):
    with pytest.raises(SystemExit) as refused:
        parse_config([flag, *values])
    assert refused.value.code == 2
    assert f"{flag}: expected a tuple of one or more of" in capsys.readouterr().err


@pytest.mark.parametrize("folds", ["0", "11"])
def test_a_fold_count_outside_1_to_10_is_refused(folds, capsys):
    with pytest.raises(SystemExit):
        parse_config(["--folds", folds])
    assert f"--folds: expected an int in [1, 10], received {folds}" in capsys.readouterr().err


def test_a_mixed_ensemble_takes_every_cell_and_pooling_pair_in_turn(tmp_path):
    config = SentimentConfig(pooling=("max", "attention"), cell=("lstm", "gru"), ensemble=5)
    assert member_architectures(config) == [("lstm", "max"), ("lstm", "attention"), ("gru", "max"),
                                            ("gru", "attention"), ("lstm", "max")]
    small = dataclasses.replace(config, ensemble=2, epochs=1, batch_size=20, embed_size=8, hidden_size=8,
                                dropout_rate=0.1, learning_rate=1e-2, min_word_count=1, run_dir=str(tmp_path))
    results = run(small, _data(100))
    assert results["member_architectures"] == ["lstm/max", "lstm/attention"]
    assert len(results["member_accuracies"][0]) == 2


def test_without_early_stopping_a_member_averages_its_last_epochs(tmp_path):
    config = SentimentConfig(epochs=3, early_stopping=False, average_last=2, batch_size=20, embed_size=8,
                             hidden_size=8, dropout_rate=0.1, learning_rate=1e-2)
    sentences, labels = _data(60)
    tokens, lengths = encode(sentences, Lexicon.build(sentences))
    model = models.SentenceClassifier(40, 2, embed_size=8, hidden_size=8, dropout_rate=0.1)
    data = {"tokens": tokens, "lengths": lengths, "labels": labels}
    test_tokens, test_lengths = tokens[:5], lengths[:5]

    def test_probabilities(params):
        return np.asarray(jax.nn.softmax(model.apply(params, test_tokens, test_lengths)))

    probabilities = train_member(config, 0, model, data, None, test_probabilities, tmp_path / "member")
    # The reference: the same member trained by the loop alone to the end of epochs 2 and 3.
    batch_at, per_epoch = batches(data, config.batch_size, 0)
    init_key, run_key = train.split_seed(0)
    params = model.init(init_key, batch_at(0)["tokens"], batch_at(0)["lengths"])

    def loss_fn(params, batch, rng):
        logits = model.apply(params, batch["tokens"], batch["lengths"], deterministic=False, rngs={"dropout": rng})
        return optax.softmax_cross_entropy_with_integer_labels(logits, batch["labels"]).mean()

    optimizer = train.make_optimizer(train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm))
    expected = [
        test_probabilities(train.train(train.LoopConfig(steps=epochs * per_epoch, progress=False),
                                       train.TrainState.create(params, optimizer, run_key), loss_fn, batch_at,
                                       tmp_path / f"reference-{epochs}").params)
        for epochs in (2, 3)
    ]
    np.testing.assert_allclose(probabilities, np.mean(expected, axis=0), rtol=1e-5, atol=1e-6)
    assert not np.allclose(expected[0], expected[1])  # the two epochs differ: the mean is not one of them


@pytest.mark.parametrize("options", [{"average_last": 2}, {"early_stopping": False, "average_last": 6}])
def test_averaging_more_epochs_than_trained_or_with_early_stopping_is_refused(options):
    with pytest.raises(ValueError, match=rf"average_last: expected a number of epochs in \[1, epochs=5\], and 1 "
                                         rf"with early stopping, received {options['average_last']}"):
        SentimentConfig(**options)


def test_an_empty_ensemble_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"ensemble: expected an int >= 1, received 0"):
        run(SentimentConfig(ensemble=0, run_dir=str(tmp_path)), _data(50))


def test_a_larger_ensemble_in_the_same_run_dir_trains_only_the_members_it_adds(tmp_path, capsys):
    config = SentimentConfig(pooling=("max",), epochs=1, batch_size=20, embed_size=8, hidden_size=8, dropout_rate=0.1,
                             learning_rate=1e-2, min_word_count=1, run_dir=str(tmp_path))
    data = _data(100)
    first = run(config, data)
    assert first["fold_accuracies"] == first["member_accuracies"][0]  # one member is its own ensemble
    member_dir = tmp_path / "fold-0" / "member-0"
    written = {path: path.stat().st_mtime_ns for path in member_dir.rglob("*") if path.is_file()}
    capsys.readouterr()
    second = run(dataclasses.replace(config, ensemble=2), data)
    assert f"resumed from {member_dir.absolute()}" in capsys.readouterr().out  # read back, not trained again
    assert {path: path.stat().st_mtime_ns for path in written} == written
    assert (tmp_path / "fold-0" / "member-1" / "checkpoints").is_dir()
    assert second["member_accuracies"][0][0] == first["member_accuracies"][0][0]
    assert len(second["member_accuracies"][0]) == 2
    before = (tmp_path / "config.json").read_bytes()
    with pytest.raises(ValueError, match=r"run_dir: expected a new run directory.*hidden_size 8 -> 16"):
        run(dataclasses.replace(config, hidden_size=16), data)
    assert (tmp_path / "config.json").read_bytes() == before
    earlier = json.loads(before)
    del earlier["pretrain_epochs"]  # a run directory from before the option: it ran with the default
    (tmp_path / "config.json").write_text(json.dumps(earlier))
    assert run(config, data)["fold_accuracies"] == first["fold_accuracies"]


def test_pretraining_learns_to_predict_neighbouring_words(tmp_path):
    """Runs of consecutive word ids: each word's neighbours follow from it, so a two-way language
    model can go far below the uniform guess, and the trained encoder must."""
    rng = np.random.default_rng(0)
    starts, lengths = rng.integers(2, 20, 200), rng.integers(4, 10, 200)
    tokens = np.zeros((200, 16), np.int32)
    for row, (start, length) in enumerate(zip(starts, lengths)):
        tokens[row, :length] = np.arange(start, start + length)
    data = {"tokens": tokens, "lengths": lengths.astype(np.int32)}
    config = SentimentConfig(pretrain_epochs=10, batch_size=20, embed_size=16, hidden_size=16, dropout_rate=0.0,
                             learning_rate=1e-2)
    encoder = models.SentenceClassifier(30, 2, embed_size=16, hidden_size=16, dropout_rate=0.0).encoder()
    params = pretrain_encoder(config, encoder, data, tmp_path)
    logits = models.NeighbourTokenModel(encoder, 30).apply(params, tokens, data["lengths"])
    loss = float(models.neighbour_token_loss(logits, tokens, data["lengths"]))
    assert loss < 0.2 * np.log(30), loss  # 3.4 nats for a uniform guess


def test_a_pretrained_run_pretrains_each_cell_once_and_a_rerun_reuses_it(tmp_path, capsys):
    config = SentimentConfig(pooling=("max", "attention"), ensemble=2, epochs=1, pretrain_epochs=1, batch_size=20,
                             embed_size=8, hidden_size=8, dropout_rate=0.1, learning_rate=1e-2, min_word_count=1,
                             run_dir=str(tmp_path))
    data = _data(100)
    run(config, data)
    assert [path.name for path in (tmp_path / "fold-0").glob("pretrained-*")] == ["pretrained-lstm"]
    capsys.readouterr()
    results = run(dataclasses.replace(config, ensemble=3), data)
    assert "resumed from" in capsys.readouterr().out and len(results["member_accuracies"][0]) == 3
