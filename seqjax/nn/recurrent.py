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
      unroll, remat, hoist_projection, backward, clip_carry_gradient: passed to
        ``seqjax.core.run`` (the last clips ``dL/dh_{t-1}`` at every step of the backward pass).
      input_init, recurrent_init: initialisers of each gate block of ``V`` and ``W``.
      param_dtype: dtype of the parameters.
    """

    hidden_size: int
    unroll: int = 1
    remat: bool = False
    hoist_projection: bool | None = None
    backward: str = "custom"
    clip_carry_gradient: float | None = None
    input_init: initializers.Initializer = initializers.lecun_normal
    recurrent_init: initializers.Initializer = initializers.orthogonal
    param_dtype: Any = jnp.float32

    def make_cell(self) -> core.Cell:
        """The core cell this layer runs."""
        raise NotImplementedError

    def cell_init_options(self) -> dict[str, Any]:
        """Options of the cell's ``init`` beyond the initialisers (e.g. ``forget_bias``)."""
        return {}

    @linen.compact
    def __call__(
        self,
        inputs: jax.Array,
        lengths: jax.Array | None = None,
        initial_carry: core.Carry | None = None,
        *,
        reverse: bool = False,
    ) -> tuple[jax.Array, core.Carry]:
        cell = self.make_cell()
        params = self.param(
            "cell",
            lambda key: cell.init(
                key,
                inputs.shape[-1],
                self.hidden_size,
                input_init=self.input_init,
                recurrent_init=self.recurrent_init,
                dtype=self.param_dtype,
                **self.cell_init_options(),
            ),
        )
        return core.run(
            cell,
            params,
            inputs,
            initial_carry=initial_carry,
            lengths=lengths,
            reverse=reverse,
            unroll=self.unroll,
            remat=self.remat,
            hoist_projection=self.hoist_projection,
            backward=self.backward,
            clip_carry_gradient=self.clip_carry_gradient,
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
        return {"forget_bias": self.forget_bias}


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
        return {"update_bias": self.update_bias}


class OrthogonalRNN(SimpleRNN):
    """A simple RNN whose recurrent matrix ``W = expm(A - Aᵀ)`` stays orthogonal through training.

    ``params["cell"].recurrent_kernel`` holds the generator ``A``; see ``seqjax.core.OrthogonalRNNCell``.
    ``recurrent_init`` is not used.
    """

    def make_cell(self) -> core.OrthogonalRNNCell:
        return core.OrthogonalRNNCell(activation=self.activation)


class SkipRNN(RecurrentLayer):
    """``h_t = activation(V x_t + W h_{t-1} + U h_{t-skip} + b)``; carry ``SkipRNNState`` of the
    last ``skip`` states. Differentiated by autodiff (``backward="autodiff"``).

    Attributes:
      skip: how many steps back the skip connection reaches (>= 2).
      skip_scale: ``W`` starts at ``(1 - skip_scale) * recurrent_init``, ``U`` at ``skip_scale * recurrent_init``.
      activation: elementwise (``jnp.tanh``).
    """

    skip: int = 4
    skip_scale: float = 0.5
    activation: Callable[[jax.Array], jax.Array] = jnp.tanh
    backward: str = "autodiff"

    def make_cell(self) -> core.SkipRNNCell:
        return core.SkipRNNCell(skip=self.skip, activation=self.activation)

    def cell_init_options(self) -> dict[str, Any]:
        return {"skip_scale": self.skip_scale}
