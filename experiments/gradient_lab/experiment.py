"""The run behind ``python -m experiments.gradient_lab.train`` (train.py parses its flags, before JAX loads).

One row of the gradient-pathology lab: train one encoder on one task and measure it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import pathlib
import shutil
import time
from typing import Any

import flax.linen as linen
import jax
import jax.numpy as jnp
import numpy as np
import optax

from experiments.gradient_lab.config import RunConfig
from experiments.gradient_lab import input_pipeline, models
from seqjax import core, nn, train
from seqjax.data import write_text_atomically
from seqjax import models as seqjax_models


def build_model(task: input_pipeline.Task, encoder: linen.Module) -> linen.Module:
    """A per-step head for the copy task, a last-step head for the others."""
    if task.kind == "copy":
        return seqjax_models.SequenceTagger(encoder=encoder, num_labels=task.output_size)
    return seqjax_models.SequenceToVector(encoder=encoder, output_size=task.output_size)


def output_loss(task: input_pipeline.Task, outputs: jax.Array, targets: jax.Array) -> jax.Array:
    """The training loss of the model's outputs: MSE, or mean cross-entropy (over examples, and steps for copy)."""
    if task.kind == "regression":
        return jnp.mean(jnp.square(outputs[..., 0] - targets))
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(outputs, targets))


def evaluation_metric(task: input_pipeline.Task, outputs: jax.Array, targets: jax.Array) -> jax.Array:
    """The task's metric over one chunk (averaged later, weighted by its size)."""
    if task.kind == "classification":
        return jnp.mean((jnp.argmax(outputs, -1) == targets).astype(jnp.float32))
    return output_loss(task, outputs, targets)


def make_evaluate(task: input_pipeline.Task, model: linen.Module, chunk: int = 1000):
    """``params -> {task.metric: value}`` over the whole evaluation set."""

    @jax.jit
    def metric_of(params: Any, inputs: jax.Array, targets: jax.Array) -> jax.Array:
        return evaluation_metric(task, model.apply(params, inputs), targets)

    def evaluate(params: Any) -> dict[str, float]:
        inputs, targets = task.eval_batch["inputs"], task.eval_batch["targets"]
        total = 0.0
        for start in range(0, len(targets), chunk):
            part = slice(start, start + chunk)
            total += float(metric_of(params, inputs[part], targets[part])) * len(targets[part])
        return {task.metric: total / len(targets)}

    return evaluate


def gradient_flow(task: input_pipeline.Task, encoder: nn.RecurrentLayer, params: Any, examples: int) -> list[float]:
    """``||dL_T/dh_k||`` for ``T - k = 0, 1, ..., time - 1``: the gradient of the last step's loss
    (summed over ``examples`` evaluation examples) reaching each hidden state."""
    inputs = jnp.asarray(task.eval_batch["inputs"][:examples])
    targets = jnp.asarray(task.eval_batch["targets"][:examples])
    head = params["params"]["head"]
    last_targets = targets[:, -1] if task.kind == "copy" else targets

    def last_step_loss(hiddens: jax.Array) -> jax.Array:
        outputs = hiddens[:, -1] @ head["kernel"] + head["bias"]
        return examples * output_loss(task, outputs, last_targets)

    cell = encoder.make_cell()
    norms = train.loss_gradient_norms(cell, params["params"]["encoder"]["cell"], inputs, last_step_loss)
    return np.asarray(norms, np.float64)[::-1].tolist()


def is_solved(task: input_pipeline.Task, results: dict[str, float]) -> bool:
    """Whether evaluation ``results`` reach ``task.solved_at``."""
    value = results[task.metric]
    return value >= task.solved_at if task.higher_is_better else value <= task.solved_at


def steps_to_solve(task: input_pipeline.Task, evaluations: list[dict]) -> int | None:
    """The first evaluated step whose metric reached ``task.solved_at`` (None if none did)."""
    return next((int(record["step"]) for record in evaluations if is_solved(task, record)), None)


