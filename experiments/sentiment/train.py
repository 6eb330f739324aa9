"""Sentence polarity (rt-polarity) with a bidirectional LSTM or GRU and a choice of pooling, cross-validated.

    python -m experiments.sentiment.train --pooling max               # fold 1 of 10 (a fixed 90/10 split)
    python -m experiments.sentiment.train --pooling max --folds 10    # 10-fold cross-validation (Kim 2014)
    python -m experiments.sentiment.train --folds 10 --ensemble 5     # average 5 models' probabilities
    python -m experiments.sentiment.train --folds 10 --ensemble 8 --pooling max attention --cell lstm gru
    python -m experiments.sentiment.train --folds 10 --ensemble 10 --pooling max attention --cell lstm gru \
        --no-early-stopping --average-last 3                          # the best measured (docs/results.md)
    python -m experiments.sentiment.train --folds 10 --pretrain-epochs 5  # encoder pretrained as a language model

The 10 folds come from one shuffle with ``--seed``; ``--folds N`` runs the first N of them.
Each fold builds its vocabulary from its training part alone (tokens seen fewer than
``--min-word-count`` times map to the unknown id), keeps a seeded 10 % of that part as a
development set, trains for up to ``--epochs`` epochs with random embeddings, and reports
accuracy on its held-out tenth with the parameters of the epoch best on the development set
(early stopping, as Kim 2014 did). With ``--no-early-stopping`` nothing is held out: each model
fits the whole training part for ``--epochs`` epochs and predicts with the mean of its
probabilities after each of the last ``--average-last`` epochs. With ``--pretrain-epochs N``
the embeddings and the bidirectional encoder are first trained for N epochs as a language model
in both directions on the same training sentences, without their labels (the forward half
predicts the next word, the backward half the previous one, over the ``--pretrain-vocab`` most
frequent words; Dai & Le 2015), once a fold and cell, and each model of that cell starts from
them. With ``--ensemble N`` each fold trains N models that differ in initialisation, dropout
and batch order (seeds ``seed .. seed + N - 1``; the development set stays the same) and
classifies with their mean probabilities; the members' own accuracies are reported too.
``--pooling`` and ``--cell`` take lists, so that an ensemble can mix
architectures: the members take every (cell, pooling) pair in turn, the pooling changing
fastest (``--ensemble 8 --pooling max attention --cell lstm gru``: lstm/max, lstm/attention,
gru/max, gru/attention, then again with new seeds). Writes ``<run_dir>/results.json``. Each
member trains in its own directory with a checkpoint each epoch, so that a killed run resumes
where it stopped, and a rerun with a larger ``--ensemble`` or ``--folds`` (the other options
unchanged; a rerun with others is refused) reads the finished members back and trains only
the ones it adds.
"""

from __future__ import annotations

from experiments.sentiment.config import SentimentConfig
from seqjax import flags


def parse_config(argv: list[str] | None = None) -> SentimentConfig:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    return flags.parse(SentimentConfig, argv, __doc__.splitlines()[0], command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.sentiment.experiment:main", parse_config)
