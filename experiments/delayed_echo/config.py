"""The options of a delayed-echo run: each field is a flag of ``python -m experiments.delayed_echo.train``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Config:
    """Every option of a run (each is a command-line flag).

    Attributes:
      vocab_size: symbols of the random input stream.
      delay: steps between a symbol and its echo (the target).
      time_steps: the longest sequence (lengths are drawn from delay + 1 to it).
      log_every: steps between printed losses.
    """

    vocab_size: int = 8
    delay: int = 5
    time_steps: int = 40
    batch_size: int = 64
    hidden_size: int = 64
    learning_rate: float = 3e-3
    max_grad_norm: float = 1.0
    steps: int = 600
    log_every: int = 100
    seed: int = 0
