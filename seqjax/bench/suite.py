"""The measurements ``python -m seqjax.bench`` makes: every combination of its options, then
JSON, markdown and a PNG."""

from __future__ import annotations

import itertools
import pathlib

from seqjax.bench.configs import BenchConfig
from seqjax.bench.harness import matmul_peak_gflops, measure
from seqjax.bench.options import BenchCommand, parse_shape
from seqjax.bench.report import environment, markdown, plot, write_json


def run(args: BenchCommand, command: str) -> int:
    """Measures every combination of ``args`` and writes ``results.json``, ``results.md`` and
    ``results.png`` into ``args.out``; ``command`` is the command line recorded with them."""
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

