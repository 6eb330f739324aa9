"""Flax's dropout behind a check of its rate (``linen.Dropout(1.5)`` would quietly scale by a negative)."""

from __future__ import annotations

import math
from typing import Any

from flax import linen

from seqjax.core import bad_argument


def checked_dropout(rate: float, **options: Any) -> linen.Dropout:
    """``linen.Dropout(rate, **options)`` after checking that ``rate`` is a probability in [0, 1)."""
    if not (isinstance(rate, int | float) and math.isfinite(rate) and 0.0 <= rate < 1.0):
        raise bad_argument("dropout_rate", "a probability in [0, 1)", repr(rate))
    return linen.Dropout(rate, **options)
