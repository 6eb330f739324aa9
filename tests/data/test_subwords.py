"""SentencePiece subwords: reserved ids, exact round trips, determinism, end-of-sentence handling."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax.data import DataError
from seqjax.data.subwords import BOS_ID, EOS_ID, PAD_ID, UNKNOWN_ID, SubwordTokenizer

SENTENCES = [
    "Ein Mann fährt Fahrrad.", "Zwei Hunde spielen im Schnee.", "Eine Frau liest ein Buch.",
    "Ein kleines Mädchen klettert auf einen Baum.", "Männer arbeiten an einer Straße.",
] * 20


def test_decoding_gives_back_the_text_and_special_ids_are_reserved():
    tokenizer = SubwordTokenizer.learn(SENTENCES, 60)
    assert 8 <= tokenizer.size <= 60
    ids = tokenizer.encode(SENTENCES[:5])
    assert all(ids_.dtype == np.int32 and ids_.min() > EOS_ID for ids_ in ids)
    assert [tokenizer.decode(row) for row in ids] == SENTENCES[:5]
    assert {PAD_ID, UNKNOWN_ID, BOS_ID, EOS_ID} == {0, 1, 2, 3}


def test_decode_stops_at_the_end_id_and_drops_padding_and_markers():
    tokenizer = SubwordTokenizer.learn(SENTENCES, 60)
    ids = tokenizer.encode(["Ein Mann liest."])[0].tolist()
    assert tokenizer.decode([BOS_ID, *ids, EOS_ID, *ids, PAD_ID]) == "Ein Mann liest."
    assert tokenizer.decode([*ids, PAD_ID, PAD_ID]) == "Ein Mann liest."


def test_learning_is_deterministic_and_models_round_trip_through_files(tmp_path):
    first, second = SubwordTokenizer.learn(SENTENCES, 50), SubwordTokenizer.learn(SENTENCES, 50)
    assert first.model == second.model
    first.save(tmp_path / "de.model")
    loaded = SubwordTokenizer.load(tmp_path / "de.model")
    assert loaded.pieces("Ein Baum.") == first.pieces("Ein Baum.")


def test_too_small_a_vocabulary_is_refused():
    with pytest.raises(DataError, match="vocab_size: expected at least 8.*got 4"):
        SubwordTokenizer.learn(SENTENCES, 4)
