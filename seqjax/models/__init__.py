"""seqjax.models: task heads and whole models built from ``seqjax.nn`` layers."""

from seqjax.models.language_model import LanguageModel, recurrent_layer
from seqjax.models.tagger import SequenceTagger

__all__ = ["LanguageModel", "SequenceTagger", "recurrent_layer"]
