"""``python -m seqjax.bench``: time seqjax against its peers and write JSON, markdown and a PNG.

Example: ``python -m seqjax.bench --cells lstm gru --shapes 32x256x128x256 64x128x256x512
--modes train --layers 1 2 --directions 1 2 --repeats 9 --out bench-results``. A shape is
``BATCHxTIMExINPUTxHIDDEN``; every combination of the lists is measured.
"""

from __future__ import annotations

import os
import shlex
import sys

from seqjax import flags
from seqjax.bench.options import CELLS, IMPLEMENTATIONS, MODES, BenchCommand, parse_shape

__all__ = ["BenchCommand", "main", "parse_shape"]


def main(argv: list[str] | None = None) -> int:
    choices = {"cells": CELLS, "modes": MODES, "implementations": IMPLEMENTATIONS, "directions": (1, 2)}
    args = flags.parse(BenchCommand, argv, __doc__.splitlines()[0], choices, command=__name__)
    from seqjax.bench.suite import run  # after the flags: --help answers before JAX loads

    xla_flags = os.environ.get("XLA_FLAGS", "")  # part of what was measured (e.g. the host device count)
    command = (f"XLA_FLAGS={shlex.quote(xla_flags)} " if xla_flags else "") + "python -m seqjax.bench " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    return run(args, command)


if __name__ == "__main__":
    raise SystemExit(main())
