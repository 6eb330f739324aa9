"""What every recurrent cell provides, and the fused parameter layout the cells share.

A cell is a frozen, hashable dataclass of *structural* options (an activation, a formula
variant); it holds no parameters. Its methods are pure functions of a parameter pytree:

- ``init(key, input_size, hidden_size, **options) -> params``
- ``sizes(params) -> (input_size, hidden_size)``: what the runner checks inputs and carries against.
- ``project_inputs(params, inputs[..., input]) -> [..., gates * hidden]``: the input
  projection ``V x + b``, separable from the recurrence so that the runner may apply it
  to all time steps in one matrix product before the loop, or inside each step.
- ``step(params, carry, projected[batch, gates * hidden]) -> (carry, output[batch, hidden])``:
  the recurrent update given the already-projected input of one step.
- ``zero_carry(hidden_size, batch_shape, dtype) -> carry``.
- ``hidden_of(carry) -> [batch, hidden]``: the state the gradient diagnostics differentiate
  against, and what ``carry_from_hidden`` fills.

Two families implement it. ``FusedCell`` (simple RNN, LSTM, GRU): ``h_{t-1}`` enters the step
through a matrix product, so the recurrence runs one step at a time, with a hand-written
backward pass. ``LinearRecurrentCell`` (minGRU, minLSTM, LRU, RG-LRU): the step is
``h_t = a_t * h_{t-1} + b_t`` with ``a_t`` and ``b_t`` read from ``x_t`` alone, so
``seqjax.core.run`` may also run the whole sequence as one parallel scan (its ``scan`` option).

Because cells are hashable they can be static arguments of ``jax.jit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple, Protocol

import jax
import jax.numpy as jnp

from seqjax.core import initializers
from seqjax.core.projection import flat_matmul, sum_of_outer_products
from seqjax.errors import bad_argument

Carry = Any
"""A cell's recurrent state: an array ``[batch, hidden]`` or a NamedTuple of them."""


class Cell(Protocol):
    """The interface of a recurrent cell (see the module docstring)."""

    def init(self, key: jax.Array, input_size: int, hidden_size: int, **options: Any) -> Any:
        """Draws the parameter pytree of a cell with ``input_size`` inputs and ``hidden_size`` units."""
        ...

    def sizes(self, params: Any) -> tuple[int, int]:
        """``(input_size, hidden_size)`` of ``params``: what the runner checks inputs and carries against."""
        ...

    def hidden_of(self, carry: Carry) -> jax.Array:
        """The hidden state ``[batch, hidden]`` in ``carry`` (what the diagnostics differentiate against)."""
        ...

    def project_inputs(self, params: Any, inputs: jax.Array) -> jax.Array:
        """The input projection ``inputs [..., input] -> [..., gates * hidden]``, separable from the step."""
        ...

    def step(self, params: Any, carry: Carry, projected: jax.Array) -> tuple[Carry, jax.Array]:
        """One step from the projected input ``[batch, gates * hidden]``: ``(carry, output [batch, hidden])``."""
        ...

    def zero_carry(
        self, hidden_size: int, batch_shape: tuple[int, ...] = (), dtype: jnp.dtype = jnp.float32
    ) -> Carry:
        """The carry of zeros, each array ``[*batch_shape, hidden]``."""
        ...


class FusedParams(NamedTuple):
    """Parameters of a cell whose gates share one fused matrix of each kind.

    Fields (``G`` gates, gate ``k`` in columns ``[k * hidden, (k + 1) * hidden)``):
      input_kernel: ``V``, ``[input, G * hidden]``.
      recurrent_kernel: ``W``, ``[hidden, G * hidden]``.
      bias: ``b``, ``[G * hidden]``.
    """

    input_kernel: jax.Array
    recurrent_kernel: jax.Array
    bias: jax.Array


