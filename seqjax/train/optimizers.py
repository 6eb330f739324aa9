"""Optimisers with global-norm gradient clipping whose pre-clipping norm the caller can read."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Literal, NamedTuple

import jax
import jax.numpy as jnp
import optax

from seqjax.core import bad_argument
from seqjax.train.schedules import ProgressSchedule, scale_by_progress_schedule


class GlobalNormState(NamedTuple):
    """``global_norm``: the global L2 norm of the last gradient this transformation saw."""

    global_norm: jax.Array


def record_global_norm() -> optax.GradientTransformation:
    """An identity transformation that stores the updates' global norm in its state."""

    def init(params: Any) -> GlobalNormState:
        del params
        return GlobalNormState(global_norm=jnp.zeros([], jnp.float32))

    def update(updates: Any, state: GlobalNormState, params: Any = None) -> tuple[Any, GlobalNormState]:
        del state, params
        return updates, GlobalNormState(global_norm=optax.tree.norm(updates).astype(jnp.float32))

    return optax.GradientTransformation(init, update)


def with_global_norm_clipping(
    optimizer: optax.GradientTransformation, max_norm: float | None
) -> optax.GradientTransformation:
    """``record_global_norm -> optax.clip_by_global_norm(max_norm) -> optimizer``.

    With ``max_norm=None`` the gradient is not clipped but its norm is still recorded.
    Read the norm before clipping with ``global_norm_before_clipping(opt_state)``.
    """
    if max_norm is not None and not max_norm > 0:
        raise bad_argument("max_norm", "a positive number or None", repr(max_norm))
    clipping = [] if max_norm is None else [optax.clip_by_global_norm(max_norm)]
    return optax.chain(record_global_norm(), *clipping, optimizer)


def global_norm_before_clipping(opt_state: Any) -> jax.Array:
    """The global gradient norm of the last update, before clipping (a float32 scalar).

    ``opt_state``: the state of an optimiser built by ``with_global_norm_clipping`` or
    ``make_optimizer`` (only they record the norm).
    """
    norm = optax.tree.get(opt_state, "global_norm")
    if norm is None:
        raise bad_argument(
            "opt_state", "the state of an optimiser from make_optimizer or with_global_norm_clipping "
            "(they record the norm before clipping)", f"a state without one ({type(opt_state).__name__})",
        )
    return norm


@dataclasses.dataclass(frozen=True)
class OptimizerConfig:
    """What ``make_optimizer`` builds.

    Attributes:
      name: ``"adam"``, ``"adamw"``, ``"sgd"`` (with ``momentum``) or ``"rmsprop"``.
      learning_rate: a constant, an optax schedule (of the update count) or a
        ``ProgressSchedule`` (of the count and the run's progress, see ``seqjax.train.schedules``).
      max_grad_norm: the global-norm clipping threshold; ``None`` turns clipping off.
      momentum: for ``"sgd"`` (0 for plain SGD).
      weight_decay: for ``"adamw"``.
    """

    name: Literal["adam", "adamw", "sgd", "rmsprop"] = "adam"
    learning_rate: float | optax.Schedule | ProgressSchedule = 1e-3
    max_grad_norm: float | None = 1.0
    momentum: float = 0.0
    weight_decay: float = 1e-4

    def __post_init__(self) -> None:
        rate = self.learning_rate
        if isinstance(rate, int | float) and not (math.isfinite(rate) and rate > 0):
            raise bad_argument("learning_rate", "a finite positive number or a schedule", repr(rate))
        if not (math.isfinite(self.momentum) and 0.0 <= self.momentum < 1.0):
            raise bad_argument("momentum", "a number in [0, 1)", repr(self.momentum))
        if not (math.isfinite(self.weight_decay) and self.weight_decay >= 0.0):
            raise bad_argument("weight_decay", "a finite number >= 0", repr(self.weight_decay))


def make_optimizer(config: OptimizerConfig = OptimizerConfig()) -> optax.GradientTransformation:
    """The optimiser of ``config`` behind global-norm clipping (see ``with_global_norm_clipping``).

    With a ``ProgressSchedule`` the optimiser is built at learning rate -1 (each of these
    ends by scaling its direction by the rate) and followed by ``scale_by_progress_schedule``,
    which is the same optimiser at the scheduled rate.
    """
    by_progress = isinstance(config.learning_rate, ProgressSchedule)
    rate = -1.0 if by_progress else config.learning_rate  # -1 cancels the descent sign; the schedule restores it
    builders = {
        "adam": lambda: optax.adam(rate),
        "adamw": lambda: optax.adamw(rate, weight_decay=config.weight_decay),
        "sgd": lambda: optax.sgd(rate, momentum=config.momentum or None),
        "rmsprop": lambda: optax.rmsprop(rate),
    }
    if config.name not in builders:
        raise bad_argument("name", f"one of {sorted(builders)}", repr(config.name))
    optimizer = builders[config.name]()
    if by_progress:
        optimizer = optax.chain(optimizer, scale_by_progress_schedule(config.learning_rate))
    return with_global_norm_clipping(optimizer, config.max_grad_norm)
