"""Polyphonic music (JSB chorales): an LSTM predicting the next 88-key frame, then a primed chorale.

    python -m experiments.music.train                      # the full run (--help for options)
    python -m experiments.music.train --cell gru --hidden-size 128

The model (``seqjax.models.LanguageModel`` on multi-hot frames) gives each key of the next
quarter-note step an independent Bernoulli (a sigmoid per key), the RNN baseline of
Boulanger-Lewandowski et al. 2012; the output biases start at the log-odds of each key's
training frequency. Trains on the 229 training chorales, keeps the checkpoint
best on the 76 validation chorales, and reports on the 77 test chorales the negative
log-likelihood per time step (nats, summed over keys) and the frame-level accuracy
``TP / (TP + FP + FN)`` of the frames predicted by thresholding at 0.5 (Bay et al. 2009).
Then continues the first ``--primer-steps`` steps of a test chorale for ``--sample-steps``
steps, sampling every key, and writes ``sample.mid`` and ``sample.png`` beside ``results.json``.
"""

from __future__ import annotations

from experiments.music.config import MusicConfig
from seqjax import flags


def parse_config(argv: list[str] | None = None) -> MusicConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    return flags.parse(MusicConfig, argv, __doc__.splitlines()[0], command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.music.experiment:run", parse_config)
