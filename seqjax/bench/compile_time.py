"""``python -m seqjax.bench.compile_time``: compile time of a training step against sequence length.

The scan compiles its step once, so the compile time should not grow with ``time``.
"""

from __future__ import annotations

import dataclasses

from seqjax import flags
from seqjax.bench.configs import CELLS, BenchConfig, shared_weights
from seqjax.bench.implementations import BUILDERS


@dataclasses.dataclass(frozen=True)
class CompileTimeCommand:
    """What ``python -m seqjax.bench.compile_time`` compiles.

    Attributes:
      cells: the cells.
      times: sequence lengths.
      implementations: seqjax and the peers (names of seqjax.bench.implementations.BUILDERS).
    """

    cells: tuple[str, ...] = ("lstm", "gru")
    times: tuple[int, ...] = (16, 256, 4096)
    implementations: tuple[str, ...] = ("seqjax", "flax-linen")


def main(argv: list[str] | None = None) -> int:
    choices = {"cells": CELLS, "implementations": tuple(BUILDERS)}
    args = flags.parse(CompileTimeCommand, argv, __doc__.splitlines()[0], choices)
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
