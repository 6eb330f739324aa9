"""Training and evaluating a language model with the engine of ``seqjax.train``
(what a run directory holds: ``seqjax.language_modeling.run_directory``)."""

from __future__ import annotations

import functools
import math
import pathlib
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from seqjax import data, models, train
from seqjax.language_modeling.config import LMConfig
from seqjax.language_modeling import run_directory
from seqjax.language_modeling.corpus import Corpus
from seqjax.language_modeling.run_directory import CONFIG_FILE, VOCABULARY_FILE


def build_model(config: LMConfig, vocab_size: int) -> models.LanguageModel:
    return models.LanguageModel(
        vocab_size=vocab_size, cell=config.cell, hidden_size=config.hidden_size,
        num_layers=config.num_layers, embed_size=config.embed_size, dropout_rate=config.dropout,
    )


def learning_rate_schedule(config: LMConfig) -> train.WarmupCosine:
    """Linear warm-up over ``warmup_steps`` to ``learning_rate``, then a cosine down to
    ``final_learning_fraction`` of it over the run's progress (see ``LMConfig.schedule``)."""
    return train.WarmupCosine(config.learning_rate, config.warmup_steps, config.final_learning_fraction)


def initial_state(config: LMConfig, model: models.LanguageModel) -> train.TrainState:
    """Parameters from ``config.seed``, Adam behind global-norm clipping, zero carries."""
    init_key, run_key = jax.random.split(jax.random.key(config.seed))
    params = model.init(init_key, jnp.zeros((config.batch_size, config.seq_len), jnp.int32))
    optimizer = train.make_optimizer(
        train.OptimizerConfig(learning_rate=learning_rate_schedule(config), max_grad_norm=config.max_grad_norm)
    )
    return train.TrainState.create(params, optimizer, run_key, model.zero_carries(config.batch_size))


def make_loss_fn(model: models.LanguageModel) -> train.CarryingLoss:
    """Mean cross-entropy (nats per token) of a chunk, with dropout; the carries pass on."""

    def loss_fn(params: Any, batch: dict, carries: Any, rng: jax.Array) -> tuple[jax.Array, Any]:
        logits, carries = model.apply(
            params, batch["inputs"], batch["lengths"], carries, deterministic=False, rngs={"dropout": rng}
        )
        return train.sequence_cross_entropy(logits, batch["targets"], batch["lengths"]), carries

    return train.carrying(loss_fn)


@functools.lru_cache(maxsize=8)
def _summed_chunk_loss(model: models.LanguageModel) -> Callable[[Any, dict, Any], tuple[jax.Array, Any]]:
    """The jitted ``(params, chunk, carries) -> (summed cross-entropy of the real steps, carries)``,
    built once per model so that every validation pass reuses its compilation."""

    @jax.jit
    def chunk_loss(params: Any, batch: dict, carries: Any) -> tuple[jax.Array, Any]:
        logits, carries = model.apply(params, batch["inputs"], batch["lengths"], carries)
        mask = train.real_steps_mask(batch["lengths"], *batch["targets"].shape)
        per_step = optax.softmax_cross_entropy_with_integer_labels(logits.astype(jnp.float32), batch["targets"])
        return jnp.sum(per_step * mask), carries

    return chunk_loss


def validation_loss(model: models.LanguageModel, params: Any, streams: data.StreamBatches) -> float:
    """Mean cross-entropy in nats per token over every target of ``streams`` (one epoch)."""
    chunk_loss = _summed_chunk_loss(model)
    carries, total = model.zero_carries(streams.batch), 0.0
    for index in range(streams.chunks_per_epoch):
        loss_sum, carries = chunk_loss(params, streams.chunk(index), carries)
        total += float(loss_sum)
    return total / streams.targets_per_epoch


def evaluation_metrics(loss: float, level: str) -> dict[str, float]:
    """Nats per token, and bits per character or perplexity per word."""
    extra = {"bits_per_char": loss / math.log(2)} if level == "char" else {"perplexity": math.exp(loss)}
    return {"loss": loss, **extra}


def evaluate_validation(config: LMConfig, model: models.LanguageModel, params: Any, validation: np.ndarray) -> dict[str, float]:
    """``evaluation_metrics`` over the whole validation split ``validation [M]`` (token ids)."""
    streams = data.StreamBatches(validation, config.eval_batch_size, config.seq_len)
    return evaluation_metrics(validation_loss(model, params, streams), config.level)


def train_language_model(
    config: LMConfig, corpus: Corpus, run_dir: str | pathlib.Path, *, progress: bool = True, until: int | None = None
) -> tuple[train.TrainState, dict[str, float]]:
    """Trains (or resumes) in ``run_dir``; returns the final state and validation metrics.

    A resume is checked first (``run_directory.check_resume``): one with other options or
    data raises ``IncompatibleRun`` and changes nothing; accepted changes are printed.
    ``until``: pause at this step (a later call resumes; the schedule still spans ``config.steps``).
    With several processes (``seqjax.train.distributed``), each reads its rows of the training
    streams and evaluates the whole validation split; process 0 writes the files.
    """
    run_dir = pathlib.Path(run_dir)
    rows = train.process_rows(config.batch_size)  # refuses a batch that the devices do not divide
    for change in run_directory.prepare(run_dir, config, corpus):
        if train.is_main_process():
            print(f"resuming with {change}", flush=True)
    model = build_model(config, corpus.vocabulary.size)
    streams = data.StreamBatches(corpus.train, config.batch_size, config.seq_len, rows)
    evaluations: list[tuple[Any, dict[str, float]]] = []  # the loop evaluates the final parameters

    def evaluate(params: Any) -> dict[str, float]:
        evaluations.append((params, evaluate_validation(config, model, params, corpus.validation)))
        return evaluations[-1][1]

    loop = train.LoopConfig(
        steps=config.steps, log_every=min(50, config.steps), eval_every=config.eval_every,
        checkpoint_every=config.checkpoint_every, progress=progress,
        time_limit_s=None if config.time_limit_minutes is None else 60.0 * config.time_limit_minutes,
        schedule_by=config.schedule,
    )
    state = train.train(
        loop, initial_state(config, model), make_loss_fn(model), streams.chunk, run_dir,
        evaluate=evaluate, tokens_in=lambda batch: int(np.sum(batch["lengths"])), until=until,
    )
    if not evaluations or evaluations[-1][0] is not state.params:  # e.g. resumed a finished run
        evaluate(state.params)
    return state, evaluations[-1][1]


def load_trained(run_dir: str | pathlib.Path, which: str = "latest") -> tuple[LMConfig, data.Vocabulary, models.LanguageModel, Any]:
    """``(config, vocabulary, model, params)`` of the run in ``run_dir`` (``which``: latest or best)."""
    run_dir = pathlib.Path(run_dir)
    for needed in (CONFIG_FILE, VOCABULARY_FILE):
        if not (run_dir / needed).is_file():
            raise data.DataError(f"{run_dir}: no {needed}; is it a run directory written by `seqjax train`?")
    config = LMConfig.load(run_dir / CONFIG_FILE)
    vocabulary = data.Vocabulary.load(run_dir / VOCABULARY_FILE)
    model = build_model(config, vocabulary.size)
    checkpoints = train.Checkpoints(run_dir / "checkpoints")
    template = initial_state(config, model)
    restored = checkpoints.restore_best(template) if which == "best" else checkpoints.restore_latest(template)
    if restored is None:
        raise train.CheckpointError(f"{run_dir / 'checkpoints'}: no {which} checkpoint")
    return config, vocabulary, model, restored[0].params
