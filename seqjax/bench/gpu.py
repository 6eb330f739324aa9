"""``python -m seqjax.bench.gpu``: the one prepared GPU benchmark, meant to finish in under 8 minutes.

Run it as ``bash benchmarks/gpu/run.sh`` from the working tree on a machine whose image
already holds jax (CUDA), flax, optax, orbax, equinox and torch (CUDA); nothing is installed.
It writes under ``--out`` (``$OUT`` in ``run.sh``):

- ``harness-float32/``, ``harness-bfloat16/``: ``python -m seqjax.bench``, LSTM and GRU,
  forward + backward, at b64 t512 i512 h1024 and at batch 4 and 8 of the same sizes:
  seqjax's scan, seqjax's cuDNN path (LSTM, float32), Flax linen and PyTorch (cuDNN);
- ``recurrences/``: ``python -m seqjax.bench.recurrences``, the linear recurrences against
  the GRU and LSTM, every scan, T = 1,024 and 4,096;
- ``summary.md``: the three tables, with the time each step took.

It stops at once, with the reason, when JAX sees no GPU. ``--smoke`` runs the same steps at
tiny sizes on any device (how the tests check this script on CPU).
"""

from __future__ import annotations

import dataclasses
import pathlib
import sys
import time
from collections.abc import Callable

import jax

from seqjax import flags
from seqjax.bench import __main__ as harness
from seqjax.bench import recurrences

SHAPES = ("64x512x512x1024", "4x512x512x1024", "8x512x512x1024")
SMOKE_SHAPES = ("2x8x4x8",)
IMPLEMENTATIONS = ("seqjax", "seqjax-cudnn", "flax-linen", "pytorch")


def steps(out: pathlib.Path, smoke: bool) -> list[tuple[str, Callable[[list[str]], int], list[str]]]:
    """``(name, main, argv)`` of every measurement, in order."""
    shapes = SMOKE_SHAPES if smoke else SHAPES
    repeats = "1" if smoke else "5"
    harness_steps = [
        (f"harness-{dtype}", harness.main,
         ["--cells", "lstm", "gru", "--modes", "train", "--dtype", dtype, "--shapes", *shapes,
          "--implementations", *IMPLEMENTATIONS, "--repeats", repeats, "--out", str(out / f"harness-{dtype}")])
        for dtype in ("float32", "bfloat16")
    ]
    if smoke:  # one linear recurrence, one scan: the step's plumbing, not every cell again
        sizes = ["--cells", "gru", "mingru", "--scans", "sequential", "--no-equal-parameters",
                 "--times", "16", "--batch", "2", "--hidden", "8"]
    else:
        sizes = ["--cells", "gru", "lstm", "mingru", "minlstm", "lru", "rglru", "--times", "1024", "4096"]
    return harness_steps + [
        ("recurrences", recurrences.main,
         [*sizes, "--modes", "train", "--repeats", repeats, "--out", str(out / "recurrences")]),
    ]


@dataclasses.dataclass(frozen=True)
class GpuCommand:
    """What ``python -m seqjax.bench.gpu`` runs.

    Attributes:
      out: where the results go.
      smoke: tiny sizes on any device (a test of this script).
    """

    out: str
    smoke: bool = False


def main(argv: list[str] | None = None) -> int:
    args = flags.parse(GpuCommand, argv, __doc__.splitlines()[0])
    out = pathlib.Path(args.out)
    backend = jax.default_backend()
    if not args.smoke and backend != "gpu":
        print(f"seqjax.bench.gpu: JAX sees no GPU (default backend: {backend}, devices: {jax.devices()}); "
              "run it where `python -c 'import jax; print(jax.devices())'` lists a CUDA device, "
              "or pass --smoke", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    summary = [f"# GPU benchmark, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}", "",
               f"Devices: {jax.devices()}; command: `python -m seqjax.bench.gpu {' '.join(argv or sys.argv[1:])}`", ""]
    for name, run, step_argv in steps(out, args.smoke):
        began = time.perf_counter()
        print(f"== {name}", flush=True)
        run(step_argv)
        summary += [f"## {name} ({time.perf_counter() - began:.0f} s)", "",
                    (out / name / "results.md").read_text(), ""]
    (out / "summary.md").write_text("\n".join(summary))
    print(f"wrote {out}/summary.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
