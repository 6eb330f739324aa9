"""seqjax.models: task heads and whole models built from ``seqjax.nn`` layers."""

from seqjax.models.language_model import LanguageModel, recurrent_layer
from seqjax.models.sequence_to_vector import SequenceToVector, last_step
from seqjax.models.tagger import SequenceTagger
from seqjax.models.word_tagger import CharacterEncoder, WordTagger

__all__ = [
    "CharacterEncoder", "LanguageModel", "SequenceTagger", "SequenceToVector", "WordTagger", "last_step", "recurrent_layer",
]
