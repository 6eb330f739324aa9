"""Optimisers with global-norm gradient clipping whose pre-clipping norm the caller can read."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, NamedTuple

import jax
import jax.numpy as jnp
import optax

from seqjax.core import bad_argument


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
    """The global gradient norm of the last update, before clipping (a float32 scalar)."""
    return optax.tree.get(opt_state, "global_norm")


@dataclasses.dataclass(frozen=True)
class OptimizerConfig:
    """What ``make_optimizer`` builds.

    Attributes:
      name: ``"adam"``, ``"adamw"``, ``"sgd"`` (with ``momentum``) or ``"rmsprop"``.
      learning_rate: a constant or an optax schedule.
      max_grad_norm: the global-norm clipping threshold; ``None`` turns clipping off.
      momentum: for ``"sgd"`` (0 for plain SGD).
      weight_decay: for ``"adamw"``.
    """

    name: Literal["adam", "adamw", "sgd", "rmsprop"] = "adam"
    learning_rate: float | optax.Schedule = 1e-3
    max_grad_norm: float | None = 1.0
    momentum: float = 0.0
    weight_decay: float = 1e-4


def make_optimizer(config: OptimizerConfig = OptimizerConfig()) -> optax.GradientTransformation:
    """The optimiser of ``config`` behind global-norm clipping (see ``with_global_norm_clipping``)."""
    builders = {
        "adam": lambda: optax.adam(config.learning_rate),
        "adamw": lambda: optax.adamw(config.learning_rate, weight_decay=config.weight_decay),
        "sgd": lambda: optax.sgd(config.learning_rate, momentum=config.momentum or None),
        "rmsprop": lambda: optax.rmsprop(config.learning_rate),
    }
    if config.name not in builders:
        raise bad_argument("name", f"one of {sorted(builders)}", repr(config.name))
    return with_global_norm_clipping(builders[config.name](), config.max_grad_norm)
