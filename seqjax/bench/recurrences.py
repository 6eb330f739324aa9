"""``python -m seqjax.bench.recurrences``: the registry's layers against each other, over sequence length.

Where ``python -m seqjax.bench`` times one function in several libraries, this times
different recurrences in seqjax: each layer of ``seqjax.nn.LAYERS`` named by ``--cells``,
at the GRU's hidden size and at the hidden size that matches the GRU's parameter count,
for every ``--times`` and ``--scans`` (linear recurrences only), forward or forward +
backward (the gradients of the parameters and the inputs). Calls are interleaved across
all variants of one length, the median of ``--repeats`` reported, with the compile time.

Example: ``python -m seqjax.bench.recurrences --cells gru lstm mingru minlstm lru rglru
--times 256 1024 4096 --batch 32 --hidden 256 --out bench-results/recurrences``.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import shlex
import statistics
import sys
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp

from seqjax import core, flags, nn
from seqjax.bench.harness import matmul_peak_gflops
from seqjax.bench.report import environment


@dataclasses.dataclass(frozen=True)
class Variant:
    """One layer to time: ``cell`` of ``hidden`` units over ``[batch, time, input]``, by ``scan``."""

    cell: str
    hidden: int
    sizing: str  # "equal hidden" or "equal parameters"
    scan: str
    mode: str

    @property
    def label(self) -> str:
        scan = "" if self.scan == "-" else f" {self.scan}"
        return f"{self.cell}{scan} H={self.hidden} ({self.sizing})"


def parameter_count(cell: str, input_size: int, hidden: int) -> int:
    layer = nn.recurrent_layer(cell, hidden)
    shapes = jax.eval_shape(lambda: layer.init(jax.random.key(0), jnp.zeros((1, 2, input_size))))
    return core.count_parameters(shapes)


def matching_hidden(cell: str, input_size: int, target: int, step: int = 8) -> int:
    """The multiple of ``step`` whose layer's parameter count is nearest ``target`` (the count
    grows with the hidden size, so a bisection finds the first multiple at or above it)."""
    low, high = 1, 1
    while parameter_count(cell, input_size, high * step) < target:
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if parameter_count(cell, input_size, middle * step) < target else (low, middle)
    return min((low * step, high * step), key=lambda h: abs(parameter_count(cell, input_size, h) - target))


def runs_in_parallel(cell: str) -> bool:
    """Whether the layer's scan can be chosen: a linear-recurrence layer, or a block built on one
    (every layer but the step cells' ``RecurrentLayer``)."""
    layer = nn.recurrent_layer(cell, 1, parent=None)
    return isinstance(layer, nn.LinearRecurrentLayer) or not isinstance(layer, nn.RecurrentLayer)


def compiled(variant: Variant, batch: int, length: int, input_size: int) -> tuple[Callable[[], object], float, int]:
    """``(call, compile seconds, parameters)`` of one variant on fixed random inputs."""
    scan = "auto" if variant.scan == "-" else variant.scan
    layer = nn.recurrent_layer(variant.cell, variant.hidden, options=core.RunOptions(scan=scan))
    x = jax.random.normal(jax.random.key(1), (batch, length, input_size))
    params = jax.jit(layer.init)(jax.random.key(0), x)

    def forward(params, x):
        return jnp.sum(jnp.square(layer.apply(params, x)[0]))

    function = forward if variant.mode == "forward" else jax.grad(forward, argnums=(0, 1))
    began = time.perf_counter()
    executable = jax.jit(function).lower(params, x).compile()
    compile_seconds = time.perf_counter() - began
    jax.block_until_ready(executable(params, x))  # warm-up
    return (lambda: jax.block_until_ready(executable(params, x))), compile_seconds, core.count_parameters(params)


@dataclasses.dataclass(frozen=True)
class RecurrencesCommand:
    """What ``python -m seqjax.bench.recurrences`` times: every cell at every length.

    Attributes:
      cells: names of seqjax.nn.LAYERS.
      times: sequence lengths.
      scans: scans of the linear recurrences.
      modes: forward, or train (forward and backward).
      batch: sequences per call.
      hidden: the GRU's hidden size, and the input width.
      equal_parameters: also time each cell at the GRU's parameter count (else equal hidden sizes only).
      repeats: timed calls of each variant, interleaved (the median is reported).
      out: the directory of the results.
    """

    cells: tuple[str, ...] = ("gru", "lstm", "mingru", "minlstm", "lru", "rglru")
    times: tuple[int, ...] = (256, 1024, 4096)
    scans: tuple[str, ...] = tuple(core.LINEAR_SCANS)
    modes: tuple[str, ...] = ("forward", "train")
    batch: int = 32
    hidden: int = 256
    equal_parameters: bool = True
    repeats: int = 5
    out: str = "bench-results/recurrences"


def main(argv: list[str] | None = None) -> int:
    choices = {"cells": nn.CELL_NAMES, "scans": core.LINEAR_SCANS, "modes": ("forward", "train")}
    args = flags.parse(RecurrencesCommand, argv, __doc__.splitlines()[0], choices)
    command = "python -m seqjax.bench.recurrences " + shlex.join(argv if argv is not None else sys.argv[1:])

    target = parameter_count("gru", args.hidden, args.hidden)
    variants = []
    for mode in args.modes:
        for cell in args.cells:
            sizings = [("equal hidden", args.hidden)]
            if args.equal_parameters and cell != "gru":
                sizings.append(("equal parameters", matching_hidden(cell, args.hidden, target)))
            for sizing, hidden in sizings:
                for scan in (args.scans if runs_in_parallel(cell) else ["-"]):
                    variants.append(Variant(cell, hidden, sizing, scan, mode))

    env = environment(matmul_peak_gflops())
    rows = []
    for length in args.times:
        calls = {}
        for variant in variants:
            call, compile_s, parameters = compiled(variant, args.batch, length, args.hidden)
            calls[variant] = (call, compile_s, parameters, [])
            print(f"T={length} {variant.mode} {variant.label}: compiled in {compile_s:.1f} s", flush=True)
        for _ in range(args.repeats):  # interleaved: a drift of the machine's speed hits all alike
            for call, _, _, times in calls.values():
                began = time.perf_counter()
                call()
                times.append(time.perf_counter() - began)
        gru_seconds = {v.mode: statistics.median(t) for v, (_, _, _, t) in calls.items() if v.cell == "gru"}
        for variant, (_, compile_s, parameters, times) in calls.items():
            seconds = statistics.median(times)
            rows.append({
                **dataclasses.asdict(variant), "time": length, "batch": args.batch, "parameters": parameters,
                "seconds": seconds, "tokens_per_second": args.batch * length / seconds, "compile_seconds": compile_s,
                "speed_over_gru": gru_seconds[variant.mode] / seconds if variant.mode in gru_seconds else None,
            })
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"environment": env, "command": command, "rows": rows}, indent=1))
    table = markdown(env, command, rows)
    (out / "results.md").write_text(table)
    print(table)
    return 0


def markdown(env: dict, command: str, rows: list[dict]) -> str:
    lines = [f"`{command}`", "", f"{env['date']}, {env['machine']}, {env['cpu_count']} cores, {env['device']}, "
             f"jax {env['versions'].get('jax')}, matrix product {env['matmul_peak_gflops']} GFLOP/s", "",
             "| mode | layer | parameters | T | tokens/s | × GRU | compile s |", "|---|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        scan = "" if row["scan"] == "-" else f" {row['scan']}"
        ratio = "" if row["speed_over_gru"] is None else f"{row['speed_over_gru']:.2f}"
        lines.append(f"| {row['mode']} | {row['cell']}{scan} H={row['hidden']} ({row['sizing']}) | {row['parameters']:,} "
                     f"| {row['time']:,} | {row['tokens_per_second']:,.0f} | {ratio} | {row['compile_seconds']:.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
