"""The skeleton every experiment trains with: initialise, train (or resume), keep the best,
write the results.

    fitted = train.fit(lambda key: model.init(key, ...), loss_fn, batch_at, run_dir,
                       loop=train.LoopConfig(...), optimizer=train.OptimizerConfig(...),
                       seed=config.seed, evaluate=evaluate_valid, config=config)
    results = {**fitted.summary(), "test": evaluate_test(fitted.params)}
    train.write_results(run_dir, results, config)

``fit`` splits ``seed`` into an initialisation key and the run's key, builds the optimiser,
records ``config`` in ``<run_dir>/config.json`` and in every checkpoint, trains with
``seqjax.train.train`` and returns the state its evaluations kept as the best. A run directory
that already holds a run is resumed only with the same options (``may_change`` names the ones
that may differ, e.g. ``epochs`` to train longer): one with other options is refused, naming
them, before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import pathlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import optax

from seqjax.core import count_parameters
from seqjax.data import write_text_atomically
from seqjax.errors import bad_argument
from seqjax.train.checkpoints import CheckpointConfig
from seqjax.train.distributed import is_main_process, local_rows
from seqjax.train.loop import LoopConfig, best_state, train
from seqjax.train.optimizers import OptimizerConfig, make_optimizer
from seqjax.train.state import TrainState
from seqjax.train.step import LossFn

CONFIG_FILE = "config.json"
RESULTS_FILE = "results.json"
ALWAYS_MAY_CHANGE = ("run_dir", "data_dir", "download")  # where a run is, where its data is read from and whether it may be fetched


@dataclasses.dataclass(frozen=True)
class Fitted:
    """What ``fit`` returns.

    Attributes:
      params: the parameters its evaluations rated best by ``loop.checkpoints.best_metric``
        (read back from ``checkpoints/best`` when the loop checkpoints, else kept in memory;
        the last ones when nothing was evaluated).
      best_step: the step of ``params``.
      last: the state the run ended with.
      train_wall_s: seconds this call spent in ``train`` (compilation and evaluation included).
    """

    params: Any
    best_step: int
    last: TrainState
    train_wall_s: float

    def summary(self) -> dict[str, Any]:
        """``parameters`` (count), ``train_wall_s``, ``best_step`` and ``last_step``, for results."""
        return {
            "parameters": count_parameters(self.params),
            "train_wall_s": self.train_wall_s,
            "best_step": self.best_step,
            "last_step": int(self.last.step),
        }


class _BestInMemory:
    """Keeps the state of the best evaluation so far (for a loop without checkpoints), by the
    rule ``Checkpoints.save_if_best`` applies: a finite value that beats the best so far."""

    def __init__(self, config: CheckpointConfig):
        self.config, self.value, self.state = config, math.nan, None

    def __call__(self, state: TrainState, results: Mapping[str, float]) -> None:
        if self.config.best_metric not in results:
            raise bad_argument("evaluate", f"results with {self.config.best_metric!r} (the loop's best_metric)",
                               sorted(results))
        value = float(results[self.config.best_metric])
        better = value < self.value if self.config.best_mode == "min" else value > self.value
        if math.isfinite(value) and (self.state is None or better):
            self.value, self.state = value, state


def _as_json(config: Any) -> dict[str, Any]:
    """``config`` (a dataclass) as the JSON object it is recorded as (tuples as lists)."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


def _field_defaults(config: Any) -> dict[str, Any]:
    """The JSON form of each field's default, for records written before a field existed."""
    defaults = {}
    for field in dataclasses.fields(config):
        if field.default is not dataclasses.MISSING:
            defaults[field.name] = json.loads(json.dumps(field.default))
        elif field.default_factory is not dataclasses.MISSING:
            defaults[field.name] = json.loads(json.dumps(field.default_factory()))
    return defaults


def split_seed(seed: int) -> tuple[jax.Array, jax.Array]:
    """``(initialisation key, run key)``: the keys ``fit`` derives from ``seed``."""
    init_key, run_key = jax.random.split(jax.random.key(seed))
    return init_key, run_key


