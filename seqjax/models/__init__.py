"""seqjax.models: task heads and whole models built from ``seqjax.nn`` layers."""

from seqjax.models.tagger import SequenceTagger

__all__ = ["SequenceTagger"]
