"""A simple RNN with a temporal skip connection: the state also receives ``h_{t-d}``.

``h_t = activation(V x_t + W h_{t-1} + U h_{t-skip} + b)``. The gradient then has a path
back through time that crosses ``skip`` steps per matrix product, so it reaches a step
``k`` steps back through ``k / skip`` products instead of ``k`` (Lin et al. 1996; the
"skip connections through time" of the course). The carry keeps the last ``skip``
hidden states. The cell is differentiated by autodiff (``core.run`` picks it for this cell).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.projection import flat_matmul
from seqjax.errors import bad_argument


class SkipRNNParams(NamedTuple):
    """``input_kernel V [input, hidden]``, ``recurrent_kernel W [hidden, hidden]`` (from
    ``h_{t-1}``), ``skip_kernel U [hidden, hidden]`` (from ``h_{t-skip}``), ``bias [hidden]``."""

    input_kernel: jax.Array
    recurrent_kernel: jax.Array
    skip_kernel: jax.Array
    bias: jax.Array


class SkipRNNState(NamedTuple):
    """``recent [batch, skip, hidden]``: ``recent[:, 0]`` is ``h_{t-1}``, ``recent[:, -1]`` is ``h_{t-skip}``."""

    recent: jax.Array


@dataclasses.dataclass(frozen=True)
class SkipRNNCell:
    """The skip-connection RNN (see the module docstring); output ``h_t [batch, hidden]``.

    Attributes:
      skip: ``d >= 2``, how many steps back the skip connection reaches.
      activation: elementwise, ``jnp.tanh`` by default.
    """

    skip: int = 4
    activation: Callable[[jax.Array], jax.Array] = jnp.tanh
    num_gates = 1

    def __post_init__(self) -> None:
        if not isinstance(self.skip, int) or self.skip < 2:
            raise bad_argument("skip", "an int >= 2 (1 is the ordinary recurrence)", repr(self.skip))

    def init(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        *,
        input_init: initializers.Initializer = initializers.lecun_normal,
        recurrent_init: initializers.Initializer = initializers.orthogonal,
        skip_scale: float = 0.5,
        dtype: jnp.dtype = jnp.float32,
    ) -> SkipRNNParams:
        """``V`` by ``input_init``; ``W`` and ``U`` by ``recurrent_init``, each scaled by
        ``1 - skip_scale`` and ``skip_scale`` so that ``W + U`` has norm at most 1; ``b = 0``."""
        input_key, recurrent_key, skip_key = jax.random.split(key, 3)
        square = (hidden_size, hidden_size)
        return SkipRNNParams(
            input_kernel=input_init(input_key, (input_size, hidden_size), dtype),
            recurrent_kernel=(1.0 - skip_scale) * recurrent_init(recurrent_key, square, dtype),
            skip_kernel=skip_scale * recurrent_init(skip_key, square, dtype),
            bias=jnp.zeros((hidden_size,), dtype),
        )

    def project_inputs(self, params: SkipRNNParams, inputs: jax.Array) -> jax.Array:
        """``inputs @ V + b``: ``[..., input] -> [..., hidden]``."""
        return flat_matmul(inputs, params.input_kernel) + params.bias

    def step(self, params: SkipRNNParams, carry: SkipRNNState, projected: jax.Array) -> tuple[SkipRNNState, jax.Array]:
        """``h_t = f(projected + W h_{t-1} + W_skip h_{t-skip})``; the window of recent states moves by one."""
        recent = carry.recent
        hidden = self.activation(
            projected + recent[:, 0] @ params.recurrent_kernel + recent[:, -1] @ params.skip_kernel
        )
        return SkipRNNState(jnp.concatenate([hidden[:, None], recent[:, :-1]], axis=1)), hidden

    def zero_carry(
        self, hidden_size: int, batch_shape: tuple[int, ...] = (), dtype: jnp.dtype = jnp.float32
    ) -> SkipRNNState:
        """``SkipRNNState`` of zeros: the last ``skip`` states, ``[*batch_shape, skip, hidden]``."""
        return SkipRNNState(jnp.zeros((*batch_shape, self.skip, hidden_size), dtype))

    def hidden_of(self, carry: SkipRNNState) -> jax.Array:
        """``h_{t-1}``, the newest hidden state of the carry."""
        return carry.recent[..., 0, :]

    def sizes(self, params: SkipRNNParams) -> tuple[int, int]:
        """``(input_size, hidden_size)`` from ``V [input, hidden]``."""
        return params.input_kernel.shape
