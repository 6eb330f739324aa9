"""The options of ``python -m seqjax.bench`` (each field of ``BenchCommand`` a flag), and the
names it chooses among; the standard library only, so ``--help`` answers before JAX loads.
``configs`` and ``implementations`` read their names from here (checked there on import)."""

from __future__ import annotations

import dataclasses
from typing import Literal

from seqjax.errors import bad_argument

MODES: tuple[str, ...] = ("forward", "train", "step")
CELLS: tuple[str, ...] = ("lstm", "gru")
IMPLEMENTATIONS: tuple[str, ...] = ("seqjax", "seqjax-autodiff", "seqjax-cudnn", "seqjax-sharded", "seqjax-data-parallel",
                                    "flax-linen", "flax-linen-optimized", "flax-nnx", "equinox", "pytorch")
"""The implementations of ``implementations.BUILDERS``, by the name ``--implementations`` takes."""
DEFAULT_SHAPES = ("32x256x128x256", "64x128x256x512")


def parse_shape(text: str) -> tuple[int, int, int, int]:
    """``"32x256x128x256"`` -> ``(32, 256, 128, 256)``."""
    parts = text.lower().split("x")
    if len(parts) != 4 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise bad_argument("shapes", "BATCHxTIMExINPUTxHIDDEN, four positive ints", repr(text))
    return tuple(int(p) for p in parts)  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True)
class BenchCommand:
    """What ``python -m seqjax.bench`` measures: every combination of the lists.

    Attributes:
      cells: the cells to time.
      shapes: the sizes, BATCHxTIMExINPUTxHIDDEN each.
      modes: forward; train (forward and backward); step (a whole optimiser step).
      layers: stack depths.
      directions: 1, left to right; 2, bidirectional.
      dtype: the compute dtype.
      implementations: seqjax and the peers to time against it, interleaved.
      repeats: timed calls of each implementation (the median is reported).
      out: the directory results.json, results.md and results.png go to.
    """

    cells: tuple[str, ...] = CELLS
    shapes: tuple[str, ...] = DEFAULT_SHAPES
    modes: tuple[str, ...] = ("train",)
    layers: tuple[int, ...] = (1,)
    directions: tuple[int, ...] = (1,)
    dtype: Literal["float32", "bfloat16"] = "float32"
    implementations: tuple[str, ...] = IMPLEMENTATIONS
    repeats: int = 9
    out: str = "bench-results"

    def __post_init__(self) -> None:
        for shape in self.shapes:
            parse_shape(shape)
        for name, allowed in (("cells", CELLS), ("modes", MODES), ("implementations", IMPLEMENTATIONS),
                              ("directions", (1, 2))):
            if not set(getattr(self, name)) <= set(allowed):
                raise bad_argument(name, f"values among {allowed}", repr(getattr(self, name)))
        if min(self.layers) < 1:
            raise bad_argument("layers", "positive ints", repr(self.layers))
        if self.repeats < 1:
            raise bad_argument("repeats", "a positive int", repr(self.repeats))
