"""One row of the gradient-pathology lab: train one encoder on one task and measure it.

Run (one command per row; ``--help`` lists every option):

    python -m experiments.gradient_lab.train --task adding --time 200 --model irnn

It trains through ``seqjax.train`` (Adam, global-norm clipping, the gradient norm before
clipping logged every step), evaluates on the task's fixed evaluation set every
``eval_every`` steps, measures ``||dL_T/dh_k||`` (the loss at the last step against every
hidden state) at initialisation and after training, and writes
``<out>/<task>__<model>[__<tag>].json`` with everything the report needs.
"""

from __future__ import annotations

from experiments.gradient_lab.config import MODEL_NAMES, RunConfig
from experiments.gradient_lab.input_pipeline import TASK_NAMES
from seqjax import flags


def parse_config(argv: list[str] | None = None) -> RunConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    choices = {"task": TASK_NAMES, "model": MODEL_NAMES, "optimizer": ("adam", "sgd", "rmsprop")}
    return flags.parse(RunConfig, argv, __doc__.splitlines()[0], choices, command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.gradient_lab.experiment:run", parse_config)
