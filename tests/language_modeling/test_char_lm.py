"""The language model end to end on small texts: overfitting, sampling, resuming, word level, CLI."""

from __future__ import annotations

import dataclasses
import math

import jax
import numpy as np
import pytest

from seqjax import data
from seqjax import language_modeling as lm
from seqjax.cli import main as cli_main

TEXT = (
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
    "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\nResolved. resolved.\n\n"
    "First Citizen:\nFirst, you know Caius Marcius is chief enemy to the people.\n"
)
TINY = dataclasses.replace(lm.PRESETS["tiny"], eval_batch_size=2)


def _corpus(text=TEXT, level="char"):
    return lm.Corpus.from_text(text, level, 0.1)


def test_a_tiny_model_overfits_a_200_character_text_to_near_zero_loss(tmp_path):
    text = TEXT[:200]
    config = dataclasses.replace(
        TINY, hidden_size=128, batch_size=2, seq_len=90, steps=300, learning_rate=1e-2, warmup_steps=0,
        eval_every=300, checkpoint_every=300, final_learning_fraction=0.1,
    )
    corpus = _corpus(text)
    state, _ = lm.train_language_model(config, corpus, tmp_path, progress=False)
    model = lm.build_model(config, corpus.vocabulary.size)
    train_loss = lm.validation_loss(model, state.params, data.StreamBatches(corpus.train, 2, 90))
    print(f"training-set loss after 300 steps: {train_loss:.4f} nats/char")
    assert train_loss < 0.05


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run")
    config = dataclasses.replace(TINY, steps=20, eval_every=20, checkpoint_every=10)
    lm.train_language_model(config, _corpus(), run_dir, progress=False)
    return run_dir


def test_temperature_towards_zero_samples_the_greedy_text(trained):
    _, vocabulary, model, params = lm.load_trained(trained)
    greedy = lm.sample_text(model, params, vocabulary, "First", 60, temperature=0.0)
    cold = lm.sample_text(model, params, vocabulary, "First", 60, temperature=1e-4, seed=3)
    warm = lm.sample_text(model, params, vocabulary, "First", 60, temperature=1.0, seed=3)
    assert cold == greedy and warm != greedy and greedy.startswith("First")
    assert len(vocabulary.encode(greedy)) == len("First") + 60


def test_the_same_seed_gives_the_same_sample_and_top_1_is_greedy(trained):
    _, vocabulary, model, params = lm.load_trained(trained)
    one = lm.sample_text(model, params, vocabulary, "All", 40, temperature=0.9, top_k=5, seed=7)
    assert one == lm.sample_text(model, params, vocabulary, "All", 40, temperature=0.9, top_k=5, seed=7)
    assert lm.sample_text(model, params, vocabulary, "All", 40, top_k=1, seed=1) == lm.sample_text(
        model, params, vocabulary, "All", 40, temperature=0.0
    )


def test_a_resumed_run_samples_the_text_of_an_uninterrupted_one(tmp_path):
    config = dataclasses.replace(TINY, steps=20, eval_every=20, checkpoint_every=5)
    lm.train_language_model(config, _corpus(), tmp_path / "whole", progress=False)
    lm.train_language_model(config, _corpus(), tmp_path / "paused", progress=False, until=10)
    _, _, _, paused_params = lm.load_trained(tmp_path / "paused", "latest")
    lm.train_language_model(config, _corpus(), tmp_path / "paused", progress=False)
    samples = []
    for run in ("whole", "paused"):
        _, vocabulary, model, params = lm.load_trained(tmp_path / run, "latest")
        samples.append(lm.sample_text(model, params, vocabulary, "First", 80, temperature=1.0, seed=11))
    assert samples[0] == samples[1]
    halfway = lm.sample_text(model, paused_params, vocabulary, "First", 80, temperature=1.0, seed=11)
    assert halfway != samples[1]  # the second call did train on


def test_word_level_model_reports_perplexity(tmp_path):
    config = dataclasses.replace(TINY, level="word", steps=20, eval_every=20, checkpoint_every=20, seq_len=8)
    corpus = _corpus(TEXT * 3, level="word")
    assert "Citizen:" in corpus.vocabulary.tokens and "\n" in corpus.vocabulary.tokens
    _, metrics = lm.train_language_model(config, corpus, tmp_path, progress=False)
    assert metrics["perplexity"] == pytest.approx(math.exp(metrics["loss"]))
    assert metrics["perplexity"] < corpus.vocabulary.size  # better than uniform after training
    _, vocabulary, model, params = lm.load_trained(tmp_path)
    sample = lm.sample_text(model, params, vocabulary, "First Citizen:", 10, seed=0)
    assert sample.startswith("First Citizen:") and len(vocabulary.encode(sample)) == 12


def test_the_command_line_trains_evaluates_and_samples(tmp_path, capsys):
    corpus_file = tmp_path / "corpus.txt"
    corpus_file.write_text(TEXT * 4)
    run_dir = tmp_path / "run"
    assert cli_main(["train", "--preset", "tiny", "--data", str(corpus_file), "--run-dir", str(run_dir),
                     "--steps", "12", "--eval-every", "6", "--checkpoint-every", "6", "--eval-batch-size", "2",
                     "--no-progress", "--sample", "30", "--prime", "All:"]) == 0
    out = capsys.readouterr().out
    assert "validation: loss" in out and "bits_per_char" in out and str(run_dir / "checkpoints") in out
    assert "\nAll:" in out
    assert "LSTM layers run by the seqjax scan: no CUDA device" in out or "LSTM layers run by cuDNN" in out
    assert cli_main(["evaluate", str(run_dir)]) == 0
    assert "validation tokens: loss" in capsys.readouterr().out
    assert cli_main(["sample", str(run_dir), "--prime", "First", "--length", "25", "--greedy"]) == 0
    assert capsys.readouterr().out.startswith("First")
    assert cli_main(["sample", str(tmp_path / "nowhere")]) == 2
    assert "no config.json" in capsys.readouterr().err


def test_the_cpu_preset_builds_and_the_help_lists_every_option(capsys):
    config = lm.PRESETS["cpu"]
    model = lm.build_model(config, 65)
    params = jax.eval_shape(lambda: lm.initial_state(config, model).params)
    assert sum(np.prod(p.shape) for p in jax.tree.leaves(params)) > 1_000_000
    with pytest.raises(SystemExit):
        cli_main(["train", "--help"])
    help_text = capsys.readouterr().out
    for field in dataclasses.fields(lm.LMConfig):
        assert f"--{field.name.replace('_', '-')}" in help_text
