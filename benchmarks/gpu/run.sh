#!/usr/bin/env bash
# The one prepared GPU benchmark (BENCHMARKS.md, "GPU"): run from anywhere in the working tree,
# on a machine whose image already holds jax (CUDA), flax, optax, orbax, equinox and torch (CUDA).
#   bash benchmarks/gpu/run.sh            # results under $OUT (default bench-results/gpu)
#   bash benchmarks/gpu/run.sh --smoke    # tiny sizes on any device: a test of this script
set -euo pipefail
cd "$(dirname "$0")/../.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "${PYTHON:-python}" -m seqjax.bench.gpu --out "${OUT:-bench-results/gpu}" "$@"
