"""The options of a sentiment run: each field is a flag of ``python -m experiments.sentiment.train``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses

from seqjax.choices import CELL_NAMES, POOLINGS
from seqjax.errors import bad_argument


@dataclasses.dataclass(frozen=True)
class SentimentConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      pooling: one or more of seqjax.choices.POOLINGS; the ensemble's members take them in turn.
      cell: one or more of seqjax.choices.CELL_NAMES; the members take them in turn (the pooling changing fastest).
      folds: cross-validation folds run, of 10 (1: one fixed 90/10 split).
      min_word_count: words seen fewer times in training map to the unknown word.
      early_stopping: keep each member's epoch with the best held-out accuracy.
      average_last: without early stopping, average the test probabilities of the last this many epochs.
      pretrain_epochs: epochs of pretraining the encoder as a language model first (0: none).
      pretrain_vocab: words of the pretraining language model's output vocabulary.
      ensemble: models whose probabilities are averaged.
    """

    pooling: tuple[str, ...] = ("max",)
    cell: tuple[str, ...] = ("lstm",)
    folds: int = 1
    epochs: int = 5
    batch_size: int = 50
    learning_rate: float = 2e-3
    max_grad_norm: float = 5.0
    embed_size: int = 64
    hidden_size: int = 64
    dropout_rate: float = 0.5
    min_word_count: int = 2
    early_stopping: bool = True
    average_last: int = 1
    pretrain_epochs: int = 0
    pretrain_vocab: int = 2000
    ensemble: int = 1
    seed: int = 0
    data_dir: str | None = None
    download: bool = False
    run_dir: str = "runs/sentiment"

    def __post_init__(self) -> None:
        for name, allowed in (("pooling", POOLINGS), ("cell", CELL_NAMES)):
            if not (isinstance(getattr(self, name), tuple) and getattr(self, name)
                    and set(getattr(self, name)) <= set(allowed)):
                raise bad_argument(name, f"a tuple of one or more of {allowed}", repr(getattr(self, name)))
        for name, low, high in (("folds", 1, 10), ("epochs", 1, None), ("batch_size", 1, None),
                                ("ensemble", 1, None), ("pretrain_epochs", 0, None)):
            value = getattr(self, name)
            if value < low or (high is not None and value > high):
                expected = f"an int >= {low}" if high is None else f"an int in [{low}, {high}]"
                raise bad_argument(name, expected, repr(value))
        if not 1 <= self.average_last <= self.epochs or (self.early_stopping and self.average_last != 1):
            raise bad_argument("average_last", f"a number of epochs in [1, epochs={self.epochs}], and 1 with "
                               "early stopping", repr(self.average_last))