def run(config: RunConfig, task: input_pipeline.Task | None = None) -> dict[str, Any]:
    """Trains and measures one row; returns the row (also written to ``<out>/<row name>.json``).

    ``task`` replaces the one ``config`` names (for smaller variants); the row is then named after it.
    With several processes (``seqjax.launch``), process 0 writes the row and prints its line.
    """
    if task is None:
        task = input_pipeline.make_task(
            config.task, time=config.time, batch_size=config.batch_size, data_dir=config.data_dir,
            pool=config.pool,
        )
        row_name = config.row_name
    else:
        row_name = "__".join(part for part in (task.name, config.model, config.tag) if part)
    encoder = models.make_encoder(config.model, config.hidden_size)
    model = build_model(task, encoder)

    def init(key: jax.Array) -> Any:
        return model.init(key, jnp.asarray(task.train_batch(0)["inputs"][:2]))

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        del rng
        return output_loss(task, model.apply(params, batch["inputs"]), batch["targets"])

    evaluate = make_evaluate(task, model)
    solved = functools.partial(is_solved, task)
    params = init(train.split_seed(config.seed)[0])  # the parameters fit starts from
    flow_at_init = gradient_flow(task, encoder, params, config.flow_examples)
    run_dir = pathlib.Path(config.out) / row_name
    if train.is_main_process():  # with several processes, process 0 clears and writes; the others wait
        shutil.rmtree(run_dir, ignore_errors=True)  # a row is always measured afresh
    train.barrier(f"gradient lab: {run_dir} cleared")
    loop = train.LoopConfig(
        steps=config.steps, log_every=config.eval_every, eval_every=config.eval_every, progress=False,
        time_limit_s=config.time_limit_s,
        checkpoints=train.CheckpointConfig(best_metric=task.metric, best_mode="max" if task.higher_is_better else "min"),
    )
    began = time.perf_counter()
    diverged = None
    try:
        fitted = train.fit(
            init, loss_fn, task.train_batch, run_dir, loop=loop, seed=config.seed, evaluate=evaluate, config=config,
            optimizer=train.OptimizerConfig(config.optimizer, config.learning_rate, max_grad_norm=config.max_grad_norm),
            stop_when=solved if config.stop_when_solved else None,
        )
        params = fitted.last.params
    except train.TrainingDiverged as error:
        diverged = str(error)
    wall_s = time.perf_counter() - began
    records = list(train.read_metrics(run_dir))
    steps = [r for r in records if r["split"] == "train" and "grad_norm" in r]
    evaluations = [r for r in records if r["split"] == "eval"]
    final = evaluations[-1][task.metric] if evaluations else math.nan
    row = {
        "row": row_name,
        "config": dataclasses.asdict(config),
        "task": task.name,
        "time": task.time,
        "metric": task.metric,
        "baseline": task.baseline,
        "solved_at": task.solved_at,
        "parameters": core.count_parameters(params),
        "final": final,
        "best": (max if task.higher_is_better else min)((r[task.metric] for r in evaluations), default=math.nan),
        "steps_to_solve": steps_to_solve(task, evaluations),
        "steps_done": int(steps[-1]["step"]) if steps else 0,
        "wall_s": wall_s,
        "diverged": diverged,
        "evaluations": [{"step": int(r["step"]), task.metric: r[task.metric]} for r in evaluations],
        "train_loss": [r["loss"] for r in steps],
        "grad_norm": [r["grad_norm"] for r in steps],
        "flow_at_init": flow_at_init,
        "flow_trained": gradient_flow(task, encoder, params, config.flow_examples),
        "date": time.strftime("%Y-%m-%d"),
        "versions": {"jax": jax.__version__, "backend": jax.default_backend()},
    }
    path = pathlib.Path(config.out) / f"{row_name}.json"
    if not train.is_main_process():
        return row
    write_text_atomically(path, json.dumps(row))
    solved_step = row["steps_to_solve"]
    print(f"{row_name}: {task.metric} {final:.4f} (baseline {task.baseline:.4f}), "
          f"solved at step {solved_step if solved_step else '-'}, {row['steps_done']} steps, {wall_s:.0f} s -> {path}", flush=True)
    return row
