"""Character- and word-level language modelling end to end: data, training, evaluation, sampling."""

from seqjax.language_modeling.config import PRESETS, LMConfig
from seqjax.language_modeling.corpus import Corpus, find_recorded, load_corpus
from seqjax.language_modeling.run_directory import IncompatibleRun, check_resume, recorded_corpus
from seqjax.language_modeling.sampling import (
    check_sampling_options,
    choose_next,
    choose_next_frame,
    generate,
    sample_text,
)
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
    "IncompatibleRun",
    "LMConfig",
    "build_model",
    "check_resume",
    "check_sampling_options",
    "choose_next",
    "choose_next_frame",
    "evaluate_validation",
    "evaluation_metrics",
    "find_recorded",
    "generate",
    "initial_state",
    "load_corpus",
    "load_trained",
    "recorded_corpus",
    "sample_text",
    "train_language_model",
    "validation_loss",
]
