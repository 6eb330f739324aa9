"""Checkpoints of a ``TrainState`` with orbax-checkpoint: the last K, and the best by a metric.

Layout of a run's checkpoint directory::

    checkpoints/latest/<step>/{state, meta}   # every save; the last ``keep_last`` are kept
    checkpoints/best/<step>/{state, meta}     # the one with the best validation metric

Orbax writes each checkpoint into a temporary directory and renames it when complete, so
a run killed mid-save leaves the previous checkpoint intact (and orbax removes the
partial one). After a save, ``<step>/files.sha256.json`` records the digest of every file
the save wrote; a restore checks them first, so a damaged file is named before orbax reads
anything (orbax's readers, failing mid-read, print a traceback per pending read). ``meta`` (JSON) holds the step, the caller's extra information, the
structure, shape and dtype of every array (a checkpoint of another model is refused with
the first difference) and a SHA-256 digest of every array's bytes (a corrupted checkpoint
is refused instead of being loaded partly).

With several processes (``seqjax.train.distributed``) every process calls ``save`` and the
restores: the arrays are gathered into host copies of their global values, process 0 writes
them, and the files are those of a single-process run, so a run may resume on another
number of processes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import pathlib
import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import orbax.checkpoint as ocp

from seqjax.data import write_text_atomically
from seqjax.train.distributed import is_main_process
from seqjax.train.parallel import to_host
from seqjax.train.state import TrainState


class CheckpointError(ValueError):
    """A checkpoint that cannot be restored: corrupt, incomplete or of another model."""


class _Unreadable(CheckpointError):
    """A checkpoint whose files are damaged (an older kept one may still be read)."""


def _brief(error: Exception) -> str:
    """The first line of an orbax or tensorstore error, at most 160 characters."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text[:160]}{'...' if len(text) > 160 else ''}"


def _savable(state: TrainState) -> dict[str, Any]:
    """The arrays of ``state`` that a checkpoint holds (random keys as their raw data)."""
    return {
        "step": state.step,
        "params": state.params,
        "opt_state": state.opt_state,
        "rng": jax.random.key_data(state.rng),
        "carry": state.carry,
        "nonfinite_in_a_row": state.nonfinite_in_a_row,
        "nonfinite_total": state.nonfinite_total,
        "train_seconds": state.train_seconds,
    }


def _from_savable(tree: dict[str, Any], template: TrainState) -> TrainState:
    rng = jax.random.wrap_key_data(tree["rng"], impl=jax.random.key_impl(template.rng))
    return template.replace(**{**tree, "rng": rng})


def _signature(tree: Any) -> list[str]:
    """One line per array: its path, shape and dtype."""
    return [
        f"{jax.tree_util.keystr(path)} {tuple(np.shape(leaf))} {jnp.result_type(leaf)}"
        for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]
    ]


FILE_DIGESTS = "files.sha256.json"


