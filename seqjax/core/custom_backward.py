"""The scan of a ``FusedCell`` with a hand-written backward pass (the cuDNN scheme).

Forward: one ``lax.scan``. Each step makes its matrix products, then the cell's pointwise
part, and stores the new carry and the few arrays the cell's hand-written derivative
needs (the gate activations). For cells whose pointwise part only needs
``V x_t + b + h_{t-1} W`` (simple RNN, LSTM), the two products of a step are one,
``[x_t, h_{t-1}] @ [V; W]``.

Backward: a reverse scan propagates only the state's cotangent, through the cell's
``pointwise_backward`` and through ``Wᵀ``, and emits the cotangents of the projected
inputs (the cell derives those of the recurrent products from them, after the loop, in
``recurrent_kernel_gradient``). The weight gradients ``dW = Σ_t h_{t-1}ᵀ dr_t``, ``dV = Σ_t x_tᵀ dp_t``,
``db``, the pointwise part's parameters' (``pointwise_params_gradient``) and the input
gradient are then each one large product after the loop, instead of ``time`` small ones
inside it. They contract the ``[time, batch]`` axes in place, so that a batch split over
devices under ``jax.jit`` stays split: each device sums its rows, and the partial sums are
added once. Nothing of the forward pass is recomputed but one ``tanh`` of the LSTM cell state.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from seqjax.core.cell import Carry, FusedCell
from seqjax.core.gradient_clipping import clip_rows
from seqjax.core.projection import sum_of_outer_products
from seqjax.core.varying import summed_like, varying_like


def _masked(real: jax.Array | None, new: Carry, old: Carry) -> Carry:
    """``new`` where ``real`` (``[batch, 1]``), else ``old``; ``new`` when there is no mask."""
    if real is None:
        return new
    return jax.tree.map(lambda n, o: jnp.where(real, n, o), new, old)


def _real_at(lengths: jax.Array | None, t: jax.Array) -> jax.Array | None:
    return None if lengths is None else (t < lengths)[:, None]


def _add_to_hidden(cell: FusedCell, carry_cotangent: Carry, d_hidden: jax.Array) -> Carry:
    """``carry_cotangent`` plus ``d_hidden`` in the carry's hidden part."""
    _, hidden_vjp = jax.vjp(cell.hidden_of, carry_cotangent)  # linear: only the structure is used
    return jax.tree.map(jnp.add, carry_cotangent, hidden_vjp(d_hidden)[0])


def _forward(
    cell: FusedCell, hoist: bool, unroll: int | bool, reverse: bool,
    params: Any, inputs: jax.Array, initial_carry: Carry, lengths: jax.Array | None,
) -> tuple[tuple[jax.Array, Carry], tuple[Carry, Any]]:
    """``inputs [time, batch, input]`` -> ``((outputs, final carry), (carries, saved))``,
    ``carries`` and ``saved`` stacked over time."""
    time = inputs.shape[0]
    kernel, pointwise_params = cell.recurrent_kernel_of(params), cell.pointwise_params(params)
    summed = cell.sums_projection_and_recurrent
    # Hoisted, the projection of all steps runs on the batch-major view: [time * batch] flattened
    # with batch inner could not stay split over devices along batch (see sum_of_outer_products).
    xs = jnp.swapaxes(cell.project_inputs(params, jnp.swapaxes(inputs, 0, 1)), 0, 1) if hoist else inputs
    if summed and not hoist:
        stacked_kernel = jnp.concatenate([params.input_kernel, kernel])  # [input + hidden, K]

    def pre_activations(carry: Carry, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        hidden = cell.hidden_of(carry)
        if not summed:
            projected = x_t if hoist else cell.project_inputs(params, x_t)
            return projected, hidden @ kernel
        if hoist:
            return x_t, hidden @ kernel
        pre = jnp.concatenate([x_t, hidden], axis=-1) @ stacked_kernel + params.bias
        return pre, jnp.zeros((), pre.dtype)

    def body(carry: Carry, step_inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, tuple[Carry, Any]]:
        x_t, t = step_inputs
        new, saved = cell.pointwise_forward(pointwise_params, carry, *pre_activations(carry, x_t))
        new = _masked(_real_at(lengths, t), new, carry)
        return new, (new, saved)

    final, (carries, saved) = jax.lax.scan(
        body, initial_carry, (xs, jnp.arange(time)), reverse=reverse, unroll=unroll
    )
    outputs = cell.hidden_of(carries)
    if lengths is not None:
        real = (jnp.arange(time)[:, None] < lengths[None, :])[..., None]  # [time, batch, 1]
        outputs = jnp.where(real, outputs, jnp.zeros_like(outputs))
    return (outputs, final), (carries, saved)


@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1, 2, 3, 4))
def scan_fused_cell(
    cell: FusedCell, hoist: bool, unroll: int | bool, reverse: bool, clip_carry_gradient: float | None,
    params: Any, inputs: jax.Array, initial_carry: Carry, lengths: jax.Array | None,
) -> tuple[jax.Array, Carry]:
    """Runs ``cell`` over time-major ``inputs [time, batch, input]`` from ``initial_carry``.

    Returns ``(outputs [time, batch, hidden], final carry)``; ``lengths [batch]`` or None
    and ``clip_carry_gradient`` with the semantics of ``seqjax.core.run``. Differentiable
    (reverse mode) in ``params``, ``inputs`` and ``initial_carry`` by the backward pass
    described in the module docstring.
    """
    return _forward(cell, hoist, unroll, reverse, params, inputs, initial_carry, lengths)[0]


