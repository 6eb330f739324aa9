"""Sentence polarity (rt-polarity) with a bidirectional LSTM or GRU and a choice of pooling, cross-validated.

    python -m experiments.sentiment.train --pooling max               # fold 1 of 10 (a fixed 90/10 split)
    python -m experiments.sentiment.train --pooling max --folds 10    # 10-fold cross-validation (Kim 2014)
    python -m experiments.sentiment.train --folds 10 --ensemble 5     # average 5 models' probabilities
    python -m experiments.sentiment.train --folds 10 --ensemble 8 --pooling max attention --cell lstm gru
    python -m experiments.sentiment.train --folds 10 --ensemble 10 --pooling max attention --cell lstm gru \
        --no-early-stopping --average-last 3                          # the best measured (README)
    python -m experiments.sentiment.train --folds 10 --pretrain-epochs 5  # encoder pretrained as a language model

The 10 folds come from one shuffle with ``--seed``; ``--folds N`` runs the first N of them.
Each fold builds its vocabulary from its training part alone (tokens seen fewer than
``--min-word-count`` times map to the unknown id), keeps a seeded 10 % of that part as a
development set, trains for up to ``--epochs`` epochs with random embeddings, and reports
accuracy on its held-out tenth with the parameters of the epoch best on the development set
(early stopping, as Kim 2014 did). With ``--no-early-stopping`` nothing is held out: each model
fits the whole training part for ``--epochs`` epochs and predicts with the mean of its
probabilities after each of the last ``--average-last`` epochs. With ``--pretrain-epochs N``
the embeddings and the bidirectional encoder are first trained for N epochs as a language model
in both directions on the same training sentences, without their labels (the forward half
predicts the next word, the backward half the previous one, over the ``--pretrain-vocab`` most
frequent words; Dai & Le 2015), once a fold and cell, and each model of that cell starts from
them. With ``--ensemble N`` each fold trains N models that differ in initialisation, dropout
and batch order (seeds ``seed .. seed + N - 1``; the development set stays the same) and
classifies with their mean probabilities; the members' own accuracies are reported too.
``--pooling`` and ``--cell`` take lists, so that an ensemble can mix
architectures: the members take every (cell, pooling) pair in turn, the pooling changing
fastest (``--ensemble 8 --pooling max attention --cell lstm gru``: lstm/max, lstm/attention,
gru/max, gru/attention, then again with new seeds). Writes ``<run_dir>/results.json``. Each
member's test probabilities are kept in the run directory, so that a killed run resumes with
the next member to train, and a rerun with a larger ``--ensemble`` or ``--folds`` (the other
options unchanged) trains only the members it adds.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seqjax import flags
from seqjax import models, train
from seqjax.core import bad_argument
from seqjax.data.lexicon import Lexicon, pad_to, round_up, shuffled_batch_rows
from seqjax.data.polarity import cross_validation_folds, load_rt_polarity
from seqjax.nn import CELL_NAMES

LENGTH_MULTIPLE = 16
CELLS = CELL_NAMES  # the cells SentenceClassifier reads with


@dataclasses.dataclass(frozen=True)
class SentimentConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      pooling: one or more of models.POOLINGS; the ensemble's members take them in turn.
      cell: one or more of lstm, gru; the members take them in turn (the pooling changing fastest).
      folds: cross-validation folds run, of 10 (1: one fixed 90/10 split).
      min_word_count: words seen fewer times in training map to the unknown word.
      early_stopping: keep each member's epoch with the best held-out accuracy.
      average_last: without early stopping, average the parameters of the last this many epochs.
      pretrain_epochs: epochs of pretraining the encoder as a language model first (0: none).
      pretrain_vocab: words of the pretraining language model's output vocabulary.
      ensemble: models whose probabilities are averaged.
    """

    pooling: tuple[str, ...] = ("max",)
    cell: tuple[str, ...] = ("lstm",)
    folds: int = 1
    epochs: int = 5
    batch_size: int = 50
    learning_rate: float = 2e-3
    max_grad_norm: float = 5.0
    embed_size: int = 64
    hidden_size: int = 64
    dropout_rate: float = 0.5
    min_word_count: int = 2
    early_stopping: bool = True
    average_last: int = 1
    pretrain_epochs: int = 0
    pretrain_vocab: int = 2000
    ensemble: int = 1
    seed: int = 0
    data_dir: str | None = None
    run_dir: str = "runs/sentiment"

    def __post_init__(self) -> None:
        for name, allowed in (("pooling", models.POOLINGS), ("cell", CELLS)):
            if not (isinstance(getattr(self, name), tuple) and getattr(self, name)
                    and set(getattr(self, name)) <= set(allowed)):
                raise bad_argument(name, f"a tuple of one or more of {allowed}", repr(getattr(self, name)))
        for name, low, high in (("folds", 1, 10), ("epochs", 1, None), ("batch_size", 1, None),
                                ("ensemble", 1, None), ("pretrain_epochs", 0, None)):
            value = getattr(self, name)
            if value < low or (high is not None and value > high):
                expected = f"an int >= {low}" if high is None else f"an int in [{low}, {high}]"
                raise bad_argument(name, expected, repr(value))
        if not 1 <= self.average_last <= self.epochs or (self.early_stopping and self.average_last != 1):
            raise bad_argument("average_last", f"a number of epochs in [1, epochs={self.epochs}], and 1 with "
                               "early stopping", repr(self.average_last))


