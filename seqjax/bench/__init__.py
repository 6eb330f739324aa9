"""seqjax.bench: the benchmark harness (``python -m seqjax.bench``).

The names below load their module on first use (PEP 562), so ``python -m seqjax.bench
--help`` answers before JAX loads."""

from __future__ import annotations

from seqjax.lazy_exports import lazy_exports

_MODULE_OF = {
    "BenchConfig": "configs", "SharedWeights": "configs", "shared_weights": "configs",
    "Measurement": "harness", "matmul_peak_gflops": "harness", "measure": "harness",
}
__all__ = sorted(_MODULE_OF)

__getattr__, __dir__ = lazy_exports(__name__, _MODULE_OF)
