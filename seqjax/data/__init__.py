"""seqjax.data: finding and verifying data files, text corpora, vocabularies, stream batching."""

from seqjax.data.files import (
    DATA_DIR_VARIABLE,
    TINY_SHAKESPEARE,
    DataError,
    KnownFile,
    data_dir,
    locate,
    sha256_of,
    verify_sha256,
    write_text_atomically,
)
from seqjax.data.streams import StreamBatches
from seqjax.data.synthetic import ADDING_BASELINE_MSE, adding_problem, copy_baseline_cross_entropy, copy_task
from seqjax.data.text import Vocabulary, detokenize, read_text, split_by_position, tokenize

__all__ = [
    "ADDING_BASELINE_MSE",
    "DATA_DIR_VARIABLE",
    "TINY_SHAKESPEARE",
    "DataError",
    "KnownFile",
    "StreamBatches",
    "Vocabulary",
    "adding_problem",
    "copy_baseline_cross_entropy",
    "copy_task",
    "data_dir",
    "detokenize",
    "locate",
    "read_text",
    "sha256_of",
    "split_by_position",
    "tokenize",
    "verify_sha256",
    "write_text_atomically",
]
