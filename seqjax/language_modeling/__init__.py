"""Character- and word-level language modelling end to end: data, training, evaluation, sampling."""

from seqjax.language_modeling.config import PRESETS, LMConfig
from seqjax.language_modeling.corpus import Corpus, load_corpus, recorded_source
from seqjax.language_modeling.sampling import choose_next, choose_next_frame, generate, sample_text
from seqjax.language_modeling.training import (
    build_model,
    evaluate_validation,
    evaluation_metrics,
    initial_state,
    load_trained,
    train_language_model,
    validation_loss,
)

__all__ = [
    "PRESETS",
    "Corpus",
    "LMConfig",
    "build_model",
    "choose_next",
    "choose_next_frame",
    "evaluate_validation",
    "evaluation_metrics",
    "generate",
    "initial_state",
    "load_corpus",
    "load_trained",
    "recorded_source",
    "sample_text",
    "train_language_model",
    "validation_loss",
]
