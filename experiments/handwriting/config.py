"""The options of a handwriting run: each field is a flag of ``python -m experiments.handwriting.train``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class HandwritingConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      train_lines: lines of text rendered as pen strokes for training.
      valid_lines: lines for validation.
      num_components: Gaussians of the mixture density output.
      conditional: condition on the text through a soft attention window (Graves 2013).
      window_components: Gaussians of the attention window.
      sample_points: pen points sampled after training.
      sample_text: the text a conditional sample writes.
      bias: sampling bias (sharper, neater strokes as it grows; 0: none).
    """

    train_lines: int = 1200
    valid_lines: int = 100
    hidden_size: int = 128
    num_layers: int = 3
    num_components: int = 20
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 2e-3
    max_grad_norm: float = 5.0
    conditional: bool = False
    window_components: int = 10
    sample_points: int = 300
    sample_text: str = "To be or not"
    bias: float = 1.0
    seed: int = 0
    data_dir: str | None = None
    download: bool = False
    run_dir: str = "runs/handwriting"