def encode(sentences: list[tuple[str, ...]], lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray]:
    """``(tokens [n, time], lengths [n])``, ``time`` the longest sentence rounded up to 16."""
    encoder = lexicon.encoder()
    rows = [encoder(s) for s in sentences]
    lengths = np.array([len(r) for r in rows], np.int32)
    return pad_to(rows, round_up(int(lengths.max()), LENGTH_MULTIPLE)), lengths


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


def train_fold(config: SentimentConfig, train_part: tuple, test_part: tuple, run_dir: pathlib.Path) -> list[np.ndarray]:
    """Trains ``config.ensemble`` models on ``train_part = (sentences, labels)`` (with
    ``config.early_stopping`` each early-stopped on the same 10 % of it, which they do not fit)
    and returns each one's probabilities ``[len(test_part[1]), 2]`` on ``test_part``. With
    ``config.pretrain_epochs`` each cell's encoder is first pretrained, once a fold, as a
    language model on the training sentences (``pretrain_encoder``), and every member of that
    cell starts from it."""
    dev_part = None
    if config.early_stopping:
        order = np.random.default_rng(config.seed).permutation(len(train_part[1]))
        dev_rows, fit_rows = order[: len(order) // 10], order[len(order) // 10 :]
        dev_part = ([train_part[0][i] for i in dev_rows], train_part[1][dev_rows])
        train_part = ([train_part[0][i] for i in fit_rows], train_part[1][fit_rows])
    lexicon = Lexicon.build(train_part[0], min_count=config.min_word_count)
    tokens, lengths = encode(train_part[0], lexicon)
    data = {"tokens": tokens, "lengths": lengths, "labels": train_part[1]}
    architectures = {}  # (cell, pooling) -> (model, dev accuracy, test probabilities), compiled once
    pretrained = {}  # cell -> the pretrained encoder's model parameters
    members = []
    for member, architecture in enumerate(member_architectures(config)):
        member_dir = run_dir / f"member-{member}"
        saved = member_dir / "test_probabilities.npy"
        if saved.is_file():  # trained by an earlier, interrupted or smaller, run of this configuration
            members.append(np.load(saved))
            continue
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
                                    member_dir, pretrained.get(cell)))
        _save_atomically(saved, members[-1])
    return members


