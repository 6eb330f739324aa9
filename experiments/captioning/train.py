"""Captioning composed Fashion-MNIST scenes: a CNN encoder and an LSTM decoder with attention.

    python -m experiments.captioning.train                 # the full run (--help for options)
    python -m experiments.captioning.train --no-attend     # Show and Tell: the image only starts the decoder

Trains with teacher forcing on scenes without the held-out class pairs, keeps the checkpoint
best on validation exact match (greedy), and reports BLEU-4 (sacreBLEU on the space-separated
caption words, no further tokenisation) and exact match for greedy decoding and beam search,
on validation (combinations seen in training) and on test (every scene holds a held-out
pair). Draws test scenes with their generated captions, right and wrong, to ``captions.png``.
"""

from __future__ import annotations

from experiments.captioning.config import CaptioningConfig
from seqjax import flags


def parse_config(argv: list[str] | None = None) -> CaptioningConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    return flags.parse(CaptioningConfig, argv, __doc__.splitlines()[0], command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.captioning.experiment:run", parse_config)
