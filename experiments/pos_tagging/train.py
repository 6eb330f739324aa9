"""Part-of-speech tagging of UD English LinES with a bidirectional LSTM: train, then evaluate.

    python -m experiments.pos_tagging.train                  # the full run (--help for options)
    python -m experiments.pos_tagging.train --no-char-features --epochs 2

Reports UPOS token accuracy on dev and test, and on the words unseen in training; writes
``<run_dir>/results.json``, the metrics (``metrics.jsonl``, TensorBoard) and checkpoints (a
killed run resumes from the last one).
"""

from __future__ import annotations

from experiments.pos_tagging.config import TaggingConfig
from seqjax import flags


def parse_config(argv: list[str] | None = None) -> TaggingConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    return flags.parse(TaggingConfig, argv, __doc__.splitlines()[0], command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.pos_tagging.experiment:run", parse_config)
