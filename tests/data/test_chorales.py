"""JSB chorales: piano rolls, errors naming file, split, chorale and step, the published split."""

from __future__ import annotations

import json

import numpy as np
import pytest

from seqjax.data import DataError, data_dir
from seqjax.data.chorales import load_jsb_chorales, piano_roll, pitches_of, read_chorales


def _write(path, record):
    path.write_text(json.dumps(record))
    return path


def test_rolls_have_one_column_per_piano_key_and_invert_to_pitches(tmp_path):
    steps = [[21, 60, 108], [], [64, 67]]
    roll = piano_roll(steps)
    assert roll.shape == (3, 88) and roll.dtype == np.float32
    assert roll[0, 0] == roll[0, 39] == roll[0, 87] == 1.0 and roll.sum() == 5
    assert pitches_of(roll) == steps
    path = _write(tmp_path / "c.json", {"train": [steps], "valid": [steps[:2]], "test": [steps]})
    assert [len(r) for r in read_chorales(path)["train"]] == [3]


def test_malformed_chorales_are_named_by_split_chorale_and_step(tmp_path):
    good = [[60], [62]]
    with pytest.raises(DataError, match=r"c.json: test chorale 1: step 1: pitch 12 is not a piano key"):
        read_chorales(_write(tmp_path / "c.json", {"train": [good], "valid": [good], "test": [good, [[60], [12]]]}))
    with pytest.raises(DataError, match=r"valid chorale 0: step 0: expected a list of MIDI pitches, got 60"):
        read_chorales(_write(tmp_path / "c.json", {"train": [good], "valid": [[60, 62]], "test": [good]}))
    with pytest.raises(DataError, match=r"expected an object with keys .* found \['test', 'train'\]"):
        read_chorales(_write(tmp_path / "c.json", {"train": [good], "test": [good]}))
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataError, match=r"bad.json: not a JSON file"):
        read_chorales(tmp_path / "bad.json")


@pytest.mark.skipif(not (data_dir() / "jsb-chorales-quarter.json").is_file(), reason="../shared/data is absent")
def test_real_chorales_have_the_published_split():
    rolls = load_jsb_chorales()
    assert {split: len(pieces) for split, pieces in rolls.items()} == {"train": 229, "valid": 76, "test": 77}
    assert pitches_of(rolls["train"][0][:1]) == [[60, 72, 79, 88]]
