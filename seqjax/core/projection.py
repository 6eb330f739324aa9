"""Input projections ``x @ V + b`` of ``[..., features]`` arrays, computed as 2-D matrix products.

XLA's CPU backend runs the gradient of ``x @ V`` for ``x [batch, time, input]`` (a
``dot_general`` whose weight gradient contracts two dimensions) 1.6–1.9× slower than the same
product on ``x`` flattened to ``[batch * time, input]``, whose three products are plain matrix
products (measured in ``BENCHMARKS.md``, "Projections as 2-D products"). The reshape is free
(the array is contiguous), so every projection of a cell goes through ``flat_matmul``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def flat_matmul(inputs: jax.Array, kernel: jax.Array) -> jax.Array:
    """``inputs [..., n] @ kernel [n, m] -> [..., m]``, as one ``[rows, n] @ [n, m]`` product."""
    rows = inputs.reshape(-1, inputs.shape[-1])
    return (rows @ kernel).reshape(*inputs.shape[:-1], kernel.shape[-1])


def sum_of_outer_products(rows: jax.Array, cotangents: jax.Array) -> jax.Array:
    """``Σ rowsᵀ cotangents`` over every axis but the last: ``[..., n], [..., m] -> [n, m]``, the
    weight gradient of ``rows @ kernel``, as one product that contracts the leading axes.

    The leading axes are contracted as they are, not flattened first: a ``[time, batch, n]``
    array split over devices along ``batch`` (data parallelism under ``jax.jit``) cannot stay
    split once flattened to ``[time * batch, n]``, so XLA would gather every device's rows and
    each device would compute the whole product; contracted in place, each device sums its own
    rows and the partial sums are added. On one device the two forms ran at the same speed.
    """
    leading = tuple(range(rows.ndim - 1))
    return jnp.tensordot(rows, cotangents, axes=(leading, leading))


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