def claim_run_dir(run_dir: str | pathlib.Path, config: Any, may_change: Sequence[str] = ()) -> None:
    """Records ``config`` in ``<run_dir>/config.json``, or checks that the run recorded there has
    the same options but ``may_change`` (and ``run_dir``, ``data_dir``, ``download``); raises ``ArgumentError``
    naming the others, before writing anything. An option the record lacks (added since) is
    compared with its default."""
    run_dir, options = pathlib.Path(run_dir), _as_json(config)
    path = run_dir / CONFIG_FILE
    if path.is_file():
        recorded = {**_field_defaults(config), **json.loads(path.read_text())}
        allowed = {*ALWAYS_MAY_CHANGE, *may_change}
        differing = sorted(name for name in options.keys() | recorded.keys()
                           if name not in allowed and recorded.get(name) != options.get(name))
        if differing:
            changes = ", ".join(f"{name} {recorded.get(name)!r} -> {options.get(name)!r}" for name in differing)
            may = ", ".join(sorted(allowed))
            raise bad_argument("run_dir", f"a new run directory, or the options of the run in {run_dir} "
                               f"(only {may} may change)", f"other options: {changes}")
    if is_main_process():
        run_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, json.dumps(options, indent=2))


def fit(
    init: Callable[[jax.Array], Any],
    loss_fn: LossFn,
    batch_at: Callable[[int], Any],
    run_dir: str | pathlib.Path,
    *,
    loop: LoopConfig,
    optimizer: OptimizerConfig | optax.GradientTransformation,
    seed: int = 0,
    evaluate: Callable[[Any], Mapping[str, float]] | None = None,
    config: Any | None = None,
    may_change: Sequence[str] = (),
    carry: Any = None,
    **train_options: Any,
) -> Fitted:
    """Initialises, trains (resuming from ``run_dir``'s checkpoints) and returns the best state.

    Args:
      init: ``key -> params`` (e.g. ``lambda key: model.init(key, example_inputs)``).
      loss_fn: see ``seqjax.train.step`` (``carrying(...)`` when ``carry`` is given).
      batch_at: ``step -> batch``, the global batch (with several processes, each keeps its
        rows of it: ``distributed.local_rows``).
      run_dir: the run's directory (metrics, checkpoints, ``config.json``).
      loop: the loop's configuration; with ``checkpoint_every`` a killed run resumes.
      optimizer: an ``OptimizerConfig`` (``make_optimizer`` builds it) or an optax transformation.
      seed: split into the initialisation key and the run's key (dropout, ...).
      evaluate: ``params -> metrics`` on validation data; picks the best checkpoint.
      config: the run's options (a dataclass), recorded in ``config.json`` and the checkpoints;
        a resume with other options is refused (see ``claim_run_dir``).
      may_change: options a resume may change.
      carry: the state's initial carry, for a carrying loss (truncated BPTT).
      train_options: passed to ``seqjax.train.train`` (``stop_when``, ``tokens_in``, ...).
    """
    if not isinstance(optimizer, OptimizerConfig | optax.GradientTransformation):
        raise bad_argument("optimizer", "an OptimizerConfig or an optax.GradientTransformation", type(optimizer).__name__)
    if config is not None:
        claim_run_dir(run_dir, config, may_change)
    init_key, run_key = split_seed(seed)
    transformation = make_optimizer(optimizer) if isinstance(optimizer, OptimizerConfig) else optimizer
    state = TrainState.create(init(init_key), transformation, run_key, carry)
    extra = None if config is None else {"config": _as_json(config)}
    in_memory = _BestInMemory(loop.checkpoints) if evaluate is not None and not loop.checkpoint_every else None
    began = time.perf_counter()
    local_batch_at = batch_at if jax.process_count() == 1 else lambda step: local_rows(batch_at(step))
    last = train(loop, state, loss_fn, local_batch_at, run_dir, evaluate=evaluate, checkpoint_extra=extra,
                 on_evaluation=in_memory, **train_options)
    train_wall_s = time.perf_counter() - began
    best = best_state(loop, last, run_dir) if in_memory is None or in_memory.state is None else in_memory.state
    return Fitted(best.params, int(best.step), last, train_wall_s)


def write_results(run_dir: str | pathlib.Path, results: Mapping[str, Any], config: Any | None = None) -> pathlib.Path:
    """Writes ``{"config": config, **results, "date": today}`` to ``<run_dir>/results.json``
    atomically (a reader sees the old file or the new one) and returns its path; with several
    processes, process 0 writes it."""
    path = pathlib.Path(run_dir) / RESULTS_FILE
    if not is_main_process():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {**({} if config is None else {"config": _as_json(config)}), **results,
              "date": datetime.date.today().isoformat()}
    write_text_atomically(path, json.dumps(record, indent=2))
    return path