class FusedCell:
    """Base of the built-in cells: one fused matrix of each kind, and a step split in two.

    ``step(params, carry, projected)`` is one recurrent matrix product,
    ``recurrent = hidden_of(carry) @ recurrent_kernel_of(params)``, then the pointwise part
    ``pointwise_forward(pointwise_params(params), carry, projected, recurrent)``. Each cell
    also writes the derivative of its pointwise part by hand, ``pointwise_backward``, from
    the few arrays ``pointwise_forward`` saves. The runner's custom backward pass uses it
    to propagate through time step by step and forms the weight gradients, the pointwise
    part's parameters' too (``pointwise_params_gradient``), as large products after the loop
    (see ``seqjax.core.custom_backward``).
    """

    num_gates: ClassVar[int]
    sums_projection_and_recurrent: ClassVar[bool] = False
    """True when the pointwise part reads ``projected`` and ``recurrent`` only through their sum."""

    def project_inputs(self, params: Any, inputs: jax.Array) -> jax.Array:
        """``inputs @ V + b``: ``[..., input] -> [..., gates * hidden]``."""
        return flat_matmul(inputs, params.input_kernel) + params.bias

    def zero_carry(
        self, hidden_size: int, batch_shape: tuple[int, ...] = (), dtype: jnp.dtype = jnp.float32
    ) -> Carry:
        """Zeros ``[*batch_shape, hidden]``."""
        return jnp.zeros((*batch_shape, hidden_size), dtype)

    def hidden_of(self, carry: Carry) -> jax.Array:
        """The part of the carry that multiplies the recurrent kernel; also the step's output."""
        return carry

    def sizes(self, params: Any) -> tuple[int, int]:
        """``(input_size, hidden_size)`` from ``V [input, G * hidden]`` and ``W [hidden, ...]``."""
        return params.input_kernel.shape[0], params.recurrent_kernel.shape[0]

    def recurrent_kernel_of(self, params: Any) -> jax.Array:
        """The matrix that ``hidden_of(carry)`` multiplies before ``pointwise``."""
        return params.recurrent_kernel

    def pointwise_params(self, params: Any) -> Any:
        """The parameters ``pointwise`` uses (none by default)."""
        del params
        return ()

    def pointwise_forward(
        self, pointwise_params: Any, carry: Carry, projected: jax.Array, recurrent: jax.Array
    ) -> tuple[Carry, Any]:
        """``(new carry, saved)``: the step after the recurrent product; ``saved`` is what
        ``pointwise_backward`` needs besides the carries (e.g. the gate activations)."""
        raise NotImplementedError

    def pointwise_backward(
        self, pointwise_params: Any, saved: Any, carry: Carry, d_new_carry: Carry
    ) -> tuple[Carry, jax.Array, jax.Array]:
        """The transpose of ``pointwise_forward``'s derivative at the step that saved ``saved``.

        ``carry`` is the carry before that step, ``d_new_carry`` the cotangent of the carry
        after it. Returns the cotangents ``(d_carry, d_projected, d_recurrent)``; ``d_carry``
        leaves out the path through the recurrent product. The pointwise parameters' own
        cotangent is ``pointwise_params_gradient``'s, after the loop.
        """
        raise NotImplementedError

    def pointwise_params_gradient(self, carry_before: Carry, d_projected: jax.Array, saved: Any) -> Any:
        """The cotangent of ``pointwise_params``, summed over all steps, after the loop.

        ``carry_before`` (the carry before every step), ``d_projected [time, batch, gates *
        hidden]`` and ``saved`` are stacked over ``[time, batch]``. Summed here rather than
        step by step inside the loop: with the batch split over devices, a sum in the loop
        would add the devices' partial sums at every step; here it is added once. The default
        is for cells without pointwise parameters.
        """
        del carry_before, d_projected, saved
        return ()

    def recurrent_kernel_gradient(self, hidden_before: jax.Array, d_projected: jax.Array, saved: Any) -> jax.Array:
        """``Σ hᵀ d_recurrent`` over all steps from the cotangents of the projected inputs.

        ``hidden_before [time, batch, hidden]`` and ``d_projected [time, batch, gates *
        hidden]`` hold every step of every sequence, ``saved`` what ``pointwise_forward``
        saved, stacked alike (contract the leading axes with ``sum_of_outer_products``). The
        default is for cells whose pointwise part reads ``projected + recurrent``, where the
        two cotangents are equal; the runner stores only ``d_projected``, so a cell derives
        its ``d_recurrent`` here, after the loop.
        """
        del saved
        return sum_of_outer_products(hidden_before, d_projected)

    def pointwise(
        self, pointwise_params: Any, carry: Carry, projected: jax.Array, recurrent: jax.Array
    ) -> tuple[Carry, jax.Array]:
        """``(new carry, output)``: the output is the new carry's hidden part."""
        new_carry, _ = self.pointwise_forward(pointwise_params, carry, projected, recurrent)
        return new_carry, self.hidden_of(new_carry)

    def step(self, params: Any, carry: Carry, projected: jax.Array) -> tuple[Carry, jax.Array]:
        """``carry``, ``projected [batch, gates * hidden]`` -> ``(carry, output [batch, hidden])``."""
        recurrent = self.hidden_of(carry) @ self.recurrent_kernel_of(params)
        return self.pointwise(self.pointwise_params(params), carry, projected, recurrent)

    def _init_fused(
        self,
        key: jax.Array,
        input_size: int,
        hidden_size: int,
        gate_biases: Mapping[int, float],
        input_init: initializers.Initializer,
        recurrent_init: initializers.Initializer,
        dtype: jnp.dtype,
    ) -> FusedParams:
        """Draws ``FusedParams``: each gate block of ``V`` and ``W`` by its initialiser, biases constant."""
        check_sizes(input_size, hidden_size)
        input_key, recurrent_key = jax.random.split(key)
        return FusedParams(
            input_kernel=initializers.fused_gate_matrix(
                input_key, input_init, input_size, hidden_size, self.num_gates, dtype
            ),
            recurrent_kernel=initializers.fused_gate_matrix(
                recurrent_key, recurrent_init, hidden_size, hidden_size, self.num_gates, dtype
            ),
            bias=initializers.fused_gate_bias(hidden_size, self.num_gates, gate_biases, dtype),
        )