def _save_atomically(path: pathlib.Path, array: np.ndarray) -> None:
    """``np.save`` to ``path`` through a temporary file, so that a killed run leaves no partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as file:
        np.save(file, array)
    partial.replace(path)


def batches(data: dict[str, np.ndarray], batch_size: int, seed: int) -> tuple[Callable[[int], dict], int]:
    """``(batch_at, steps per epoch)``: shuffled batches of the rows of ``data`` (``tokens``
    trimmed to the batch's longest length rounded up to 16), a function of the step."""
    rows_at, per_epoch = shuffled_batch_rows(len(data["lengths"]), batch_size, seed)

    def batch_at(step: int) -> dict[str, np.ndarray]:
        rows = rows_at(step)
        longest = round_up(int(data["lengths"][rows].max()), LENGTH_MULTIPLE)
        return {name: array[rows, :longest] if name == "tokens" else array[rows] for name, array in data.items()}

    return batch_at, per_epoch


def pretrain_encoder(config: SentimentConfig, encoder: models.SentenceEncoder, data: dict[str, np.ndarray],
                     run_dir: pathlib.Path) -> Any:
    """Trains ``encoder`` for ``config.pretrain_epochs`` epochs as a language model in both
    directions on ``data["tokens"]`` (labels unused), predicting the ``config.pretrain_vocab``
    most frequent words (the rest as unknown), and returns the ``NeighbourTokenModel``'s
    parameters. Checkpointed each epoch in ``run_dir``, so that a rerun restores them."""
    model = models.NeighbourTokenModel(encoder, min(config.pretrain_vocab, encoder.vocab_size))
    sentences = {"tokens": data["tokens"], "lengths": data["lengths"]}
    batch_at, per_epoch = batches(sentences, config.batch_size, config.seed)

    def loss_fn(params: Any, batch: dict, carry: Any, rng: jax.Array) -> tuple[jax.Array, Any]:
        logits = model.apply(params, batch["tokens"], batch["lengths"], deterministic=False, rngs={"dropout": rng})
        return models.neighbour_token_loss(logits, batch["tokens"], batch["lengths"]), carry

    init_key, rng = jax.random.split(jax.random.key(config.seed))
    params = model.init(init_key, batch_at(0)["tokens"], batch_at(0)["lengths"])
    optimizer = train.make_optimizer(train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm))
    loop = train.LoopConfig(steps=config.pretrain_epochs * per_epoch, log_every=per_epoch, checkpoint_every=per_epoch,
                            progress=False)
    return train.train(loop, train.TrainState.create(params, optimizer, rng), loss_fn, batch_at, run_dir).params


def train_member(config: SentimentConfig, seed: int, model: models.SentenceClassifier, data: dict[str, np.ndarray],
                 dev_accuracy: Callable[[Any], float] | None, test_probabilities: Callable[[Any], np.ndarray],
                 run_dir: pathlib.Path, pretrained: Any = None) -> np.ndarray:
    """Trains ``model`` on ``data`` (``tokens``, ``lengths``, ``labels``) from ``seed`` (its encoder
    from ``pretrained``, ``pretrain_encoder``'s parameters, when given) and returns the
    ``test_probabilities(params)`` of the epoch with the best ``dev_accuracy(params)``, or without
    ``dev_accuracy`` their mean over the last ``config.average_last`` epochs."""
    batch_at, per_epoch = batches(data, config.batch_size, seed)

    def loss_fn(params: Any, batch: dict, carry: Any, rng: jax.Array) -> tuple[jax.Array, Any]:
        logits = model.apply(params, batch["tokens"], batch["lengths"], deterministic=False, rngs={"dropout": rng})
        one_hot = jax.nn.one_hot(batch["labels"], 2)
        return -jnp.mean(jnp.sum(one_hot * jax.nn.log_softmax(logits), axis=-1)), carry

    best = {"accuracy": -1.0, "params": None}
    last_epochs = []  # the test probabilities of the last ``config.average_last`` epochs

    def evaluate(params: Any) -> dict[str, float]:
        if dev_accuracy is None:
            last_epochs[:] = [*last_epochs, test_probabilities(params)][-config.average_last :]
            return {}
        score = dev_accuracy(params)
        if score > best["accuracy"]:
            best.update(accuracy=score, params=params)
        return {"dev_accuracy": score}

    init_key, rng = jax.random.split(jax.random.key(seed))
    params = model.init(init_key, batch_at(0)["tokens"], batch_at(0)["lengths"])
    if pretrained is not None:
        params = models.with_pretrained_encoder(params, pretrained)
    optimizer = train.make_optimizer(train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm))
    loop = train.LoopConfig(steps=config.epochs * per_epoch, log_every=per_epoch, eval_every=per_epoch, progress=False)
    train.train(loop, train.TrainState.create(params, optimizer, rng), loss_fn, batch_at, run_dir, evaluate=evaluate)
    return np.mean(last_epochs, axis=0) if dev_accuracy is None else test_probabilities(best["params"])