def _file_digests(step_directory: pathlib.Path) -> dict[str, str]:
    """``relative path -> SHA-256`` of every file under ``step_directory`` but the record itself."""
    return {
        str(path.relative_to(step_directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(step_directory.rglob("*")) if path.is_file() and path.name != FILE_DIGESTS
    }


def _digests(tree: Any) -> list[str]:
    return [hashlib.sha256(np.ascontiguousarray(np.asarray(leaf)).tobytes()).hexdigest() for leaf in jax.tree.leaves(tree)]


@dataclasses.dataclass(frozen=True)
class CheckpointConfig:
    """What ``Checkpoints`` keeps.

    Attributes:
      keep_last: checkpoints kept in ``latest/`` (older ones are deleted).
      best_metric: the validation metric that selects ``best/`` (e.g. ``"loss"``).
      best_mode: ``"min"`` or ``"max"``: which values of ``best_metric`` are better.
    """

    keep_last: int = 3
    best_metric: str = "loss"
    best_mode: str = "min"


class Checkpoints:
    """Saves and restores ``TrainState`` s under ``directory`` (see the module docstring)."""

    def __init__(self, directory: str | pathlib.Path, config: CheckpointConfig = CheckpointConfig()):
        self.directory = pathlib.Path(directory).absolute()
        self.config = config
        common = {"enable_async_checkpointing": False, "create": True, "cleanup_tmp_directories": True}
        self._latest = ocp.CheckpointManager(
            self.directory / "latest",
            options=ocp.CheckpointManagerOptions(max_to_keep=config.keep_last, **common),
            item_names=("state", "meta"),
        )
        self._best = ocp.CheckpointManager(
            self.directory / "best",
            options=ocp.CheckpointManagerOptions(
                max_to_keep=1,
                best_fn=lambda metrics: float(metrics[config.best_metric]),
                best_mode=config.best_mode,
                **common,
            ),
            item_names=("state", "meta"),
        )

    def _save_to(self, manager: ocp.CheckpointManager, state: TrainState, extra: dict, metrics: dict | None) -> None:
        tree = to_host(_savable(state))
        meta = {
            "step": int(tree["step"]), "extra": extra, "metrics": metrics,
            "signature": _signature(tree), "sha256": _digests(tree),
        }
        manager.save(
            int(tree["step"]),
            args=ocp.args.Composite(state=ocp.args.StandardSave(tree), meta=ocp.args.JsonSave(meta)),
            metrics=metrics,
            force=True,
        )
        if is_main_process():
            step_directory = pathlib.Path(manager.directory) / str(int(tree["step"]))
            write_text_atomically(step_directory / FILE_DIGESTS, json.dumps(_file_digests(step_directory), indent=1))

    def save(self, state: TrainState, extra: dict | None = None) -> None:
        """Writes ``state`` (and the JSON-serialisable ``extra``) to ``latest/``."""
        self._save_to(self._latest, state, extra or {}, None)

    def save_if_best(self, state: TrainState, metrics: dict[str, float], extra: dict | None = None) -> bool:
        """Writes ``state`` to ``best/`` if ``metrics[best_metric]`` is finite and beats the best so far."""
        value = float(metrics[self.config.best_metric])
        if not math.isfinite(value):
            return False
        best_step = self._best.best_step()
        if best_step is not None:
            best = float(self._read_meta(self._best, best_step)["metrics"][self.config.best_metric])
            better = value < best if self.config.best_mode == "min" else value > best
            if not better:
                return False
        self._save_to(self._best, state, extra or {}, {self.config.best_metric: value})
        return True

    def latest_step(self) -> int | None:
        """The newest step kept in ``latest/``, or None when there is none."""
        return self._latest.latest_step()

    def latest_steps(self) -> list[int]:
        """The steps kept in ``latest/``, oldest first."""
        return sorted(self._latest.all_steps())

    def restore_latest_step(self, step: int, template: TrainState) -> tuple[TrainState, dict]:
        """``(state, extra)`` of the checkpoint of ``step`` in ``latest/`` (one of ``latest_steps()``)."""
        if step not in self.latest_steps():
            raise CheckpointError(f"no checkpoint of step {step} in latest/ ({self.inventory()})")
        return self._restore(self._latest, step, template)

    def best_step(self) -> int | None:
        """The step of the checkpoint kept in ``best/``, or None when there is none."""
        return self._best.best_step()

    def restore_latest(self, template: TrainState) -> tuple[TrainState, dict] | None:
        """``(state, extra)`` of the newest checkpoint in ``latest/``, or None when there is none.

        ``template``: a state of the same model (e.g. a fresh ``TrainState.create``); it gives
        the structure, shapes and dtypes and the static parts (the optimiser).
        A damaged newest checkpoint (a disk error, a copy cut short) is passed over, with a
        warning on stderr, for the newest one that reads.
        """
        unreadable = []
        for step in sorted(self._latest.all_steps(), reverse=True):
            try:
                restored = self._restore(self._latest, step, template)
            except _Unreadable as error:
                unreadable.append(str(error))
                continue
            if unreadable:
                print(f"warning: {'; '.join(unreadable)}; restoring the newest readable one, latest/{step}, "
                      "instead", file=sys.stderr, flush=True)
            return restored
        if unreadable:
            raise CheckpointError("no checkpoint in latest/ can be read: " + "; ".join(unreadable))
        return None

    def restore_best(self, template: TrainState) -> tuple[TrainState, dict] | None:
        """Like ``restore_latest`` for the checkpoint in ``best/``."""
        step = self._best.best_step()
        return None if step is None else self._restore(self._best, step, template)

    def _check_files(self, where: pathlib.Path) -> None:
        """Raises ``_Unreadable`` naming the first file of ``where`` that is missing or differs
        from its recorded digest (checkpoints saved without a record pass)."""
        record = where / FILE_DIGESTS
        if not record.is_file():
            return
        expected = json.loads(record.read_text())
        actual = _file_digests(where)
        for name, digest in expected.items():
            if actual.get(name) != digest:
                state = "is missing" if name not in actual else "does not match its recorded SHA-256"
                raise _Unreadable(f"checkpoint {where} is damaged: {name} {state} ({self.inventory()})")

    def inventory(self) -> str:
        """The kept checkpoints, for messages: ``latest/ steps 150, 300; best/ step 300``."""
        latest = ", ".join(map(str, sorted(self._latest.all_steps()))) or "none"
        best = self._best.best_step()
        return f"kept in {self.directory}: latest/ steps {latest}; best/ step {best if best is not None else 'none'}"

    def _read_meta(self, manager: ocp.CheckpointManager, step: int) -> dict:
        try:
            return manager.restore(step, args=ocp.args.Composite(meta=ocp.args.JsonRestore())).meta
        except Exception as error:  # noqa: BLE001 - any failure to read is reported the same way
            raise _Unreadable(
                f"checkpoint {manager.directory / str(step)}: its metadata cannot be read ({_brief(error)}; "
                f"{self.inventory()})"
            ) from None

    def _restore(self, manager: ocp.CheckpointManager, step: int, template: TrainState) -> tuple[TrainState, dict]:
        where = pathlib.Path(manager.directory) / str(step)
        self._check_files(where)
        meta = self._read_meta(manager, step)
        template_tree = to_host(_savable(template))
        expected = _signature(template_tree)
        stored = meta.get("signature") if isinstance(meta, dict) else None
        if stored != expected:
            stored = stored or []
            first = next(
                (i for i, (a, b) in enumerate(zip(stored, expected)) if a != b), min(len(stored), len(expected))
            )
            raise CheckpointError(
                f"checkpoint {where} is of another model: expected {len(expected)} arrays, the first "
                f"different one {expected[first] if first < len(expected) else '(none)'}; the checkpoint "
                f"holds {len(stored)} arrays, there {stored[first] if first < len(stored) else '(none)'} "
                f"({self.inventory()})"
            )
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, template_tree)
        try:
            tree = manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract))).state
        except Exception as error:  # noqa: BLE001
            raise _Unreadable(f"checkpoint {where}: its arrays cannot be read ({_brief(error)}; {self.inventory()})") from None
        if _digests(tree) != meta["sha256"]:
            raise _Unreadable(
                f"checkpoint {where} is corrupt: its arrays do not match their SHA-256 digests ({self.inventory()})"
            )
        return _from_savable(tree, template), meta["extra"]
