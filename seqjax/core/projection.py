"""Input projections ``x @ V + b`` of ``[..., features]`` arrays, computed as 2-D matrix products.

XLA's CPU backend runs the gradient of ``x @ V`` for ``x [batch, time, input]`` (a
``dot_general`` whose weight gradient contracts two dimensions) 1.6–1.9× slower than the same
product on ``x`` flattened to ``[batch * time, input]``, whose three products are plain matrix
products (measured in ``BENCHMARKS.md``, "Projections as 2-D products"). The reshape is free
(the array is contiguous), so every projection of a cell goes through ``flat_matmul``.
"""

from __future__ import annotations

import jax


def flat_matmul(inputs: jax.Array, kernel: jax.Array) -> jax.Array:
    """``inputs [..., n] @ kernel [n, m] -> [..., m]``, as one ``[rows, n] @ [n, m]`` product."""
    rows = inputs.reshape(-1, inputs.shape[-1])
    return (rows @ kernel).reshape(*inputs.shape[:-1], kernel.shape[-1])


def gate_projections(inputs: jax.Array, kernel: jax.Array, bias: jax.Array, num_gates: int) -> tuple[jax.Array, ...]:
    """``inputs [..., input] @ kernel [input, G * hidden] + bias [G * hidden]``, split into its
    ``G = num_gates`` blocks of ``hidden`` columns: a tuple of ``[..., hidden]`` arrays.

    Each block is its own product of the kernel's columns: slicing one fused product's
    output would cost a pass over a ``[..., G * hidden]`` array that separate products do not.
    """
    width = kernel.shape[-1] // num_gates
    return tuple(
        flat_matmul(inputs, kernel[:, gate * width:(gate + 1) * width]) + bias[gate * width:(gate + 1) * width]
        for gate in range(num_gates)
    )
