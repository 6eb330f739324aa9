"""J.S. Bach chorales (JSB) as 88-key piano rolls, the split of Boulanger-Lewandowski et al. (2012).

The file is a JSON object with keys ``train``, ``valid`` and ``test`` (229 / 76 / 77
chorales); a chorale is a list of quarter-note time steps, each the list of MIDI pitches
sounding then (possibly none). ``read_chorales`` turns each into a piano roll ``[time, 88]``
(key ``k`` is MIDI pitch ``21 + k``, A0 to C8) and raises ``DataError`` naming the file,
split, chorale and step of anything else (a pitch off the keyboard, a step that is not a list).
"""

from __future__ import annotations

import json
import pathlib

import numpy as np

from seqjax.data.files import DataError, KnownFile, locate

LOWEST_PITCH, NUM_KEYS = 21, 88
SPLITS = ("train", "valid", "test")
JSB_CHORALES = KnownFile(
    "jsb-chorales-quarter.json",
    "2db9329f1881a1d3f49703ec556bf1d6f84b4f6c1d702c156536e93cf31e1c91",
    "https://raw.githubusercontent.com/czhuang/JSB-Chorales-dataset/master/jsb-chorales-quarter.json",
)


def piano_roll(steps: list, where: str = "") -> np.ndarray:
    """``[time, 88]`` float32, 1 where a key sounds; ``where`` prefixes error messages."""
    roll = np.zeros((len(steps), NUM_KEYS), np.float32)
    for t, pitches in enumerate(steps):
        if not isinstance(pitches, list):
            raise DataError(f"{where}step {t}: expected a list of MIDI pitches, got {pitches!r}")
        for pitch in pitches:
            if not isinstance(pitch, int) or not LOWEST_PITCH <= pitch < LOWEST_PITCH + NUM_KEYS:
                raise DataError(f"{where}step {t}: pitch {pitch!r} is not a piano key "
                                f"(MIDI {LOWEST_PITCH}..{LOWEST_PITCH + NUM_KEYS - 1})")
            roll[t, pitch - LOWEST_PITCH] = 1.0
    return roll


def pitches_of(roll: np.ndarray) -> list[list[int]]:
    """The inverse of ``piano_roll``: the MIDI pitches sounding at each step."""
    return [[LOWEST_PITCH + int(k) for k in np.flatnonzero(step > 0.5)] for step in roll]


def read_chorales(path: str | pathlib.Path) -> dict[str, list[np.ndarray]]:
    """``{"train", "valid", "test"}``: lists of piano rolls ``[time, 88]``."""
    try:
        record = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: not a JSON file ({error})") from None
    if not isinstance(record, dict) or set(SPLITS) - set(record):
        found = sorted(record) if isinstance(record, dict) else type(record).__name__
        raise DataError(f"{path}: expected an object with keys {SPLITS}, found {found}")
    rolls = {}
    for split in SPLITS:
        rolls[split] = [piano_roll(piece, f"{path}: {split} chorale {i}: ") for i, piece in enumerate(record[split])]
        if not rolls[split] or any(len(roll) < 2 for roll in rolls[split]):
            raise DataError(f"{path}: {split}: expected chorales of at least 2 steps")
    return rolls


def load_jsb_chorales(directory: str | pathlib.Path | None = None, *, download: bool = False,
                      download_option: str | None = None) -> dict[str, list[np.ndarray]]:
    """The JSB chorales from the data directory, digest verified.

    ``download``: fetch the files missing from the data directory from their original
    addresses (sha256 verified; needs internet); ``download_option``: how the caller's user asks
    for that, named in the message for a missing file."""
    return read_chorales(locate(JSB_CHORALES, directory=directory, download=download, download_option=download_option))
