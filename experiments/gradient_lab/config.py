"""The options of one row of the gradient lab: each field is a flag of ``python -m
experiments.gradient_lab.train``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses

# The encoders of models.ENCODERS (checked there), named here for --help without JAX.
MODEL_NAMES = ("rnn_uniform", "rnn_orthogonal", "irnn", "lstm_fb0", "lstm_fb1", "gru_ub0", "gru_ub1", "skip_rnn",
               "orthogonal_rnn", "orthogonal_relu", "mingru", "minlstm", "rglru", "lru", "lru_phase_pi")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """One row of the lab's table (each option is a command-line flag).

    Attributes:
      task: a name of input_pipeline's tasks (adding, copy, digits, permuted_digits, fashion_pixels).
      time: the sequence length of adding, the blanks of copy.
      model: an encoder of models.MODEL_NAMES.
      optimizer: adam or sgd.
      max_grad_norm: global-norm gradient clipping threshold (none: no clipping).
      time_limit_s: stop after this many seconds of training (none: no limit).
      stop_when_solved: end at the first evaluation that reaches the task's threshold.
      pool: the pixel tasks average pool x pool blocks first (1: every pixel a step; 4: 49 steps).
      flow_examples: examples whose gradient flow ||dL/dh_k|| is measured.
      tag: names a variant row (none: the plain row).
      out: the directory of the rows' result files.
    """

    task: str = "adding"
    time: int = 100
    model: str = "lstm_fb1"
    hidden_size: int = 64
    batch_size: int = 32
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    max_grad_norm: float | None = 1.0
    steps: int = 2000
    eval_every: int = 100
    time_limit_s: float | None = None
    stop_when_solved: bool = True
    pool: int = 1
    flow_examples: int = 32
    seed: int = 0
    tag: str | None = None
    data_dir: str | None = None
    out: str = "runs/gradient_lab"

    @property
    def row_name(self) -> str:
        task = self.task + (f"-{self.time}" if self.task in ("adding", "copy") else "")
        return "__".join(part for part in (task, self.model, self.tag) if part)
