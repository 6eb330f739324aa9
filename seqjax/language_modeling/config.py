"""Configurations of the language model and its training, with named presets.

Light on purpose (the standard library, numpy through ``seqjax.data``, no JAX): ``seqjax
--help`` builds its flags from ``LMConfig`` before JAX loads."""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
from collections.abc import Callable
from typing import Literal

from seqjax.choices import CellName
from seqjax.data import write_text_atomically
from seqjax.errors import bad_argument


def _check(name: str, value: object, expected: str, holds: Callable[[object], bool]) -> None:
    """Raises ``bad_argument(name, expected, value)`` unless ``holds(value)`` (NaN holds nothing)."""
    if not holds(value):
        raise bad_argument(name, expected, repr(value))


def _option(default, help_text: str):
    """A field with its command-line help (``seqjax train --help`` lists them)."""
    return dataclasses.field(default=default, metadata={"help": help_text})


@dataclasses.dataclass(frozen=True)
class LMConfig:
    """Everything a language-model run needs besides its data (each field's ``help`` says what it is)."""

    level: Literal["char", "word"] = _option("char", "tokens: characters or words")
    cell: CellName = _option("gru", "recurrent layer, a name of seqjax.nn.LAYERS: lstm, gru, rnn (tanh), mingru, minlstm, lru, rglru or griffin (Griffin's residual block)")
    hidden_size: int = _option(448, "units per recurrent layer")
    num_layers: int = _option(2, "stacked recurrent layers")
    embed_size: int = _option(0, "embedding width (0: hidden_size)")
    dropout: float = _option(0.1, "dropout on embeddings, between layers and before the softmax")
    batch_size: int = _option(64, "parallel streams of the training text")
    seq_len: int = _option(50, "steps of truncated BPTT per chunk (the state is carried across chunks)")
    learning_rate: float = _option(3e-3, "Adam's peak learning rate")
    warmup_steps: int = _option(100, "steps of linear warm-up to the peak rate")
    final_learning_fraction: float = _option(0.05, "the cosine decay ends at this fraction of the peak rate")
    max_grad_norm: float = _option(1.0, "global-norm gradient clipping threshold")
    steps: int = _option(2200, "the most train steps (chunks) the run takes")
    time_limit_minutes: float | None = _option(10.0, "stop after this many minutes in train steps (compilation, evaluation and checkpoints not counted; summed over resumes)")
    schedule: Literal["time", "steps"] = _option("time", "what the cosine decay spans: 'time', the larger of the fraction of the steps and of the time limit done (a run cut by its limit still ends annealed); 'steps', the steps alone (deterministic)")
    eval_every: int = _option(1100, "steps between passes over the whole validation split")
    checkpoint_every: int = _option(300, "steps between checkpoints")
    eval_batch_size: int = _option(16, "parallel streams of the validation pass")
    validation_fraction: float = _option(0.1, "the last fraction of the corpus (by position) is validation")
    seed: int = _option(0, "seed of initialisation and dropout")

    def __post_init__(self) -> None:
        if self.level not in ("char", "word"):
            raise bad_argument("level", "'char' or 'word'", repr(self.level))
        if self.schedule not in ("time", "steps"):
            raise bad_argument("schedule", "'time' or 'steps'", repr(self.schedule))
        for name in ("hidden_size", "num_layers", "batch_size", "seq_len", "steps", "eval_every",
                     "checkpoint_every", "eval_batch_size"):
            _check(name, getattr(self, name), "a positive int", lambda v: isinstance(v, int) and v >= 1)
        for name in ("embed_size", "warmup_steps"):
            _check(name, getattr(self, name), "an int >= 0", lambda v: isinstance(v, int) and v >= 0)
        _check("seed", self.seed, "an int", lambda v: isinstance(v, int))
        positive = lambda v: isinstance(v, int | float) and math.isfinite(v) and v > 0  # noqa: E731
        for name in ("learning_rate", "max_grad_norm"):
            _check(name, getattr(self, name), "a finite positive number", positive)
        if self.time_limit_minutes is not None:
            _check("time_limit_minutes", self.time_limit_minutes, "a finite positive number or None", positive)
        _check("dropout", self.dropout, "a probability in [0, 1)", lambda v: 0.0 <= v < 1.0)
        _check("final_learning_fraction", self.final_learning_fraction, "a number in [0, 1]", lambda v: 0.0 <= v <= 1.0)
        _check("validation_fraction", self.validation_fraction, "a number in (0, 1)", lambda v: 0.0 < v < 1.0)

    def save(self, path: str | pathlib.Path) -> None:
        write_text_atomically(path, json.dumps(dataclasses.asdict(self), indent=2))

    @classmethod
    def load(cls, path: str | pathlib.Path) -> LMConfig:
        return cls(**json.loads(pathlib.Path(path).read_text()))


PRESETS: dict[str, LMConfig] = {
    # What trains well in 10 minutes on 2 CPU cores, and nearly as well on one (see docs/language-modelling.md):
    # a 2 x 448 GRU (the GRU core runs 1.3x the LSTM's tokens/s here), batch 64, 50-step TBPTT
    # (twice the updates of 100-step chunks for the same tokens: 1.4287 against 1.4474 nats/char).
    "cpu": LMConfig(),
    # The course's model: 3 layers of 512 LSTM units, for a GPU.
    "seed": LMConfig(
        cell="lstm", hidden_size=512, num_layers=3, dropout=0.3, batch_size=64, seq_len=128,
        learning_rate=2e-3, warmup_steps=200, steps=20_000, time_limit_minutes=None,
        eval_every=1000, checkpoint_every=1000,
    ),
    # Seconds on a CPU: for tests and smoke runs.
    "tiny": LMConfig(
        cell="lstm", hidden_size=32, num_layers=1, dropout=0.0, batch_size=4, seq_len=16, warmup_steps=0,
        steps=30, time_limit_minutes=None, eval_every=10, checkpoint_every=10, eval_batch_size=2,
    ),
}
