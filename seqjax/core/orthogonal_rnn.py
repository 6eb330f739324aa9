"""A simple RNN whose recurrent matrix is orthogonal at every step of training.

The recurrent matrix is a function of an unconstrained parameter ``A [hidden, hidden]``:
``W = expm(A - Aᵀ)``, the exponential of a skew-symmetric matrix, which is orthogonal
(with determinant 1) whatever ``A`` is (Lezcano-Casado & Martínez-Rubio 2019, "expRNN").
An optimiser updates ``A`` freely and ``W`` never leaves the orthogonal group, so the
recurrent Jacobian's singular values stay those of ``diag(f')`` alone: no explosion through
``W``. Gradients reach ``A`` through ``expm`` (JAX differentiates it), in the runner's
custom backward pass as well as by autodiff.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.core import initializers
from seqjax.core.cell import FusedParams
from seqjax.core.simple_rnn import SimpleRNNCell


def skew_exponential(generator: jax.Array) -> jax.Array:
    """``expm(A - Aᵀ)`` for ``A [n, n]``: an orthogonal ``[n, n]`` matrix."""
    return jax.scipy.linalg.expm(generator - generator.T)


def rotation_generator(key: jax.Array, hidden_size: int, dtype: jnp.dtype = jnp.float32) -> jax.Array:
    """A generator whose exponential is block-diagonal 2 x 2 rotations by angles uniform in
    ``[-pi, pi]`` (Henaff et al. 2016): orthogonal, with eigenvalues spread over the unit circle."""
    angles = jax.random.uniform(key, (hidden_size // 2,), dtype, -np.pi, np.pi)
    generator = jnp.zeros((hidden_size, hidden_size), dtype)
    rows = jnp.arange(hidden_size // 2) * 2
    return generator.at[rows, rows + 1].set(angles)


@dataclasses.dataclass(frozen=True)
class OrthogonalRNNCell(SimpleRNNCell):
    """``h_t = activation(V x_t + W h_{t-1} + b)`` with ``W = expm(A - Aᵀ)`` always orthogonal.

    Parameters are ``FusedParams`` whose ``recurrent_kernel`` field holds the generator
    ``A [hidden, hidden]`` (not ``W``; read ``W`` with ``recurrent_kernel_of(params)``).
    """

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        input_init: initializers.Initializer = initializers.lecun_normal,
        recurrent_init: initializers.Initializer | None = None,
        dtype: jnp.dtype = jnp.float32,
    ) -> FusedParams:
        """``V`` by ``input_init``, ``b = 0``, ``A`` from ``rotation_generator`` (``recurrent_init``
        is not used: ``W`` is orthogonal by construction)."""
        del recurrent_init
        input_key, generator_key = jax.random.split(key)
        params = self._init_fused(input_key, input_size, hidden_size, {}, input_init, initializers.identity, dtype)
        return params._replace(recurrent_kernel=rotation_generator(generator_key, hidden_size, dtype))

    def recurrent_kernel_of(self, params: FusedParams) -> jax.Array:
        return skew_exponential(params.recurrent_kernel)
