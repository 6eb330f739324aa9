"""Timing: every implementation checked against seqjax, then timed interleaved, medians reported."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.bench.configs import BenchConfig, shared_weights
from seqjax.bench.implementations import BUILDERS, Prepared

TOLERANCE = {"float32": 1e-4, "bfloat16": 3e-2}
"""Largest relative L2 difference from seqjax's outputs and input gradients that counts as
the same function."""


@dataclasses.dataclass(frozen=True)
class Measurement:
    """One implementation on one configuration."""

    config: BenchConfig
    implementation: str
    seconds: float | None  # median of the timed calls; None when it did not compute the same function
    tokens_per_second: float | None
    gflops_per_second: float | None
    compile_seconds: float | None
    peak_bytes: int | None
    difference: float  # relative L2 difference from seqjax (outputs and input gradients)


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def matmul_peak_gflops(dtype: str = "float32", size: int = 2048, repeats: int = 5) -> float:
    """The device's measured matrix-product throughput: ``[size, size] @ [size, size]``."""
    a = jnp.ones((size, size), dtype)
    product = jax.jit(lambda a: a @ a).lower(a).compile()
    jax.block_until_ready(product(a))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(product(a))
        times.append(time.perf_counter() - start)
    return 2.0 * size**3 / statistics.median(times) / 1e9


def measure(config: BenchConfig, implementations: Sequence[str], repeats: int) -> list[Measurement]:
    """Builds every available implementation, checks it against seqjax, then times them interleaved.

    Each repeat calls every implementation once, in turn, so drifts of the machine's speed
    affect all of them alike; the reported time is the median over repeats.
    """
    weights = shared_weights(config)
    names = ["seqjax", *(n for n in implementations if n != "seqjax")]
    prepared: list[Prepared] = [p for p in (BUILDERS[n](config, weights) for n in names) if p is not None]
    reference_outputs, reference_d_inputs = prepared[0].check()
    differences = {}
    for implementation in prepared:
        outputs, d_inputs = implementation.check()
        difference = relative_difference(outputs, reference_outputs)
        if d_inputs is not None:
            difference = max(difference, relative_difference(d_inputs, reference_d_inputs))
        differences[implementation.name] = difference
    same = [p for p in prepared if differences[p.name] <= TOLERANCE[config.dtype]]
    for implementation in same:
        implementation.run()  # warm up (caches, lazy initialisation)
    times: dict[str, list[float]] = {p.name: [] for p in same}
    for _ in range(repeats):
        for implementation in same:
            start = time.perf_counter()
            implementation.run()
            times[implementation.name].append(time.perf_counter() - start)
    results = []
    for implementation in prepared:
        seconds = statistics.median(times[implementation.name]) if implementation.name in times else None
        results.append(Measurement(
            config=config,
            implementation=implementation.name,
            seconds=seconds,
            tokens_per_second=None if seconds is None else config.tokens / seconds,
            gflops_per_second=None if seconds is None else config.flops / seconds / 1e9,
            compile_seconds=implementation.compile_seconds,
            peak_bytes=implementation.peak_bytes,
            difference=differences[implementation.name],
        ))
    return results
