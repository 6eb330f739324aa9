"""``python -m seqjax.bench.compile_time``: compile time of a training step against sequence length.

The scan compiles its step once, so the compile time should not grow with ``time``.
"""

from __future__ import annotations

import argparse
import dataclasses

from seqjax.bench.configs import BenchConfig, shared_weights
from seqjax.bench.implementations import BUILDERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seqjax.bench.compile_time", description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru"])
    parser.add_argument("--times", nargs="+", type=int, default=[16, 256, 4096])
    parser.add_argument("--implementations", nargs="+", default=["seqjax", "flax-linen"])
    args = parser.parse_args(argv)
    print("| cell | implementation | " + " | ".join(f"compile s, time={t}" for t in args.times) + " |")
    print("|---|---|" + "---:|" * len(args.times))
    for cell in args.cells:
        for name in args.implementations:
            seconds = []
            for time in args.times:
                config = dataclasses.replace(BenchConfig(cell=cell), time=time)
                prepared = BUILDERS[name](config, shared_weights(config))
                seconds.append(f"{prepared.compile_seconds:.2f}")
            print(f"| {cell} | {prepared.name} | " + " | ".join(seconds) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