def _scan_fwd(cell, hoist, unroll, reverse, clip_carry_gradient, params, inputs, initial_carry, lengths):
    del clip_carry_gradient
    result, (carries, saved) = _forward(cell, hoist, unroll, reverse, params, inputs, initial_carry, lengths)
    return result, (params, inputs, initial_carry, lengths, carries, saved)


def _scan_bwd(cell, hoist, unroll, reverse, clip_carry_gradient, residuals, cotangents):
    del hoist  # the backward pass always applies the input projection's transpose as one product
    params, inputs, initial_carry, lengths, carries, saved = residuals
    d_outputs, d_final = cotangents
    time = inputs.shape[0]
    kernel, pointwise_params = cell.recurrent_kernel_of(params), cell.pointwise_params(params)
    if lengths is not None:
        real = (jnp.arange(time)[:, None] < lengths[None, :])[..., None]
        d_outputs = jnp.where(real, d_outputs, jnp.zeros_like(d_outputs))

    start, step_back = (time - 1, 1) if reverse else (0, -1)

    def carry_before(t: jax.Array) -> Carry:
        """The carry before step ``t`` in the forward scan's order, read without copying ``carries``."""
        index = jnp.clip(t + step_back, 0, time - 1)
        return jax.tree.map(
            lambda c, first: jnp.where(t == start, first, jax.lax.dynamic_index_in_dim(c, index, keepdims=False)),
            carries,
            initial_carry,
        )

    def body(d_carry, step):
        saved_t, d_output_t, t = step
        before = carry_before(t)
        d_after = _add_to_hidden(cell, d_carry, d_output_t)
        real = _real_at(lengths, t)
        # Past a sequence's end the step is the identity: nothing flows into its pointwise part.
        d_step = _masked(real, d_after, jax.tree.map(jnp.zeros_like, d_after))
        d_before, d_projected, d_recurrent = cell.pointwise_backward(
            pointwise_params, saved_t, before, d_step
        )
        d_before = _add_to_hidden(cell, d_before, d_recurrent @ kernel.T)
        if clip_carry_gradient is not None:
            d_before = clip_rows(d_before, clip_carry_gradient)
        d_before = _masked(real, d_before, d_after)
        return d_before, d_projected

    d_initial, d_projected = jax.lax.scan(
        body,
        varying_like(d_final, inputs),  # under shard_map the carry's cotangent varies with the data
        (saved, d_outputs, jnp.arange(time)),
        reverse=not reverse,
        unroll=unroll,
    )
    # The carry before each step, in the order the forward scan visited the steps.
    carries_before = jax.tree.map(
        lambda stacked, first: jnp.concatenate([stacked[1:], first[None]] if reverse else [first[None], stacked[:-1]]),
        carries, initial_carry,
    )
    # One large product over time * batch. The arrays stay [time, batch, ...] (see
    # sum_of_outer_products): flattened, a batch split over devices would be gathered.
    d_kernel = cell.recurrent_kernel_gradient(cell.hidden_of(carries_before), d_projected, saved)
    d_pointwise_params = cell.pointwise_params_gradient(carries_before, d_projected, saved)

    # The transpose of the input projection ``x @ V + b``, as large products over time * batch.
    d_inputs = d_projected @ params.input_kernel.T
    d_input_kernel = sum_of_outer_products(inputs, d_projected)
    _, kernel_vjp = jax.vjp(lambda p: (cell.recurrent_kernel_of(p), cell.pointwise_params(p)), params)
    # Under shard_map, a replicated parameter's gradient is the sum over the shards of the data.
    kernel_cotangents = summed_like((d_kernel, d_pointwise_params), (kernel, pointwise_params))
    d_input_kernel, d_bias = summed_like((d_input_kernel, d_projected.sum((0, 1))), (params.input_kernel, params.bias))
    (d_params,) = kernel_vjp(kernel_cotangents)
    d_params = d_params._replace(input_kernel=d_params.input_kernel + d_input_kernel, bias=d_params.bias + d_bias)
    return d_params, d_inputs, summed_like(d_initial, initial_carry), None


scan_fused_cell.defvjp(_scan_fwd, _scan_bwd)
