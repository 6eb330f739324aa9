"""The rows of the lab's table: each task with each encoder, plus the clipping pair, and their command lines."""

from __future__ import annotations

import sys

from experiments.gradient_lab.config import MODEL_NAMES, RunConfig
from seqjax import flags

# (task, time): steps, evaluation interval, time limit in seconds (whichever ends first; rows also
# stop at the first evaluation that solves the task).
BUDGETS = {
    ("adding", 100): (4000, 100, 45.0),
    ("adding", 200): (4000, 100, 60.0),
    ("adding", 400): (4000, 100, 90.0),
    ("copy", 100): (4000, 100, 60.0),
    ("digits", 64): (3000, 100, 30.0),
    ("permuted_digits", 64): (3000, 100, 30.0),
    ("fashion_pixels", 784): (5000, 250, 150.0),
}
# The exploding case: an IRNN under plain SGD (lr 0.01) on adding-100, with and without clipping.
CLIPPING_PAIR = tuple(
    RunConfig(task="adding", time=100, model="irnn", optimizer="sgd", learning_rate=0.01, max_grad_norm=clip,
              steps=1000, eval_every=100, time_limit_s=45.0, stop_when_solved=False, tag=tag)
    for clip, tag in ((None, "sgd-no-clipping"), (1.0, "sgd-clipping-1"))
)


def rows() -> list[RunConfig]:
    """Every row of the table, in the order of the results page."""
    table = [
        RunConfig(task=task, time=time if task in ("adding", "copy") else RunConfig.time, model=model, steps=steps,
                  eval_every=every, time_limit_s=limit)
        for (task, time), (steps, every, limit) in BUDGETS.items()
        for model in MODEL_NAMES
    ]
    return table + list(CLIPPING_PAIR)


def command(config: RunConfig) -> list[str]:
    """The command line of one row: its task, model and the options that differ from ``RunConfig``'s defaults."""
    always = ("task", "model", "time") if config.task in ("adding", "copy") else ("task", "model")
    return [sys.executable, "-m", "experiments.gradient_lab.train", *flags.argv_of(config, always)]


def command_text(config: RunConfig) -> str:
    """``command(config)`` as one would type it (``python -m ...``)."""
    return " ".join(["python", *command(config)[1:]])
