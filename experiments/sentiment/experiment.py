"""The run behind ``python -m experiments.sentiment.train`` (train.py parses its flags, before JAX loads).

Sentence polarity (rt-polarity) with a bidirectional LSTM or GRU and a choice of pooling, cross-validated.
"""

from __future__ import annotations

import pathlib
import time
from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import optax

from experiments.sentiment.config import SentimentConfig
from experiments.sentiment.input_pipeline import Part, batches, encode, split_development
from seqjax import models, train
from seqjax.data.lexicon import Lexicon
from seqjax.data.polarity import cross_validation_folds, load_rt_polarity

RESUMABLE_OPTIONS = ("folds", "ensemble")  # a rerun may raise them: it trains only the members they add


def make_probabilities(model: models.SentenceClassifier, sentences: list[tuple[str, ...]], lexicon: Lexicon):
    """``params -> probabilities [len(sentences), 2]``."""
    tokens, lengths = encode(sentences, lexicon)

    @jax.jit
    def predict(params: Any, tokens: jax.Array, lengths: jax.Array) -> jax.Array:
        return jax.nn.softmax(model.apply(params, tokens, lengths), axis=-1)

    def probabilities(params: Any) -> np.ndarray:
        return np.concatenate([
            np.asarray(predict(params, tokens[i : i + 500], lengths[i : i + 500])) for i in range(0, len(lengths), 500)
        ])

    return probabilities


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(probabilities, axis=-1) == labels))


def make_accuracy(model: models.SentenceClassifier, part: tuple, lexicon: Lexicon) -> Callable[[Any], float]:
    """``params -> accuracy`` on ``part = (sentences, labels)``."""
    probabilities = make_probabilities(model, part[0], lexicon)
    return lambda params: accuracy(probabilities(params), part[1])


