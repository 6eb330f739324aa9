"""seqjax.bench: the benchmark harness (``python -m seqjax.bench``)."""

from seqjax.bench.configs import BenchConfig, SharedWeights, shared_weights
from seqjax.bench.harness import Measurement, matmul_peak_gflops, measure

__all__ = ["BenchConfig", "Measurement", "SharedWeights", "matmul_peak_gflops", "measure", "shared_weights"]
