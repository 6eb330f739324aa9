"""Helpers shared by the tests."""

from __future__ import annotations

import os
import subprocess
import sys

import jax
import jax.extend
import jax.numpy as jnp
import numpy as np

from seqjax import core

# The simple RNN (tanh, ReLU), the LSTM and both GRUs: the ``core.FusedCell``s that
# ``tests.numpy_reference`` writes out in float64. The two simple RNNs come first, so
# ``FUSED_CELLS[2:]`` is the gated cells.
FUSED_CELLS = [
    core.SimpleRNNCell(),
    core.SimpleRNNCell(activation=jax.nn.relu),
    core.LSTMCell(),
    core.GRUCell(),
    core.GRUCell(reset_after=True),
]
FUSED_CELL_IDS = ["rnn-tanh", "rnn-relu", "lstm", "gru", "gru-reset-after"]


def random_params(cell, input_size: int, hidden_size: int, seed: int, dtype=jnp.float32):
    """Cell parameters with every entry random, biases included, so no term is hidden by a zero."""
    return randomised(jax.eval_shape(lambda: cell.init(jax.random.key(seed), input_size, hidden_size, dtype=dtype)),
                      seed + 1)


def relative_error(actual, expected) -> float:
    """``||actual - expected|| / ||expected||`` in float64 (complex128 for complex values)."""
    dtype = np.complex128 if np.iscomplexobj(actual) or np.iscomplexobj(expected) else np.float64
    actual, expected = np.asarray(actual, dtype), np.asarray(expected, dtype)
    return float(np.linalg.norm(actual - expected) / np.linalg.norm(expected))


def randomised(params, seed: int = 1):
    """``params`` (arrays, or the shapes ``jax.eval_shape`` gives) with every leaf drawn as
    ``0.5 * N(0, 1)`` (biases too), so no term of a reference comparison hides behind a zero
    initial value. Drawn by numpy: ``jax.random`` would compile a sampler for each shape."""
    rng = np.random.default_rng(seed)
    return jax.tree.map(lambda leaf: jnp.asarray(0.5 * rng.standard_normal(leaf.shape), leaf.dtype), params)


def products(jaxpr) -> list[tuple[tuple[tuple[int, ...], ...], tuple]]:
    """Every ``dot_general`` in ``jaxpr`` and the jaxprs nested in it: ``(operand shapes,
    ((lhs contracting, rhs contracting), (lhs batch, rhs batch)))``."""
    found = []
    for equation in jaxpr.eqns:
        if equation.primitive.name == "dot_general":
            found.append((tuple(operand.aval.shape for operand in equation.invars),
                          equation.params["dimension_numbers"]))
        for value in equation.params.values():
            for inner in value if isinstance(value, (tuple, list)) else (value,):
                if isinstance(inner, jax.extend.core.ClosedJaxpr):
                    found += products(inner.jaxpr)
                elif isinstance(inner, jax.extend.core.Jaxpr):
                    found += products(inner)
    return found


def product_ranks(jaxpr) -> list[tuple[int, ...]]:
    """The operand ranks of every ``dot_general`` in ``jaxpr`` and the jaxprs nested in it."""
    return [tuple(len(shape) for shape in shapes) for shapes, _ in products(jaxpr)]


def run_on_two_simulated_devices(script: str, timeout: float = 300) -> str:
    """Runs the Python ``script`` in a subprocess whose CPU is 2 simulated devices
    (``--xla_force_host_platform_device_count=2``); returns its stdout, after checking it exited 0."""
    environment = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2", "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout
