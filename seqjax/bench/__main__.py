"""``python -m seqjax.bench``: time seqjax against its peers and write JSON, markdown and a PNG.

Example: ``python -m seqjax.bench --cells lstm gru --shapes 32x256x128x256 64x128x256x512
--modes train --layers 1 2 --directions 1 2 --repeats 9 --out bench-results``. A shape is
``BATCHxTIMExINPUTxHIDDEN``; every combination of the lists is measured.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import pathlib
import shlex
import sys
from typing import Literal

from seqjax.bench.configs import CELLS, MODES, BenchConfig
from seqjax.bench.harness import matmul_peak_gflops, measure
from seqjax.bench.implementations import BUILDERS
from seqjax import flags
from seqjax.bench.report import environment, markdown, plot, write_json
from seqjax.core import bad_argument

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
    implementations: tuple[str, ...] = tuple(BUILDERS)
    repeats: int = 9
    out: str = "bench-results"

    def __post_init__(self) -> None:
        for shape in self.shapes:
            parse_shape(shape)
        for name, allowed in (("cells", CELLS), ("modes", MODES), ("implementations", tuple(BUILDERS)),
                              ("directions", (1, 2))):
            if not set(getattr(self, name)) <= set(allowed):
                raise bad_argument(name, f"values among {allowed}", repr(getattr(self, name)))
        if min(self.layers) < 1:
            raise bad_argument("layers", "positive ints", repr(self.layers))
        if self.repeats < 1:
            raise bad_argument("repeats", "a positive int", repr(self.repeats))


def main(argv: list[str] | None = None) -> int:
    choices = {"cells": CELLS, "modes": MODES, "implementations": tuple(BUILDERS), "directions": (1, 2)}
    args = flags.parse(BenchCommand, argv, __doc__.splitlines()[0], choices)
    xla_flags = os.environ.get("XLA_FLAGS", "")  # part of what was measured (e.g. the host device count)
    command = (f"XLA_FLAGS={shlex.quote(xla_flags)} " if xla_flags else "") + "python -m seqjax.bench " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = environment(matmul_peak_gflops(args.dtype))
    measurements = []
    for cell in args.cells:
        for batch, time, inputs, hidden in map(parse_shape, args.shapes):
            for mode, layers, directions in itertools.product(args.modes, args.layers, args.directions):
                config = BenchConfig(cell, batch, time, inputs, hidden, mode, args.dtype, layers, directions == 2)
                print(f"measuring {config.label} ...", flush=True)
                measurements += measure(config, args.implementations, args.repeats)
    table = markdown(env, measurements, command)
    (out / "results.md").write_text(table)
    write_json(out / "results.json", env, measurements, command)
    plot(out / "results.png", measurements)
    print(table)
    print(f"wrote {out}/results.json, results.md, results.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