def carry_from_hidden(cell: Cell, hidden: jax.Array) -> Carry:
    """The carry whose ``hidden_of`` is ``hidden [batch, hidden]``, every other part zero (an
    LSTM's cell state), for starting a decoder from an encoder's summary."""
    zero = cell.zero_carry(hidden.shape[-1], hidden.shape[:-1], hidden.dtype)
    _, place_in_hidden = jax.vjp(cell.hidden_of, zero)  # linear: only the structure is used
    return place_in_hidden(hidden.astype(cell.hidden_of(zero).dtype))[0]


class ProjectionParams(NamedTuple):
    """Parameters of a cell that reads its inputs through one fused projection and has no
    recurrent matrix: ``input_kernel [input, G * hidden]`` and ``bias [G * hidden]``, gate ``k``
    in columns ``[k * hidden, (k + 1) * hidden)``."""

    input_kernel: jax.Array
    bias: jax.Array


class LinearRecurrentCell:
    """Base of the cells whose recurrence is linear and diagonal: ``h_t = a_t * h_{t-1} + b_t``.

    ``a_t`` and ``b_t`` depend on ``x_t`` alone (the gates never read ``h_{t-1}``), so the
    whole sequence is one associative scan (``seqjax.core.linear_recurrence``). A cell gives:

    - ``coefficients(params, inputs [..., input]) -> (a, b)``: ``b [..., hidden]`` and ``a``
      broadcastable to it (``[hidden]`` for a decay that does not depend on the input);
    - ``readout(params, states [..., hidden], inputs [..., input]) -> outputs [..., out]``:
      the output of each step from its state (the state itself by default).

    Its ``step`` is the same recurrence one step at a time, for sampling and diagnostics:
    ``project_inputs`` is the identity and ``step`` computes the coefficients of ``x_t``.
    """

    num_gates: ClassVar[int] = 1
    """Blocks of ``hidden`` columns in ``input_kernel`` (for ``sizes``)."""

    def coefficients(self, params: Any, inputs: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``(a, b)``, each ``[batch, time, hidden]``, of the recurrence ``h_t = a_t * h_{t-1} + b_t``
        read from ``inputs [batch, time, input]`` alone (each cell defines it)."""
        raise NotImplementedError

    def readout(self, params: Any, states: jax.Array, inputs: jax.Array) -> jax.Array:
        """The outputs of the steps from their states: the states themselves."""
        del params, inputs
        return states

    def project_inputs(self, params: Any, inputs: jax.Array) -> jax.Array:
        """The identity: ``step`` reads the raw input of its step."""
        del params
        return inputs

    def step(self, params: Any, carry: jax.Array, inputs: jax.Array) -> tuple[jax.Array, jax.Array]:
        """``h [batch, hidden]``, ``x_t [batch, input]`` -> ``(h_t, output_t)``."""
        a, b = self.coefficients(params, inputs)
        carry = a * carry + b
        return carry, self.readout(params, carry, inputs)

    def zero_carry(
        self, hidden_size: int, batch_shape: tuple[int, ...] = (), dtype: jnp.dtype = jnp.float32
    ) -> jax.Array:
        """Zeros ``[*batch_shape, hidden]``."""
        return jnp.zeros((*batch_shape, hidden_size), dtype)

    def hidden_of(self, carry: jax.Array) -> jax.Array:
        """The carry is the state ``h``."""
        return carry

    def sizes(self, params: Any) -> tuple[int, int]:
        """``(input_size, hidden_size)`` from ``input_kernel [input, G * hidden]``."""
        input_size, width = params.input_kernel.shape
        return input_size, width // self.num_gates


def init_projection(
    key: jax.Array, input_size: int, hidden_size: int, num_gates: int, gate_biases: Mapping[int, float],
    input_init: initializers.Initializer, dtype: jnp.dtype,
) -> ProjectionParams:
    """``ProjectionParams``: each gate block of ``V`` by ``input_init``, the biases constant per gate."""
    check_sizes(input_size, hidden_size)
    return ProjectionParams(
        input_kernel=initializers.fused_gate_matrix(key, input_init, input_size, hidden_size, num_gates, dtype),
        bias=initializers.fused_gate_bias(hidden_size, num_gates, gate_biases, dtype),
    )


def check_sizes(input_size: int, hidden_size: int) -> None:
    """Raises a ``ValueError`` unless both sizes are positive ints."""
    for name, size in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise bad_argument(name, "a positive int", repr(size))