def run(config: SentimentConfig, data: tuple | None = None) -> dict[str, Any]:
    """Cross-validates ``config`` on rt-polarity (or on ``data`` = ``(sentences, labels)``)."""
    sentences, labels = data or load_rt_polarity(config.data_dir)
    folds = cross_validation_folds(len(labels), 10, config.seed)
    run_dir = pathlib.Path(config.run_dir)
    _claim_run_dir(run_dir, config)
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
        "config": dataclasses.asdict(config),
        "fold_accuracies": accuracies,
        "mean_accuracy": float(np.mean(accuracies)),
        "std_accuracy": float(np.std(accuracies)),
        "member_architectures": ["/".join(pair) for pair in member_architectures(config)],
        "member_accuracies": member_accuracies,
        "mean_member_accuracy": float(np.mean(member_accuracies)),
        "wall_s": time.perf_counter() - began,
        "date": time.strftime("%Y-%m-%d"),
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "results.json").write_text(json.dumps(results, indent=2))
    print(f"{'/'.join(config.pooling)} pooling, {config.folds} fold(s): accuracy {100 * results['mean_accuracy']:.2f} % "
          f"(std {100 * results['std_accuracy']:.2f}), {results['wall_s']:.0f} s -> {run_dir / 'results.json'}")
    return results


def _claim_run_dir(run_dir: pathlib.Path, config: SentimentConfig) -> None:
    """Writes ``<run_dir>/config.json``, or checks that the one there describes the same members
    (every option but ``folds`` and ``ensemble``, which a later run may raise to reuse them). An
    option the earlier run's file lacks (added to the script since) had its default value."""
    options, path = json.loads(json.dumps(dataclasses.asdict(config))), run_dir / "config.json"  # tuples as lists
    if path.is_file():
        earlier = {**json.loads(json.dumps(dataclasses.asdict(SentimentConfig()))), **json.loads(path.read_text())}
        differing = sorted(name for name in options.keys() | earlier.keys()
                           if name not in ("folds", "ensemble", "run_dir") and earlier.get(name) != options.get(name))
        if differing:
            raise ValueError(f"run_dir: {run_dir} holds a run with other options ({', '.join(differing)}); "
                             "expected the same options but --folds and --ensemble, or a new --run-dir")
    run_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(options, indent=2))


def parse_config(argv: list[str] | None = None) -> SentimentConfig:
    return flags.parse(SentimentConfig, argv, __doc__.splitlines()[0])


if __name__ == "__main__":
    config = parse_config()
    # Ensemble members of one architecture compile the same programs: XLA's persistent cache
    # compiles each once (about 10 of a member's 35 s on 2 CPU cores).
    jax.config.update("jax_compilation_cache_dir", str(pathlib.Path(config.run_dir) / "compilation-cache"))
    flags.run_command(run, lambda: config)
