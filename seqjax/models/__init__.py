"""seqjax.models: task heads and whole models built from ``seqjax.nn`` layers."""

from seqjax.models.attention import SCORES, CrossAttention, Memory, attentional_states
from seqjax.models.captioner import Captioner
from seqjax.models.encoder_decoder import generate_sequences
from seqjax.models.encoder_pretraining import NeighbourTokenModel, neighbour_token_loss, with_pretrained_encoder
from seqjax.models.language_model import LanguageModel
from seqjax.nn import recurrent_layer
from seqjax.models.pooling import POOLINGS, AttentionPooling, Pool, last_step, max_over_time, mean_over_time
from seqjax.models.sentence_classifier import SentenceClassifier, SentenceEncoder
from seqjax.models.sequence_to_vector import SequenceToVector
from seqjax.models.tagger import SequenceTagger
from seqjax.models.translator import Translator, translate
from seqjax.models.word_tagger import CharacterEncoder, WordTagger

__all__ = [
    "POOLINGS",
    "SCORES",
    "AttentionPooling",
    "Captioner",
    "CharacterEncoder",
    "CrossAttention",
    "LanguageModel",
    "Memory",
    "NeighbourTokenModel",
    "Pool",
    "SentenceClassifier",
    "SentenceEncoder",
    "SequenceTagger",
    "SequenceToVector",
    "Translator",
    "WordTagger",
    "last_step",
    "max_over_time",
    "mean_over_time",
    "attentional_states",
    "generate_sequences",
    "neighbour_token_loss",
    "recurrent_layer",
    "translate",
    "with_pretrained_encoder",
]
