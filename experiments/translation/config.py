"""The options of a translation run: each field is a flag of ``python -m experiments.translation.train``.

Imported before JAX (``--help`` answers at once), so it imports no JAX itself.
"""

from __future__ import annotations

import dataclasses

from seqjax.choices import CellName, ScoreName


@dataclasses.dataclass(frozen=True)
class TranslationConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      source: the source language of Multi30k (de, fr or en).
      target: the target language.
      vocab_size: subword pieces per language (byte-pair encoding).
      max_pieces: sentences longer than this in pieces are cut.
      label_smoothing: mass moved from the target token to the others in the loss.
      encoder_size: units of each direction of the bidirectional encoder.
      decoder_size: units of the decoder.
      score: attention score (Luong's dot, general or concat).
      decode_batch_size: sentences decoded at once by beam search.
    """

    source: str = "de"
    target: str = "en"
    vocab_size: int = 8000
    max_pieces: int = 64
    epochs: int = 15
    batch_size: int = 96
    learning_rate: float = 2e-3
    max_grad_norm: float = 5.0
    label_smoothing: float = 0.1
    embed_size: int = 256
    encoder_size: int = 256
    decoder_size: int = 512
    cell: CellName = "gru"
    score: ScoreName = "general"
    dropout_rate: float = 0.3
    beam_width: int = 5
    length_penalty: float = 0.6
    decode_batch_size: int = 200
    seed: int = 0
    data_dir: str | None = None
    download: bool = False
    run_dir: str = "runs/translation"
