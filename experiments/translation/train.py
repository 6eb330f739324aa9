"""Multi30k translation (German -> English by default) with a GRU encoder-decoder and attention.

    python -m experiments.translation.train                          # the full run (--help for options)
    python -m experiments.translation.train --source en --target de  # the other direction (or fr)

Trains with teacher forcing (label-smoothed cross-entropy, Adam with a cosine-decayed
learning rate, global-norm clipping), scores greedy decoding on val with sacreBLEU after
every epoch and keeps the best checkpoint, then reports sacreBLEU on test_2016_flickr for
greedy decoding and for beam search. Writes ``<run_dir>/results.json``, the test
hypotheses (``test.greedy.txt``, ``test.beam.txt``), the metrics and checkpoints (a killed
run resumes from the last one).
"""

from __future__ import annotations

from experiments.translation.config import TranslationConfig
from seqjax import flags
from seqjax.data.multi30k import LANGUAGES


def parse_config(argv: list[str] | None = None) -> TranslationConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    choices = {"source": LANGUAGES, "target": LANGUAGES}
    return flags.parse(TranslationConfig, argv, __doc__.splitlines()[0], choices, command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.translation.experiment:run", parse_config)
