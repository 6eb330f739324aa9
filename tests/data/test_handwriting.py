"""Synthetic handwriting: offsets that rebuild the font's strokes, styles that change them, seeds that fix them."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax.data import DataError
from seqjax.data.handwriting import STEP, WriterStyle, pen_points, strokes_of, write_lines

PLAIN = WriterStyle(font="cursive", slant=0.0, scale=1.0, spacing=1.0, jitter=0.0, smoothing=1)


def test_offsets_rebuild_the_fonts_strokes_with_pen_lifts():
    from HersheyFonts import HersheyFonts

    font = HersheyFonts()
    font.load_default_font("cursive")
    expected = [np.asarray(s, float) * [1.0, -1.0] for s in font.strokes_for_text("on") if len(s)]
    points = pen_points("on", PLAIN, np.random.default_rng(0))
    assert points.shape[1] == 3 and set(np.unique(points[:, 2])) == {0.0, 1.0}
    rebuilt = strokes_of(points)
    assert len(rebuilt) == len(expected)
    for stroke, original in zip(rebuilt, expected):
        np.testing.assert_allclose(stroke[[0, -1]], original[[0, -1]], atol=1e-4)  # same ends
        assert np.max(np.linalg.norm(np.diff(stroke, axis=0), axis=1)) <= STEP + 1e-4  # resampled densely


def test_slant_scale_and_seeds():
    rng = np.random.default_rng(0)
    plain = np.concatenate(strokes_of(pen_points("l", PLAIN, rng)))
    slanted = WriterStyle(font="cursive", slant=0.5, scale=2.0, spacing=1.0, jitter=0.0, smoothing=1)
    transformed = np.concatenate(strokes_of(pen_points("l", slanted, rng)))
    np.testing.assert_allclose(transformed, 2.0 * np.stack([plain[:, 0] + 0.5 * plain[:, 1], plain[:, 1]], 1),
                               atol=1e-4)
    first, again = write_lines(["To be", "or not"], seed=3), write_lines(["To be", "or not"], seed=3)
    assert first.styles == again.styles and all(np.array_equal(a, b) for a, b in zip(first.points, again.points))
    assert first.styles != write_lines(["To be", "or not"], seed=4).styles


def test_bad_font_or_empty_text_is_refused():
    with pytest.raises(DataError, match="font: expected one of"):
        pen_points("a", WriterStyle("gothic", 0, 1, 1, 0, 1), np.random.default_rng(0))
    with pytest.raises(DataError, match="something to write"):
        pen_points("   ", PLAIN, np.random.default_rng(0))
