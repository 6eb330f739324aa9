"""Learning-rate schedules over a run's *progress*, the fraction of the run done, in [0, 1].

A step-count schedule (``optax.warmup_cosine_decay_schedule``) assumes the run reaches its
last step; a run stopped by a time limit on a slow machine is then cut at a high learning
rate. ``train`` instead gives the optimiser the run's progress at every step (the larger
of the fraction of its steps and the fraction of its time budget done, see
``LoopConfig.schedule_by``), and a ``ProgressSchedule`` anneals over that, so a run ends
annealed whichever limit it reaches first.

    optimizer = make_optimizer(OptimizerConfig(learning_rate=WarmupCosine(3e-3, warmup_steps=50)))

The progress reaches the optimiser as optax's extra argument ``progress``
(``optimizer.update(grads, opt_state, params, progress=p)``); transformations that do not
take it ignore it.
"""

from __future__ import annotations

import abc
import dataclasses
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from seqjax.core import bad_argument


class ProgressSchedule(abc.ABC):
    """A learning rate as a function of the update count and the run's progress in [0, 1]."""

    @abc.abstractmethod
    def __call__(self, count: jax.Array, progress: jax.Array) -> jax.Array:
        """The learning rate of update ``count`` (0 for the first) at ``progress``."""


@dataclasses.dataclass(frozen=True)
class WarmupCosine(ProgressSchedule):
    """A linear warm-up over the first ``warmup_steps`` updates, times a cosine over the progress.

    ``rate(count, progress) = peak * min(1, (count + 1) / (warmup_steps + 1))
    * (final_fraction + (1 - final_fraction) * (1 + cos(pi * progress)) / 2)``: the peak
    after the warm-up, ``final_fraction * peak`` at progress 1.

    The warm-up counts updates (it steadies Adam's first moments, which takes a number of
    steps, not a fraction of the run); the decay follows the progress.
    """

    peak: float
    warmup_steps: int = 0
    final_fraction: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.peak, int | float) and math.isfinite(self.peak) and self.peak > 0):
            raise bad_argument("peak", "a finite positive learning rate", repr(self.peak))
        if not isinstance(self.warmup_steps, int) or self.warmup_steps < 0:
            raise bad_argument("warmup_steps", "an int >= 0", repr(self.warmup_steps))
        if not 0.0 <= self.final_fraction <= 1.0:
            raise bad_argument("final_fraction", "a number in [0, 1]", repr(self.final_fraction))

    def __call__(self, count: jax.Array, progress: jax.Array) -> jax.Array:
        warm = jnp.minimum(1.0, (count + 1) / (self.warmup_steps + 1))
        cosine = 0.5 * (1.0 + jnp.cos(jnp.pi * jnp.clip(progress, 0.0, 1.0)))
        return self.peak * warm * (self.final_fraction + (1.0 - self.final_fraction) * cosine)


class ProgressScheduleState(NamedTuple):
    """``count``: updates applied so far; ``learning_rate``: the rate of the last one (for logs)."""

    count: jax.Array
    learning_rate: jax.Array


def scale_by_progress_schedule(schedule: ProgressSchedule) -> optax.GradientTransformationExtraArgs:
    """Multiplies the updates by ``-schedule(count, progress)`` (a descent step).

    ``update`` takes the extra argument ``progress`` (a scalar in [0, 1]); without it the
    progress is taken as 0, so a caller that never passes it gets warm-up and the peak rate.
    """

    def init(params: Any) -> ProgressScheduleState:
        del params
        return ProgressScheduleState(jnp.zeros([], jnp.int32), jnp.zeros([], jnp.float32))

    def update(updates: Any, state: ProgressScheduleState, params: Any = None, *, progress: Any = 0.0,
               **extra_args: Any) -> tuple[Any, ProgressScheduleState]:
        del params, extra_args
        rate = jnp.asarray(schedule(state.count, jnp.asarray(progress, jnp.float32)), jnp.float32)
        updates = jax.tree.map(lambda u: (-rate * u).astype(u.dtype), updates)
        return updates, ProgressScheduleState(optax.safe_increment(state.count), rate)

    return optax.GradientTransformationExtraArgs(init, update)
