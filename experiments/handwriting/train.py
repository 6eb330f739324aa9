"""Handwriting prediction and synthesis (Graves 2013, sections 4 and 5) on synthetic pen trajectories of Shakespeare.

    python -m experiments.handwriting.train                 # prediction (--help for options)
    python -m experiments.handwriting.train --conditional   # synthesis: write a given text

A stack of LSTM layers with skip connections (input to every layer, every layer to the
output) and a mixture density output learns to predict the next pen offset and the end of
each stroke; with ``--conditional`` the first layer also moves a soft window over the
line's characters, which every layer reads. Keeps the checkpoint best on the validation
lines, reports the validation negative log-likelihood in nats per sequence and per point
(offsets in font units), and draws to ``samples.png``: unconditional samples (with and
without bias) and primed samples that continue the first half of a validation line in its
writer's style; conditional runs write ``--sample-text`` (plain, biased, and primed with a
validation line's style) and draw the window's weights over time to ``window.png``.
"""

from __future__ import annotations

from experiments.handwriting.config import HandwritingConfig
from seqjax import flags


def parse_config(argv: list[str] | None = None) -> HandwritingConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    return flags.parse(HandwritingConfig, argv, __doc__.splitlines()[0], command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.handwriting.experiment:run", parse_config)
