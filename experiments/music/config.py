"""The options of a music run: each field is a flag of ``python -m experiments.music.train``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses

from seqjax.choices import CellName


@dataclasses.dataclass(frozen=True)
class MusicConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      primer_steps: steps of a test chorale the samples start from.
      sample_steps: steps sampled after the primer.
      temperature: sampling temperature of the notes (0: each note on when p > 0.5).
    """

    cell: CellName = "lstm"
    hidden_size: int = 256
    num_layers: int = 1
    embed_size: int = 128
    dropout_rate: float = 0.3
    epochs: int = 40
    batch_size: int = 16
    learning_rate: float = 2e-3
    max_grad_norm: float = 5.0
    primer_steps: int = 8
    sample_steps: int = 56
    temperature: float = 1.0
    seed: int = 0
    data_dir: str | None = None
    download: bool = False
    run_dir: str = "runs/music"