def member_architectures(config: SentimentConfig) -> list[tuple[str, str]]:
    """``(cell, pooling)`` of each ensemble member: every pair in turn, the pooling changing fastest."""
    poolings, cells = config.pooling, config.cell
    return [(cells[m // len(poolings) % len(cells)], poolings[m % len(poolings)]) for m in range(config.ensemble)]


def train_fold(config: SentimentConfig, train_part: Part, test_part: Part, run_dir: pathlib.Path) -> list[np.ndarray]:
    """Trains ``config.ensemble`` models on ``train_part = (sentences, labels)`` (with
    ``config.early_stopping`` each early-stopped on the same 10 % of it, which they do not fit)
    and returns each one's probabilities ``[len(test_part[1]), 2]`` on ``test_part``. With
    ``config.pretrain_epochs`` each cell's encoder is first pretrained, once a fold, as a
    language model on the training sentences (``pretrain_encoder``), and every member of that
    cell starts from it. Each member trains in ``run_dir/member-<m>`` with a checkpoint each
    epoch: a killed run resumes it, and a finished one is read back, not trained again."""
    dev_part = None
    if config.early_stopping:
        train_part, dev_part = split_development(train_part, config.seed)
    lexicon = Lexicon.build(train_part[0], min_count=config.min_word_count)
    tokens, lengths = encode(train_part[0], lexicon)
    data = {"tokens": tokens, "lengths": lengths, "labels": train_part[1]}
    architectures = {}  # (cell, pooling) -> (model, dev accuracy, test probabilities), compiled once
    pretrained = {}  # cell -> the pretrained encoder's model parameters
    members = []
    for member, architecture in enumerate(member_architectures(config)):
        if architecture not in architectures:
            model = models.SentenceClassifier(
                vocab_size=lexicon.size, num_classes=2, embed_size=config.embed_size,
                hidden_size=config.hidden_size, cell=architecture[0], pooling=architecture[1],
                dropout_rate=config.dropout_rate,
            )
            dev_accuracy = None if dev_part is None else make_accuracy(model, dev_part, lexicon)
            architectures[architecture] = (model, dev_accuracy, make_probabilities(model, test_part[0], lexicon))
        model, dev_accuracy, test_probabilities = architectures[architecture]
        cell = architecture[0]
        if config.pretrain_epochs and cell not in pretrained:
            pretrained[cell] = pretrain_encoder(config, model.encoder(), data, run_dir / f"pretrained-{cell}")
        members.append(train_member(config, config.seed + member, model, data, dev_accuracy, test_probabilities,
                                    run_dir / f"member-{member}", pretrained.get(cell)))
    return members


def pretrain_encoder(config: SentimentConfig, encoder: models.SentenceEncoder, data: dict[str, np.ndarray],
                     run_dir: pathlib.Path) -> Any:
    """Trains ``encoder`` for ``config.pretrain_epochs`` epochs as a language model in both
    directions on ``data["tokens"]`` (labels unused), predicting the ``config.pretrain_vocab``
    most frequent words (the rest as unknown), and returns the ``NeighbourTokenModel``'s
    parameters. Checkpointed each epoch in ``run_dir``, so that a rerun restores them."""
    model = models.NeighbourTokenModel(encoder, min(config.pretrain_vocab, encoder.vocab_size))
    sentences = {"tokens": data["tokens"], "lengths": data["lengths"]}
    batch_at, per_epoch = batches(sentences, config.batch_size, config.seed)

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        logits = model.apply(params, batch["tokens"], batch["lengths"], deterministic=False, rngs={"dropout": rng})
        return models.neighbour_token_loss(logits, batch["tokens"], batch["lengths"])

    loop = train.LoopConfig(steps=config.pretrain_epochs * per_epoch, log_every=per_epoch, checkpoint_every=per_epoch,
                            checkpoints=train.CheckpointConfig(keep_last=1), progress=False)
    return train.fit(
        lambda key: model.init(key, batch_at(0)["tokens"], batch_at(0)["lengths"]), loss_fn, batch_at, run_dir,
        loop=loop, optimizer=_optimizer(config), seed=config.seed,
    ).params


def _optimizer(config: SentimentConfig) -> train.OptimizerConfig:
    return train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm)


def train_member(config: SentimentConfig, seed: int, model: models.SentenceClassifier, data: dict[str, np.ndarray],
                 dev_accuracy: Callable[[Any], float] | None, test_probabilities: Callable[[Any], np.ndarray],
                 run_dir: pathlib.Path, pretrained: Any = None) -> np.ndarray:
    """Trains ``model`` on ``data`` (``tokens [n, time]``, ``lengths [n]``, ``labels [n]``) from
    ``seed`` (its encoder from ``pretrained``, ``pretrain_encoder``'s parameters, when given) and
    returns ``test_probabilities(params)`` ``[test, 2]`` of the epoch with the best
    ``dev_accuracy(params)``, or without ``dev_accuracy`` their mean over the last
    ``config.average_last`` epochs (the checkpoints of those epochs, read back)."""
    batch_at, per_epoch = batches(data, config.batch_size, seed)

    def init(key: jax.Array) -> Any:
        params = model.init(key, batch_at(0)["tokens"], batch_at(0)["lengths"])
        return params if pretrained is None else models.with_pretrained_encoder(params, pretrained)

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        logits = model.apply(params, batch["tokens"], batch["lengths"], deterministic=False, rngs={"dropout": rng})
        return optax.softmax_cross_entropy_with_integer_labels(logits, batch["labels"]).mean()

    kept = train.CheckpointConfig(keep_last=config.average_last, best_metric="dev_accuracy", best_mode="max")
    loop = train.LoopConfig(steps=config.epochs * per_epoch, log_every=per_epoch, checkpoint_every=per_epoch,
                            eval_every=per_epoch if dev_accuracy else None, checkpoints=kept, progress=False)
    evaluate = None if dev_accuracy is None else (lambda params: {"dev_accuracy": dev_accuracy(params)})
    fitted = train.fit(init, loss_fn, batch_at, run_dir, loop=loop, optimizer=_optimizer(config), seed=seed,
                       evaluate=evaluate)
    if dev_accuracy is not None:
        return test_probabilities(fitted.params)
    checkpoints = train.Checkpoints(run_dir / "checkpoints", kept)
    last_epochs = [checkpoints.restore_latest_step(step, fitted.last)[0].params
                   for step in checkpoints.latest_steps()[-config.average_last :]]
    return np.mean([test_probabilities(params) for params in last_epochs], axis=0)


def run(config: SentimentConfig, data: tuple | None = None) -> dict[str, Any]:
    """Cross-validates ``config`` on rt-polarity (or on ``data`` = ``(sentences, labels)``)."""
    sentences, labels = data or load_rt_polarity(config.data_dir, download=config.download, download_option="--download")
    folds = cross_validation_folds(len(labels), 10, config.seed)
    run_dir = pathlib.Path(config.run_dir)
    train.claim_run_dir(run_dir, config, RESUMABLE_OPTIONS)
    accuracies, member_accuracies, began = [], [], time.perf_counter()
    for fold, held_out in enumerate(folds[: config.folds]):
        keep = np.setdiff1d(np.arange(len(labels)), held_out)
        part = lambda rows: ([sentences[i] for i in rows], labels[rows])  # noqa: E731
        members = train_fold(config, part(keep), part(held_out), run_dir / f"fold-{fold}")
        member_accuracies.append([accuracy(p, labels[held_out]) for p in members])
        accuracies.append(accuracy(np.mean(members, axis=0), labels[held_out]))
        print(f"fold {fold + 1}/{config.folds}: accuracy {100 * accuracies[-1]:.2f} % "
              f"(members {', '.join(f'{100 * a:.2f}' for a in member_accuracies[-1])})", flush=True)
    results = {
        "fold_accuracies": accuracies,
        "mean_accuracy": float(np.mean(accuracies)),
        "std_accuracy": float(np.std(accuracies)),
        "member_architectures": ["/".join(pair) for pair in member_architectures(config)],
        "member_accuracies": member_accuracies,
        "mean_member_accuracy": float(np.mean(member_accuracies)),
        "wall_s": time.perf_counter() - began,
    }
    path = train.write_results(run_dir, results, config)
    print(f"{'/'.join(config.pooling)} pooling, {config.folds} fold(s): accuracy {100 * results['mean_accuracy']:.2f} % "
          f"(std {100 * results['std_accuracy']:.2f}), {results['wall_s']:.0f} s -> {path}")
    return results


def main(config: SentimentConfig) -> dict[str, Any]:
    """``run(config)`` from the command line, with XLA's persistent compilation cache in the run
    directory: ensemble members of one architecture compile the same programs, each once (about
    10 of a member's 35 s on 2 CPU cores)."""
    jax.config.update("jax_compilation_cache_dir", str(pathlib.Path(config.run_dir) / "compilation-cache"))
    return run(config)
