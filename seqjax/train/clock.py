"""A clock that stops while JAX compiles, for time budgets that should not pay for compilation.

JAX reports the duration of each tracing, lowering and backend compilation to
``jax.monitoring`` listeners; this module sums them (events under ``/jax/core/compile/``)
and subtracts them from ``time.perf_counter``. A train step that compiles (the first, or
one with a new batch shape) then counts only its run time.
"""

from __future__ import annotations

import time

import jax

_COMPILE_EVENTS = "/jax/core/compile/"
_compile_seconds = 0.0


def _add_compile_time(event: str, seconds: float, **_: object) -> None:
    global _compile_seconds
    if event.startswith(_COMPILE_EVENTS):
        _compile_seconds += seconds


jax.monitoring.register_event_duration_secs_listener(_add_compile_time)


def compile_seconds() -> float:
    """Seconds this process has spent tracing, lowering and compiling since this module loaded."""
    return _compile_seconds


def seconds_without_compilation() -> float:
    """``time.perf_counter()`` minus ``compile_seconds()``: differences of it are run time alone."""
    return time.perf_counter() - _compile_seconds
