"""Writing a piano roll as a MIDI file (mido) and as a picture (matplotlib)."""

from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mido  # noqa: E402
import numpy as np  # noqa: E402

from seqjax.data.chorales import pitches_of  # noqa: E402


def write_midi(roll: np.ndarray, path: str | pathlib.Path, *, beats_per_minute: int = 80, velocity: int = 80) -> None:
    """One quarter note a step of ``roll [time, 88]``; a key held over consecutive steps sounds as one note."""
    ticks = 480
    midi = mido.MidiFile(ticks_per_beat=ticks)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(beats_per_minute)))
    sounding: set[int] = set()
    wait = 0
    for pitches in [*pitches_of(roll), []]:
        now = set(pitches)
        changes = [("note_off", p) for p in sorted(sounding - now)] + [("note_on", p) for p in sorted(now - sounding)]
        for kind, pitch in changes:
            track.append(mido.Message(kind, note=pitch, velocity=velocity if kind == "note_on" else 0, time=wait))
            wait = 0
        sounding = now
        wait += ticks
    midi.save(str(path))


def plot_piano_roll(roll: np.ndarray, path: str | pathlib.Path, *, primer_steps: int = 0, title: str = "") -> None:
    """The keys sounding over time (MIDI pitch on the vertical axis); a line marks the end of the primer."""
    keys = np.flatnonzero(roll.any(axis=0))
    low, high = (keys.min(), keys.max()) if len(keys) else (0, roll.shape[1] - 1)
    figure, axes = plt.subplots(figsize=(8, 3))
    axes.imshow(roll[:, low : high + 1].T, origin="lower", aspect="auto", cmap="Greys", interpolation="nearest",
                extent=(0, len(roll), 21 + low - 0.5, 21 + high + 0.5))
    if primer_steps:
        axes.axvline(primer_steps, color="tab:red", linewidth=1, label="end of primer")
        axes.legend(loc="upper right", fontsize=8)
    axes.set_xlabel("quarter-note step")
    axes.set_ylabel("MIDI pitch")
    axes.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
