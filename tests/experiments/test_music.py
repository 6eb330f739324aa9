"""Music, CI-sized: a tiny LSTM learns synthetic chord progressions far below the key-frequency
baseline; the MIDI writer's notes read back with mido."""

from __future__ import annotations

import mido
import numpy as np
import pytest

from experiments.music.render import write_midi
from experiments.music.config import MusicConfig
from experiments.music.experiment import run
from experiments.music.train import parse_config
from seqjax.data.chorales import piano_roll

CHORDS = [[60, 64, 67], [65, 69, 72], [67, 71, 74, 77], [60, 64, 67, 72]]  # I IV V7 I


def _chorales(count, seed):
    """Each a random transposition of the cycle I-IV-V7-I, each chord held 1 or 2 steps, 16-31 steps."""
    rng = np.random.default_rng(seed)
    pieces = []
    for _ in range(count):
        shift, steps, chord = int(rng.integers(-5, 6)), [], 0
        while len(steps) < int(rng.integers(16, 32)):
            steps += [[p + shift for p in CHORDS[chord % 4]]] * int(rng.integers(1, 3))
            chord += 1
        pieces.append(piano_roll(steps))
    return pieces


def test_a_tiny_model_learns_chord_progressions_far_below_the_baseline(tmp_path):
    rolls = {"train": _chorales(64, 0), "valid": _chorales(8, 1), "test": _chorales(16, 2)}
    config = MusicConfig(hidden_size=32, embed_size=16, dropout_rate=0.0, epochs=40, batch_size=8, learning_rate=1e-2,
                         primer_steps=4, sample_steps=8, run_dir=str(tmp_path))
    results = run(config, rolls)
    assert results["test"]["nll"] < 0.5 * results["test_key_frequency_nll"]
    assert results["test"]["frame_accuracy"] > 0.3
    assert (tmp_path / "sample.mid").stat().st_size > 0 and (tmp_path / "sample.png").stat().st_size > 0


def test_midi_notes_start_and_stop_with_the_roll(tmp_path):
    roll = piano_roll([[60, 64], [60, 67], [], [72]])
    write_midi(roll, tmp_path / "a.mid")
    now, events = 0, []
    for message in mido.MidiFile(tmp_path / "a.mid").tracks[0]:
        now += message.time
        if message.type in ("note_on", "note_off"):
            events.append((now // 480, message.type, message.note))
    assert events == [(0, "note_on", 60), (0, "note_on", 64), (1, "note_off", 64), (1, "note_on", 67),
                      (2, "note_off", 60), (2, "note_off", 67), (3, "note_on", 72), (4, "note_off", 72)]


def test_options_are_checked_by_the_command_line():
    assert parse_config(["--cell", "gru"]).cell == "gru"
    with pytest.raises(SystemExit):
        parse_config(["--cell", "transformer"])
