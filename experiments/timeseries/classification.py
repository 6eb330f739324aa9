"""The run behind ``python -m experiments.timeseries.classify`` (classify.py parses its flags,
before JAX loads).

Time-series classification on UCR/UEA problems with a bidirectional recurrent encoder.
"""

from __future__ import annotations

import dataclasses
import pathlib
import time
from typing import Any

import jax
import numpy as np
import optax

from experiments.timeseries.config import ClassifyConfig
from seqjax import models, nn, train
from seqjax.data.lexicon import shuffled_batch_rows
from seqjax.data.timeseries import CLASSIFICATION_PROBLEMS, Standardizer, load_classification
from seqjax.data.ts_format import LabelledSeries


DEFAULT_PRESET = {"pooling": "max", "epochs": 200, "learning_rate": 3e-3}
PRESETS = {
    "JapaneseVowels": DEFAULT_PRESET,
    "GunPoint": DEFAULT_PRESET,
    "BasicMotions": {**DEFAULT_PRESET, "learning_rate": 1e-3},
    "ItalyPowerDemand": {**DEFAULT_PRESET, "pooling": "last", "epochs": 100},
}


def with_preset(config: ClassifyConfig, problem: str) -> ClassifyConfig:
    """``config`` with its unset ``pooling``/``epochs``/``learning_rate`` taken from ``problem``'s preset."""
    preset = PRESETS.get(problem, DEFAULT_PRESET)
    return dataclasses.replace(config, **{k: v for k, v in preset.items() if getattr(config, k) is None})


def make_classifier(config: ClassifyConfig, classes: int) -> models.SequenceToVector:
    layer = models.recurrent_layer(config.cell, config.hidden_size)
    encoder = nn.Bidirectional(layer, models.recurrent_layer(config.cell, config.hidden_size))
    return models.SequenceToVector(encoder, classes, pooling=config.pooling, backward_size=config.hidden_size)


def fit_and_score(config: ClassifyConfig, train_set: LabelledSeries, test_set: LabelledSeries, seed: int,
                  run_dir: pathlib.Path) -> float:
    """Test accuracy of a classifier trained from ``seed`` on ``train_set``."""
    standardize = Standardizer.fit(train_set.values, train_set.lengths)
    inputs = standardize(train_set.values, train_set.lengths)
    model = make_classifier(config, len(train_set.class_names))
    batch_size = min(config.batch_size, len(train_set.labels))
    rows_at, per_epoch = shuffled_batch_rows(len(train_set.labels), batch_size, seed)

    def batch_at(step: int) -> dict[str, np.ndarray]:
        rows = rows_at(step)
        return {"inputs": inputs[rows], "lengths": train_set.lengths[rows], "labels": train_set.labels[rows]}

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        logits = model.apply(params, batch["inputs"], batch["lengths"])
        return optax.softmax_cross_entropy_with_integer_labels(logits, batch["labels"]).mean()

    loop = train.LoopConfig(steps=config.epochs * per_epoch, log_every=10 * per_epoch, progress=False)
    fitted = train.fit(
        lambda key: model.init(key, inputs[:1], train_set.lengths[:1]), loss_fn, batch_at, run_dir, loop=loop,
        optimizer=train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm), seed=seed,
        tokens_in=lambda batch: int(batch["lengths"].sum()),
    )
    test_inputs = standardize(test_set.values, test_set.lengths)
    logits = jax.jit(model.apply)(fitted.params, test_inputs, test_set.lengths)
    return float(np.mean(np.argmax(np.asarray(logits), axis=-1) == test_set.labels))


def run(config: ClassifyConfig, problems: dict[str, tuple[LabelledSeries, LabelledSeries]] | None = None) -> dict:
    """Scores every problem (``problems``: name -> (train, test); else the archive's)."""
    if problems is None:
        names = CLASSIFICATION_PROBLEMS if config.problem == "all" else (config.problem,)
        problems = {n: (load_classification(n, "train", config.data_dir),
                        load_classification(n, "test", config.data_dir)) for n in names}
    run_dir = pathlib.Path(config.run_dir)
    results: dict[str, Any] = {"problems": {}}
    for name, (train_set, test_set) in problems.items():
        began, chosen = time.perf_counter(), with_preset(config, name)
        accuracies = [fit_and_score(chosen, train_set, test_set, seed, run_dir / name / f"seed-{seed}")
                      for seed in range(config.seeds)]
        results["problems"][name] = {
            "pooling": chosen.pooling, "epochs": chosen.epochs, "learning_rate": chosen.learning_rate,
            "accuracies": accuracies, "mean_accuracy": float(np.mean(accuracies)),
            "std_accuracy": float(np.std(accuracies)), "wall_s": time.perf_counter() - began,
        }
        print(f"{name}: test accuracy {100 * np.mean(accuracies):.2f} % ± {100 * np.std(accuracies):.2f} "
              f"({', '.join(f'{100 * a:.1f}' for a in accuracies)}), {time.perf_counter() - began:.0f} s", flush=True)
    train.write_results(run_dir, results, config)
    return results
