"""The training loop: steps, evaluation, checkpoints, metrics, resumption, divergence guard."""

from __future__ import annotations

import dataclasses
import math
import pathlib
from collections.abc import Callable
from typing import Any, Literal

import jax
import jax.numpy as jnp
from tqdm.auto import tqdm

from seqjax.core import bad_argument
from seqjax.train import clock
from seqjax.train.checkpoints import CheckpointConfig, Checkpoints
from seqjax.train.distributed import agreed, is_main_process
from seqjax.train.metrics import MetricsWriter, NoMetrics
from seqjax.train.parallel import data_mesh, place_state, shard_batch
from seqjax.train.state import TrainState
from seqjax.train.step import LossFn, make_train_step


class TrainingDiverged(RuntimeError):
    """Too many steps in a row had a non-finite loss or gradient."""


@dataclasses.dataclass(frozen=True)
class LoopConfig:
    """How ``train`` runs.

    Attributes:
      steps: the step to stop at (a resumed run continues up to it).
      log_every: steps between progress-bar updates (every step is written to the metrics).
      eval_every: steps between evaluations (``None``: only at the end, if ``evaluate``).
      checkpoint_every: steps between checkpoints in ``<run_dir>/checkpoints`` (``None``: none).
      checkpoints: how many to keep, and the metric that picks the best.
      max_nonfinite_in_a_row: stop after this many consecutive skipped steps.
      compute_dtype: ``"bfloat16"`` (or ``"float16"``) to compute in lower precision with
        float32 parameters and optimiser state; ``None`` computes in the parameters' dtype.
      data_parallel: split each batch over all devices (when there are several; with
        several processes, ``batch_at`` gives this process's rows, see ``train``).
      progress: show a progress bar (else print a line every ``log_every`` steps); process 0's only.
      time_limit_s: stop (with a checkpoint and an evaluation) once the run has spent this
        many seconds in train steps (``TrainState.train_seconds``, summed over resumed parts;
        compilation, evaluation and checkpoints are not counted); None: no limit.
      schedule_by: what the run's progress, handed to the optimiser at every step, measures
        (a ``ProgressSchedule`` anneals over it): ``"time"``, the larger of the fraction of
        ``steps`` and the fraction of ``time_limit_s`` done, so that a run stopped by either
        ends annealed; ``"steps"``, the fraction of ``steps`` alone (deterministic). Without a
        time limit both are the fraction of steps.
    """

    steps: int
    log_every: int = 50
    eval_every: int | None = None
    checkpoint_every: int | None = None
    checkpoints: CheckpointConfig = CheckpointConfig()
    max_nonfinite_in_a_row: int = 10
    compute_dtype: str | None = None
    data_parallel: bool = True
    progress: bool = True
    time_limit_s: float | None = None
    schedule_by: Literal["time", "steps"] = "time"

    def __post_init__(self) -> None:
        for name in ("steps", "log_every", "eval_every", "checkpoint_every", "max_nonfinite_in_a_row"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise bad_argument(name, "a positive int" + ("" if name in ("steps", "log_every") else " or None"), repr(value))
        if self.compute_dtype not in (None, "bfloat16", "float16", "float32"):
            raise bad_argument("compute_dtype", "None, 'bfloat16', 'float16' or 'float32'", repr(self.compute_dtype))
        if self.time_limit_s is not None and not (math.isfinite(self.time_limit_s) and self.time_limit_s > 0):
            raise bad_argument("time_limit_s", "a finite positive number of seconds or None", repr(self.time_limit_s))
        if self.schedule_by not in ("time", "steps"):
            raise bad_argument("schedule_by", "'time' or 'steps'", repr(self.schedule_by))

    def run_progress(self, step: int, train_seconds: float) -> float:
        """The run's progress in [0, 1] before update ``step`` (0-based), after ``train_seconds``."""
        by_steps = step / self.steps
        if self.schedule_by == "time" and self.time_limit_s is not None:
            return min(1.0, max(by_steps, train_seconds / self.time_limit_s))
        return by_steps


def _leading_tokens(batch: Any) -> int:
    """Tokens in a batch: batch x time of its first array (batch alone if it has one axis)."""
    shape = jax.tree.leaves(batch)[0].shape
    return math.prod(shape[:2])


def train(
    config: LoopConfig,
    state: TrainState,
    loss_fn: LossFn,
    batch_at: Callable[[int], Any],
    run_dir: str | pathlib.Path,
    *,
    evaluate: Callable[[Any], dict[str, float]] | None = None,
    checkpoint_extra: dict | None = None,
    tokens_in: Callable[[Any], int] = _leading_tokens,
    until: int | None = None,
    stop_when: Callable[[dict[str, float]], bool] | None = None,
    on_evaluation: Callable[[TrainState, dict[str, float]], None] | None = None,
) -> TrainState:
    """Trains from ``state`` (or from the newest checkpoint in ``run_dir``) up to ``config.steps``.

    Args:
      state: the initial state (``TrainState.create``); also the template of a resumed one.
      loss_fn: ``(params, batch, rng) -> loss``, or ``carrying(...)`` of ``(params, batch, carry, rng)
        -> (loss, carry)`` when ``state`` has a carry (see ``seqjax.train.step``).
      batch_at: the batch of a step: ``batch_at(step)``. Because the data position is the
        step, a resumed run sees the same batches as an uninterrupted one. With several
        processes (``seqjax.train.distributed``), this process's rows of it
        (``distributed.process_rows``); the state's carry holds every row.
      run_dir: where ``metrics.jsonl``, TensorBoard files and checkpoints go (process 0
        writes the metrics; every process takes part in the checkpoints).
      evaluate: ``params -> {"loss": ..., ...}`` on validation data; its metrics are written
        under ``eval`` and pick the best checkpoint.
      checkpoint_extra: JSON-serialisable information stored with every checkpoint.
      tokens_in: the number of tokens of a batch (for tokens per second).
      until: pause after this step (with a checkpoint); a later call resumes.
      stop_when: ``evaluation results -> bool``; training ends (with a checkpoint) after the
        first evaluation for which it is true (early stopping, e.g. once a task is solved).
      on_evaluation: called with the state and the results after every evaluation.

    Returns:
      The final state. Raises ``TrainingDiverged`` after ``max_nonfinite_in_a_row`` skipped steps.
    """
    run_dir = pathlib.Path(run_dir)
    checkpoints = Checkpoints(run_dir / "checkpoints", config.checkpoints) if config.checkpoint_every else None
    main = is_main_process()
    if checkpoints is not None and (restored := checkpoints.restore_latest(state)) is not None:
        state = restored[0]
        if main:
            print(f"resumed from {checkpoints.directory / 'latest' / str(int(state.step))}", flush=True)
    if jax.process_count() > 1 and not config.data_parallel:
        raise bad_argument("data_parallel", f"True with {jax.process_count()} processes (each trains its rows of one "
                           "batch)", "False")
    mesh = data_mesh() if config.data_parallel and jax.device_count() > 1 else None
    if mesh is not None:
        state = place_state(state, mesh)
    compute_dtype = None if config.compute_dtype is None else jnp.dtype(config.compute_dtype)
    train_step = make_train_step(loss_fn, compute_dtype=compute_dtype)
    start, stop = int(state.step), min(config.steps, until or config.steps)
    train_seconds = float(state.train_seconds)

    def with_time(state: TrainState) -> TrainState:
        return state.replace(train_seconds=jnp.asarray(train_seconds, jnp.float32))

    bar = tqdm(total=config.steps, initial=start, disable=not (config.progress and main), unit="step", dynamic_ncols=True)
    say = bar.write if main else lambda line: None
    last_finite = (None, math.nan)  # (step, loss)
    with MetricsWriter(run_dir) if main else NoMetrics() as writer:
        tokens, logged_seconds = 0, train_seconds
        for step in range(start, stop):
            step_began = clock.seconds_without_compilation()
            batch = batch_at(step)
            tokens += tokens_in(batch) * jax.process_count()  # this process's rows, as many in each
            if mesh is not None:
                batch = shard_batch(batch, mesh)
            progress = jnp.float32(config.run_progress(step, train_seconds))
            state, metrics = train_step(state, batch, jax.random.fold_in(state.rng, step), progress)
            metrics = {name: float(value) for name, value in jax.device_get(metrics).items()}
            train_seconds += clock.seconds_without_compilation() - step_began
            if config.time_limit_s is not None:  # it decides the stop and the progress: process 0's, everywhere
                train_seconds = agreed(train_seconds)
            done = step + 1
            writer.write(done, "train", metrics)
            if metrics["finite"]:
                last_finite = (done, metrics["loss"])
            elif metrics["nonfinite_in_a_row"] >= config.max_nonfinite_in_a_row:
                raise TrainingDiverged(
                    f"step {done}: {int(metrics['nonfinite_in_a_row'])} steps in a row had a non-finite loss "
                    f"or gradient (now loss {metrics['loss']}, gradient norm {metrics['grad_norm']}); the last "
                    f"finite loss was {last_finite[1]:.6g} at step {last_finite[0]}. Parameters are those "
                    "before the first skipped step."
                )
            out_of_time = config.time_limit_s is not None and train_seconds >= config.time_limit_s
            stopped_early = False
            is_last = done == stop or out_of_time
            if done % config.log_every == 0 or is_last:
                speed = {"tokens_per_s": tokens / max(train_seconds - logged_seconds, 1e-9)}
                logged_seconds = train_seconds
                writer.write(done, "train", {**speed, "train_seconds": train_seconds, "progress": float(progress)})
                tokens = 0
                show = {"loss": f"{metrics['loss']:.4f}", "grad_norm": f"{metrics['grad_norm']:.3f}",
                        "tok/s": f"{speed['tokens_per_s']:,.0f}"}
                bar.set_postfix(show, refresh=False)
                if not config.progress and main:
                    print(f"step {done}: " + "  ".join(f"{k} {v}" for k, v in show.items()), flush=True)
            bar.update(1)
            if evaluate is not None and ((config.eval_every and done % config.eval_every == 0) or is_last):
                results = {name: float(value) for name, value in evaluate(state.params).items()}
                writer.write(done, "eval", results)
                say(f"step {done}: eval " + "  ".join(f"{k} {v:.4f}" for k, v in results.items()))
                if on_evaluation is not None:
                    on_evaluation(with_time(state), results)
                if checkpoints is not None:
                    checkpoints.save_if_best(with_time(state), results, checkpoint_extra)
                if stop_when is not None and stop_when(results) and not is_last:
                    is_last = stopped_early = True
            if checkpoints is not None and (done % config.checkpoint_every == 0 or is_last):
                checkpoints.save(with_time(state), checkpoint_extra)
            if out_of_time:
                say(f"step {done}: stopped at the time limit of {config.time_limit_s:.0f} s")
                break
            if stopped_early:
                say(f"step {done}: stopped early (stop_when)")
                break
    bar.close()
    return with_time(state)


def best_state(config: LoopConfig, state: TrainState, run_dir: str | pathlib.Path) -> TrainState:
    """The state that ``train(config, ..., run_dir)`` kept as the best by ``config.checkpoints.best_metric``
    (read from ``<run_dir>/checkpoints/best``), or ``state`` when it kept none."""
    if not config.checkpoint_every:
        return state
    best = Checkpoints(pathlib.Path(run_dir) / "checkpoints", config.checkpoints).restore_best(state)
    return best[0] if best else state
