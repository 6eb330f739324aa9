"""The options of a part-of-speech tagging run: each field is a flag of ``python -m
experiments.pos_tagging.train``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class TaggingConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      char_features: add a character-level BiLSTM's features to each word's embedding.
      min_word_count: words seen fewer times in training map to the unknown word.
    """

    epochs: int = 12
    batch_size: int = 32
    learning_rate: float = 2e-3
    max_grad_norm: float = 5.0
    embed_size: int = 100
    hidden_size: int = 128
    num_layers: int = 2
    char_features: bool = True
    dropout_rate: float = 0.33
    min_word_count: int = 2
    seed: int = 0
    data_dir: str | None = None
    download: bool = False
    run_dir: str = "runs/pos_tagging"
