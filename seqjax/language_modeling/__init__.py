"""Character- and word-level language modelling end to end: data, training, evaluation, sampling.

The names below load their module on first use (PEP 562), so ``seqjax.language_modeling.config``
imports without JAX: ``seqjax --help`` reads ``LMConfig`` and answers at once."""

from __future__ import annotations

from seqjax.lazy_exports import lazy_exports

_MODULE_OF = {
    "PRESETS": "config", "LMConfig": "config",
    "Corpus": "corpus", "find_recorded": "corpus", "load_corpus": "corpus",
    "IncompatibleRun": "run_directory", "check_resume": "run_directory", "recorded_corpus": "run_directory",
    "check_sampling_options": "sampling", "choose_next": "sampling", "choose_next_frame": "sampling",
    "generate": "sampling", "sample_text": "sampling",
    "build_model": "training", "evaluate_validation": "training", "evaluation_metrics": "training",
    "initial_state": "training", "load_trained": "training", "train_language_model": "training",
    "validation_loss": "training",
}
__all__ = sorted(_MODULE_OF)

__getattr__, __dir__ = lazy_exports(__name__, _MODULE_OF)
