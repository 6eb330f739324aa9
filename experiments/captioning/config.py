"""The options of a captioning run: each field is a flag of ``python -m experiments.captioning.train``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class CaptioningConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      train_scenes: scenes composed for training.
      valid_scenes: scenes for validation (model selection).
      test_scenes: scenes for the reported test scores.
      attend: decode with attention over the image grid (else from the pooled image alone).
      length_penalty: beam search's length normalisation exponent (GNMT's alpha).
    """

    train_scenes: int = 20_000
    valid_scenes: int = 1_000
    test_scenes: int = 1_000
    attend: bool = True
    epochs: int = 15
    batch_size: int = 64
    learning_rate: float = 2e-3
    max_grad_norm: float = 5.0
    embed_size: int = 64
    hidden_size: int = 256
    dropout_rate: float = 0.2
    beam_width: int = 3
    length_penalty: float = 0.6
    seed: int = 0
    data_dir: str | None = None
    run_dir: str = "runs/captioning"
