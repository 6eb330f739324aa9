"""The Linear Recurrent Unit (Orvieto et al. 2023): a complex diagonal recurrence with its
eigenvalues initialised on a ring just inside the unit circle."""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.projection import flat_matmul
from seqjax.core.cell import LinearRecurrentCell, check_sizes
from seqjax.errors import bad_argument


class LRUParams(NamedTuple):
    """Parameters of an LRU of ``input`` inputs and ``hidden`` complex states (and outputs).

    Fields:
      nu_log, theta_log: ``[hidden]``; the eigenvalues are ``λ = exp(-exp(nu_log) + i exp(theta_log))``
        (the exponential parametrisation: ``|λ| < 1`` for any value).
      gamma_log: ``[hidden]``, the normalisation ``γ = exp(gamma_log)``, at init ``sqrt(1 - |λ|²)``.
      input_real, input_imag: ``B = input_real + i input_imag``, ``[input, hidden]``.
      output_real, output_imag: ``C = output_real + i output_imag``, ``[hidden, hidden]``.
      skip: ``D [input, hidden]``, the input's direct path to the output.
    """

    nu_log: jax.Array
    theta_log: jax.Array
    gamma_log: jax.Array
    input_real: jax.Array
    input_imag: jax.Array
    output_real: jax.Array
    output_imag: jax.Array
    skip: jax.Array


@dataclasses.dataclass(frozen=True)
class LRUCell(LinearRecurrentCell):
    """``h_t = λ * h_{t-1} + γ * (x_t B)`` in complex numbers; ``y_t = Re(h_t C) + x_t D``.

    ``λ``, ``γ`` and ``B``, ``C``, ``D`` are ``LRUParams``; the carry is the complex state
    ``h [batch, hidden]`` and the output the real ``y [batch, hidden]``. The paper's ``D`` is
    diagonal (its input and output widths are equal); here it is a dense ``[input, hidden]``
    matrix so that the widths may differ. ``γ`` keeps the state's variance that of the input
    when ``|λ|`` is near 1. Parameters: ``3 * hidden + 3 * input * hidden + 2 * hidden²``.
    """

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        r_min: float = 0.9,
        r_max: float = 0.999,
        max_phase: float = math.pi / 10,
        input_init: initializers.Initializer = initializers.lecun_normal,
        dtype: jnp.dtype = jnp.float32,
    ) -> LRUParams:
        """The paper's initialisation: ``|λ|`` uniform on the ring ``r_min <= |λ| <= r_max`` (by
        area), phases uniform in ``[0, max_phase]``; ``B`` and ``C`` complex normal with variance
        ``1 / input`` and ``1 / hidden``; ``D`` by ``input_init``. The defaults are the paper's
        long-range setting (``r_min`` 0.9, ``r_max`` 0.999, ``max_phase`` π / 10)."""
        check_sizes(input_size, hidden_size)
        if not 0.0 <= r_min < r_max <= 1.0:
            raise bad_argument("r_min, r_max", "0 <= r_min < r_max <= 1", f"r_min={r_min!r}, r_max={r_max!r}")
        keys = jax.random.split(key, 7)
        radius_draw = jax.random.uniform(keys[0], (hidden_size,), dtype)
        phase_draw = jax.random.uniform(keys[1], (hidden_size,), dtype)
        nu = -0.5 * jnp.log(radius_draw * (r_max**2 - r_min**2) + r_min**2)
        theta = max_phase * phase_draw
        modulus = jnp.exp(-nu)
        def complex_part(k: jax.Array, rows: int) -> jax.Array:
            return jax.random.normal(k, (rows, hidden_size), dtype) / math.sqrt(2 * rows)

        return LRUParams(
            nu_log=jnp.log(nu),
            theta_log=jnp.log(jnp.maximum(theta, jnp.finfo(dtype).tiny)),
            gamma_log=0.5 * jnp.log1p(-jnp.square(modulus)),
            input_real=complex_part(keys[2], input_size),
            input_imag=complex_part(keys[3], input_size),
            output_real=complex_part(keys[4], hidden_size),
            output_imag=complex_part(keys[5], hidden_size),
            skip=input_init(keys[6], (input_size, hidden_size), dtype),
        )

    def eigenvalues(self, params: LRUParams) -> jax.Array:
        """``λ [hidden]``, complex."""
        return jnp.exp(-jnp.exp(params.nu_log) + 1j * jnp.exp(params.theta_log))

    def coefficients(self, params: LRUParams, inputs: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``(λ [hidden], γ * (x B) [..., hidden])``, complex."""
        driven = jax.lax.complex(flat_matmul(inputs, params.input_real), flat_matmul(inputs, params.input_imag))
        return self.eigenvalues(params), jnp.exp(params.gamma_log) * driven

    def readout(self, params: LRUParams, states: jax.Array, inputs: jax.Array) -> jax.Array:
        """``Re(h C) + x D [..., hidden]``."""
        return (
            flat_matmul(states.real, params.output_real) - flat_matmul(states.imag, params.output_imag)
            + flat_matmul(inputs, params.skip)
        )

    def zero_carry(
        self, hidden_size: int, batch_shape: tuple[int, ...] = (), dtype: jnp.dtype = jnp.float32
    ) -> jax.Array:
        """Complex zeros ``[*batch_shape, hidden]`` (complex64 for float32)."""
        return jnp.zeros((*batch_shape, hidden_size), jnp.result_type(dtype, jnp.complex64))

    def sizes(self, params: LRUParams) -> tuple[int, int]:
        return params.input_real.shape
