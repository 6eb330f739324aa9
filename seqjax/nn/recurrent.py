"""Flax linen layers, one per cell type, that run a ``seqjax.core`` cell over a sequence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax import core
from seqjax.core import initializers


class RecurrentLayer(linen.Module):
    """A recurrent layer: a core cell run by ``seqjax.core.run``.

    The parameters live under ``params["cell"]`` as the core cell's pytree (e.g.
    ``FusedParams(input_kernel [input, G * hidden], recurrent_kernel [hidden, G * hidden],
    bias [G * hidden])``), so they can be passed to the core functions as they are.

    Call: ``layer(inputs [batch, time, input], lengths [batch] | None = None,
    initial_carry | None = None, *, reverse=False)`` returns
    ``(outputs [batch, time, hidden], final_carry)``; see ``seqjax.core.run``.

    Attributes:
      hidden_size: units ``H``.
      options: how ``seqjax.core.run`` computes the layer (``core.RunOptions``: the scan,
        the backward pass, unrolling, clipping of ``dL/dh_{t-1}`` at every step back, ...).
      input_init, recurrent_init: initialisers of each gate block of ``V`` and ``W``.
      param_dtype: dtype of the parameters.
    """

    hidden_size: int
    options: core.RunOptions = core.RunOptions()
    input_init: initializers.Initializer = initializers.lecun_normal
    recurrent_init: initializers.Initializer = initializers.orthogonal
    param_dtype: Any = jnp.float32

    def make_cell(self) -> core.Cell:
        """The core cell this layer runs."""
        raise NotImplementedError

    def cell_init_options(self) -> dict[str, Any]:
        """Options of the cell's ``init`` beyond the dtype (initialisers, ``forget_bias``, ...)."""
        return {"input_init": self.input_init, "recurrent_init": self.recurrent_init}

    def zero_carry(self, batch: int) -> core.Carry:
        """The carry before the first step, ``[batch, hidden]`` per array."""
        return self.make_cell().zero_carry(self.hidden_size, (batch,))

    def carry_from_hidden(self, hidden: jax.Array) -> core.Carry:
        """The carry whose hidden state is ``hidden [batch, hidden]``, the rest zero."""
        return core.carry_from_hidden(self.make_cell(), hidden)

    @linen.compact
    def cell_params(self, input_size: int) -> Any:
        """The core cell's parameters ``params["cell"]`` for ``input_size`` input features
        (drawn on ``init``); what ``Bidirectional`` reads to run both directions as one."""
        cell = self.make_cell()
        return self.param(
            "cell",
            lambda key: cell.init(key, input_size, self.hidden_size, dtype=self.param_dtype, **self.cell_init_options()),
        )

    def __call__(
        self,
        inputs: jax.Array,
        lengths: jax.Array | None = None,
        initial_carry: core.Carry | None = None,
        *,
        reverse: bool = False,
    ) -> tuple[jax.Array, core.Carry]:
        return core.run(
            self.make_cell(), self.cell_params(jnp.shape(inputs)[-1]), inputs, initial_carry=initial_carry,
            lengths=lengths, reverse=reverse, options=self.options,
        )


class SimpleRNN(RecurrentLayer):
    """``h_t = activation(V x_t + W h_{t-1} + b)``; carry ``[batch, hidden]``.

    For an IRNN (Le et al. 2015) use ``activation=jax.nn.relu,
    recurrent_init=seqjax.core.initializers.identity``.
    """

    activation: Callable[[jax.Array], jax.Array] = jnp.tanh

    def make_cell(self) -> core.SimpleRNNCell:
        return core.SimpleRNNCell(activation=self.activation)


class LSTM(RecurrentLayer):
    """LSTM layer (gate order i, f, g, o); carry ``LSTMState(hidden, cell)``.

    Attributes:
      forget_bias: initial value of the forget gate's bias (1.0).
    """

    forget_bias: float = 1.0

    def make_cell(self) -> core.LSTMCell:
        return core.LSTMCell()

    def cell_init_options(self) -> dict[str, Any]:
        return {**super().cell_init_options(), "forget_bias": self.forget_bias}


class GRU(RecurrentLayer):
    """GRU layer (gate order r, u, g); carry ``[batch, hidden]``.

    Attributes:
      update_bias: initial value of the update gate's bias (1.0: start by keeping the state).
      reset_after: the cuDNN/PyTorch/Flax form of the candidate (see ``seqjax.core.GRUCell``).
    """

    update_bias: float = 1.0
    reset_after: bool = False

    def make_cell(self) -> core.GRUCell:
        return core.GRUCell(reset_after=self.reset_after)

    def cell_init_options(self) -> dict[str, Any]:
        return {**super().cell_init_options(), "update_bias": self.update_bias}


class OrthogonalRNN(SimpleRNN):
    """A simple RNN whose recurrent matrix ``W = expm(A - Aᵀ)`` stays orthogonal through training.

    ``params["cell"].recurrent_kernel`` holds the generator ``A``; see ``seqjax.core.OrthogonalRNNCell``.
    ``recurrent_init`` is not used.
    """

    def make_cell(self) -> core.OrthogonalRNNCell:
        return core.OrthogonalRNNCell(activation=self.activation)


class SkipRNN(RecurrentLayer):
    """``h_t = activation(V x_t + W h_{t-1} + U h_{t-skip} + b)``; carry ``SkipRNNState`` of the
    last ``skip`` states. Differentiated by autodiff.

    Attributes:
      skip: how many steps back the skip connection reaches (>= 2).
      skip_scale: ``W`` starts at ``(1 - skip_scale) * recurrent_init``, ``U`` at ``skip_scale * recurrent_init``.
      activation: elementwise (``jnp.tanh``).
    """

    skip: int = 4
    skip_scale: float = 0.5
    activation: Callable[[jax.Array], jax.Array] = jnp.tanh

    def make_cell(self) -> core.SkipRNNCell:
        return core.SkipRNNCell(skip=self.skip, activation=self.activation)

    def cell_init_options(self) -> dict[str, Any]:
        return {**super().cell_init_options(), "skip_scale": self.skip_scale}
