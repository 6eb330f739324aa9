"""``python -m seqjax.bench``: time seqjax against its peers and write JSON, markdown and a PNG.

Example: ``python -m seqjax.bench --cells lstm gru --shapes 32x256x128x256 64x128x256x512
--modes train --layers 1 2 --directions 1 2 --repeats 9 --out bench-results``. A shape is
``BATCHxTIMExINPUTxHIDDEN``; every combination of the lists is measured.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pathlib
import shlex
import sys

from seqjax.bench.configs import CELLS, MODES, BenchConfig
from seqjax.bench.harness import matmul_peak_gflops, measure
from seqjax.bench.implementations import BUILDERS
from seqjax.bench.report import environment, markdown, plot, write_json

DEFAULT_SHAPES = ("32x256x128x256", "64x128x256x512")


def parse_shape(text: str) -> tuple[int, int, int, int]:
    """``"32x256x128x256"`` -> ``(32, 256, 128, 256)``; argparse reports a bad one as the option's error."""
    parts = text.lower().split("x")
    if len(parts) != 4 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"expected BATCHxTIMExINPUTxHIDDEN, four positive ints, received {text!r}")
    return tuple(int(p) for p in parts)  # type: ignore[return-value]


def positive_int(text: str) -> int:
    if not (text.isdigit() and int(text) > 0):
        raise argparse.ArgumentTypeError(f"expected a positive int, received {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seqjax.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", choices=CELLS, default=list(CELLS))
    parser.add_argument("--shapes", nargs="+", type=parse_shape, default=[parse_shape(s) for s in DEFAULT_SHAPES],
                        help=f"BATCHxTIMExINPUTxHIDDEN each (default: {' '.join(DEFAULT_SHAPES)})")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=["train"])
    parser.add_argument("--layers", nargs="+", type=positive_int, default=[1], help="stack depths to measure")
    parser.add_argument("--directions", nargs="+", type=int, choices=[1, 2], default=[1],
                        help="1: left to right; 2: bidirectional")
    parser.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    parser.add_argument("--implementations", nargs="+", choices=list(BUILDERS), default=list(BUILDERS))
    parser.add_argument("--repeats", type=positive_int, default=9)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("bench-results"))
    args = parser.parse_args(argv)
    flags = os.environ.get("XLA_FLAGS", "")  # part of what was measured (e.g. the host device count)
    command = (f"XLA_FLAGS={shlex.quote(flags)} " if flags else "") + "python -m seqjax.bench " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )

    args.out.mkdir(parents=True, exist_ok=True)
    env = environment(matmul_peak_gflops(args.dtype))
    measurements = []
    for cell in args.cells:
        for batch, time, inputs, hidden in args.shapes:
            for mode, layers, directions in itertools.product(args.modes, args.layers, args.directions):
                config = BenchConfig(cell, batch, time, inputs, hidden, mode, args.dtype, layers, directions == 2)
                print(f"measuring {config.label} ...", flush=True)
                measurements += measure(config, args.implementations, args.repeats)
    table = markdown(env, measurements, command)
    (args.out / "results.md").write_text(table)
    write_json(args.out / "results.json", env, measurements, command)
    plot(args.out / "results.png", measurements)
    print(table)
    print(f"wrote {args.out}/results.json, results.md, results.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
