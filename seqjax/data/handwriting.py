"""Synthetic handwriting: pen trajectories of real text written with single-stroke Hershey fonts.

No recorded pen data (IAM-OnDB) is in reach, so a *writer* is drawn at random: a script
font (``cursive``, ``scripts`` or ``scriptc`` of the ``Hershey-Fonts`` package, MIT), a
slant, a size, a letter spacing, a hand tremor (jitter) and a smoothing of the pen path.
The text's strokes (polylines) are resampled to pen points about ``STEP`` units apart,
transformed by the writer's style, and turned into the sequence format of Graves (2013):
one row per pen point, ``(dx, dy, end_of_stroke)``, the offset from the previous point and
1 where the pen lifts after the point. ``y`` points up. The same seed gives the same lines.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from seqjax.data.files import DataError

FONTS = ("cursive", "scripts", "scriptc")
STEP = 3.0


@dataclasses.dataclass(frozen=True)
class WriterStyle:
    """How one writer writes: ``font`` (one of ``FONTS``), ``slant`` (x shear per unit of height),
    ``scale`` (size), ``spacing`` (horizontal stretch), ``jitter`` (std of the tremor, in font
    units) and ``smoothing`` (moving-average window, in points, over each stroke)."""

    font: str
    slant: float
    scale: float
    spacing: float
    jitter: float
    smoothing: int

    @classmethod
    def random(cls, rng: np.random.Generator) -> WriterStyle:
        return cls(
            font=str(rng.choice(FONTS)), slant=float(rng.uniform(-0.1, 0.45)), scale=float(rng.uniform(0.8, 1.25)),
            spacing=float(rng.uniform(0.9, 1.2)), jitter=float(rng.uniform(0.05, 0.3)),
            smoothing=int(rng.integers(1, 4)),
        )


@functools.lru_cache(maxsize=len(FONTS))
def _font(name: str):
    from HersheyFonts import HersheyFonts  # the experiments extra

    font = HersheyFonts()
    font.load_default_font(name)
    return font


def _resampled(stroke: np.ndarray) -> np.ndarray:
    """``stroke [n, 2]`` with points inserted so that no two neighbours are more than ``STEP`` apart."""
    points = [stroke[0]]
    for start, end in zip(stroke[:-1], stroke[1:]):
        pieces = max(1, int(np.ceil(np.linalg.norm(end - start) / STEP)))
        points += [start + (end - start) * k / pieces for k in range(1, pieces + 1)]
    return np.asarray(points)


def _smoothed(stroke: np.ndarray, window: int) -> np.ndarray:
    if window < 2 or len(stroke) < window:
        return stroke
    kernel = np.ones(window) / window
    padded = np.pad(stroke, ((window // 2, window - 1 - window // 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(padded[:, axis], kernel, mode="valid") for axis in range(2)], axis=1)


def pen_points(text: str, style: WriterStyle, rng: np.random.Generator) -> np.ndarray:
    """``[points, 3]``: ``(dx, dy, end_of_stroke)`` of ``text`` written in ``style`` (first offset from (0, 0))."""
    if style.font not in FONTS:
        raise DataError(f"font: expected one of {FONTS}, got {style.font!r}")
    strokes = [np.asarray(s, np.float64) for s in _font(style.font).strokes_for_text(text) if len(s) > 0]
    if not strokes:
        raise DataError(f"text: expected something to write, got {text!r}")
    written = []
    for stroke in strokes:
        xy = _resampled(stroke * [1.0, -1.0])  # Hershey's y points down
        xy = xy + rng.normal(0.0, style.jitter, xy.shape)
        xy = _smoothed(xy, style.smoothing)
        xy = np.stack([(xy[:, 0] + style.slant * xy[:, 1]) * style.spacing, xy[:, 1]], axis=1) * style.scale
        ends = np.zeros((len(xy), 1))
        ends[-1] = 1.0
        written.append(np.concatenate([xy, ends], axis=1))
    points = np.concatenate(written)
    offsets = np.diff(points[:, :2], axis=0, prepend=np.zeros((1, 2)))
    return np.concatenate([offsets, points[:, 2:]], axis=1).astype(np.float32)


def strokes_of(points: np.ndarray) -> list[np.ndarray]:
    """The pen-down polylines ``[n, 2]`` (absolute positions) of a ``[points, 3]`` offset sequence."""
    positions = np.cumsum(points[:, :2], axis=0)
    ends = np.flatnonzero(points[:, 2] > 0.5) + 1
    return [s for s in np.split(positions, ends) if len(s)]


@dataclasses.dataclass(frozen=True)
class HandwrittenLines:
    """``points``: one ``[points, 3]`` array per line; ``texts``: what each says; ``styles``: who wrote it."""

    points: list[np.ndarray]
    texts: list[str]
    styles: list[WriterStyle]


def write_lines(texts: list[str], seed: int) -> HandwrittenLines:
    """Each text written by a fresh random writer, seeded."""
    rng = np.random.default_rng(seed)
    styles = [WriterStyle.random(rng) for _ in texts]
    return HandwrittenLines([pen_points(t, s, rng) for t, s in zip(texts, styles)], list(texts), styles)
