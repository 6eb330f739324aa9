"""Stacked layers as a wavefront: one loop in which layer ``l`` makes step ``t - l``.

Run layer after layer, a stack of ``L`` layers is ``L`` loops of ``T`` small steps; on the
2-core CPU the runtime's cost per step, not the arithmetic, bounds such loops (BENCHMARKS.md).
Layer ``l + 1`` at step ``t`` needs only layer ``l``'s output at step ``t``, so loop iteration
``s`` can make step ``s - l`` of every layer ``l`` at once, each reading the carry the layer
below left after the previous iteration: ``T + L - 1`` iterations of ``L`` independent steps.
A layer outside its steps (``s - l < 0``, or past its sequence's length) keeps its carry, as a
padded step does in ``seqjax.core.run``.

The backward pass is the same wavefront reversed, the cuDNN scheme of
``seqjax.core.custom_backward`` for every layer: each iteration propagates every layer's
carry cotangent one step and sends layer ``l``'s cotangent of its input (its product with
``[V; W]ᵀ``) to layer ``l - 1``, which uses it in the next iteration. The weight gradients are
large products after the loop.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from seqjax.core.cell import Carry, FusedCell
from seqjax.core.custom_backward import add_to_hidden, masked
from seqjax.core.gradient_clipping import clip_rows
from seqjax.core.projection import flat_matmul
from seqjax.core.varying import summed_like, varying_like


def _active(lengths: jax.Array | None, time: int, layer: int, iteration: jax.Array) -> jax.Array:
    """Whether ``layer`` makes a real step at loop ``iteration``: ``[batch, 1]`` (or a scalar
    without ``lengths``)."""
    step = iteration - layer
    if lengths is None:
        return (step >= 0) & (step < time)
    return ((step >= 0) & (step < lengths))[:, None]


def _stacked_kernel(cell: FusedCell, params: Any) -> jax.Array | None:
    """``[V; W]`` ``[input + hidden, K]`` for a cell that reads only ``V x + W h``'s sum, else None;
    built once, outside the loops."""
    if not cell.sums_projection_and_recurrent:
        return None
    return jnp.concatenate([params.input_kernel, cell.recurrent_kernel_of(params)])


def _pre_activations(
    cell: FusedCell, params: Any, stacked: jax.Array | None, layer_input: jax.Array, carry: Carry
) -> tuple[jax.Array, jax.Array]:
    """``(projected, recurrent)`` of one step, as ``pointwise_forward`` takes them; one product
    ``[x, h] @ [V; W]`` with a ``stacked`` kernel."""
    hidden = cell.hidden_of(carry)
    if stacked is not None:
        pre = jnp.concatenate([layer_input, hidden], axis=-1) @ stacked + params.bias
        return pre, jnp.zeros((), pre.dtype)
    return layer_input @ params.input_kernel + params.bias, hidden @ cell.recurrent_kernel_of(params)


def _forward(
    cell: FusedCell, unroll: int | bool, params: tuple, inputs: jax.Array, initial: tuple, lengths: jax.Array | None
) -> tuple[tuple[jax.Array, tuple], tuple[tuple, tuple]]:
    """``inputs [time, batch, input]`` -> ``((top outputs [time, batch, hidden], final carries),
    (carries, saved))``, the last two per layer and stacked over the ``time + layers - 1`` iterations."""
    time, layers = inputs.shape[0], len(params)
    padded = jnp.concatenate([inputs, jnp.zeros((layers - 1, *inputs.shape[1:]), inputs.dtype)])
    stacked = [_stacked_kernel(cell, p) for p in params]

    def body(carries: tuple, step: tuple[jax.Array, jax.Array]) -> tuple[tuple, tuple]:
        x_s, s = step
        new_carries, saved = [], []
        for layer, (layer_params, carry) in enumerate(zip(params, carries)):
            layer_input = x_s if layer == 0 else cell.hidden_of(carries[layer - 1])  # before this iteration
            new, saved_layer = cell.pointwise_forward(
                cell.pointwise_params(layer_params), carry,
                *_pre_activations(cell, layer_params, stacked[layer], layer_input, carry),
            )
            new_carries.append(masked(_active(lengths, time, layer, s), new, carry))
            saved.append(saved_layer)
        return tuple(new_carries), (tuple(new_carries), tuple(saved))

    finals, (carries, saved) = jax.lax.scan(
        body, tuple(initial), (padded, jnp.arange(time + layers - 1)), unroll=unroll
    )
    outputs = cell.hidden_of(carries[-1])[layers - 1:]
    if lengths is not None:
        real = (jnp.arange(time)[:, None] < lengths[None, :])[..., None]  # [time, batch, 1]
        outputs = jnp.where(real, outputs, jnp.zeros_like(outputs))
    return (outputs, finals), (carries, saved)


@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1, 2))
def scan_stacked_fused_cell(
    cell: FusedCell, unroll: int | bool, clip_carry_gradient: float | None,
    params: tuple, inputs: jax.Array, initial_carries: tuple, lengths: jax.Array | None,
) -> tuple[jax.Array, tuple]:
    """Runs ``len(params)`` layers of ``cell``, each on the outputs of the one below, over
    time-major ``inputs [time, batch, input]``.

    ``params`` and ``initial_carries`` hold one entry per layer, bottom first; every layer
    but the first reads ``hidden`` features. Returns ``(top outputs [time, batch, hidden],
    final carries)``, exactly what running ``scan_fused_cell`` layer by layer returns, by the
    wavefront of the module docstring; differentiable (reverse mode) in ``params``,
    ``inputs`` and ``initial_carries``.
    """
    return _forward(cell, unroll, params, inputs, initial_carries, lengths)[0]


def _stacked_fwd(cell, unroll, clip_carry_gradient, params, inputs, initial_carries, lengths):
    del clip_carry_gradient
    result, (carries, saved) = _forward(cell, unroll, params, inputs, initial_carries, lengths)
    return result, (params, inputs, initial_carries, lengths, carries, saved)


def _stacked_bwd(cell, unroll, clip_carry_gradient, residuals, cotangents):
    params, inputs, initial, lengths, carries, saved = residuals
    d_outputs, d_finals = cotangents
    time, layers = inputs.shape[0], len(params)
    iterations = time + layers - 1
    if lengths is not None:
        real = (jnp.arange(time)[:, None] < lengths[None, :])[..., None]
        d_outputs = jnp.where(real, d_outputs, jnp.zeros_like(d_outputs))
    # The top layer's output cotangent by iteration: it makes step t at iteration t + layers - 1.
    d_top = jnp.concatenate([jnp.zeros((layers - 1, *d_outputs.shape[1:]), d_outputs.dtype), d_outputs])

    stacked_transposed = [None if k is None else k.T for k in (_stacked_kernel(cell, p) for p in params)]

    def carry_before(layer: int, s: jax.Array) -> Carry:
        """The layer's carry before iteration ``s``: after ``s - 1``, or its initial carry."""
        index = jnp.maximum(s - 1, 0)
        return jax.tree.map(
            lambda c, first: jnp.where(s == 0, first, jax.lax.dynamic_index_in_dim(c, index, keepdims=False)),
            carries[layer], initial[layer],
        )

    def body(state, step):
        d_carries, d_from_above, d_pointwise = state
        saved_s, d_top_s, s = step
        new_d_carries, new_from_above, new_d_pointwise, d_projected_s = [], [], [], []
        for layer, layer_params in enumerate(params):
            d_output = d_top_s if layer == layers - 1 else d_from_above[layer]
            d_after = add_to_hidden(cell, d_carries[layer], d_output)
            active = _active(lengths, time, layer, s)
            d_step = masked(active, d_after, jax.tree.map(jnp.zeros_like, d_after))
            d_before, d_projected, d_recurrent, d_params_t = cell.pointwise_backward(
                cell.pointwise_params(layer_params), saved_s[layer], carry_before(layer, s), d_step
            )
            kernel = cell.recurrent_kernel_of(layer_params)
            if layer > 0 and stacked_transposed[layer] is not None:  # [d_input, d_hidden] in one product
                both = d_projected @ stacked_transposed[layer]
                d_input, d_hidden = both[:, :-kernel.shape[0]], both[:, -kernel.shape[0]:]
            else:
                d_hidden = d_recurrent @ kernel.T
                d_input = d_projected @ layer_params.input_kernel.T if layer > 0 else None
            if d_input is not None:
                new_from_above.append(d_input)  # layer - 1's output cotangent at its next iteration
            d_before = add_to_hidden(cell, d_before, d_hidden)
            if clip_carry_gradient is not None:
                d_before = clip_rows(d_before, clip_carry_gradient)
            new_d_carries.append(masked(active, d_before, d_after))
            new_d_pointwise.append(jax.tree.map(jnp.add, d_pointwise[layer], d_params_t))
            d_projected_s.append(d_projected)
        return (tuple(new_d_carries), tuple(new_from_above), tuple(new_d_pointwise)), tuple(d_projected_s)

    hidden_size = cell.hidden_of(initial[0]).shape[-1]
    zero_from_above = tuple(jnp.zeros((inputs.shape[1], hidden_size), d_outputs.dtype) for _ in range(layers - 1))
    zero_pointwise = tuple(jax.tree.map(jnp.zeros_like, cell.pointwise_params(p)) for p in params)
    (d_initial, _, d_pointwise), d_projected = jax.lax.scan(
        body,
        varying_like((tuple(d_finals), zero_from_above, zero_pointwise), inputs),  # under shard_map
        (saved, d_top, jnp.arange(iterations)),
        reverse=True,
        unroll=unroll,
    )

    d_params, layer_inputs = [], inputs
    for layer, layer_params in enumerate(params):
        steps = slice(layer, layer + time)  # the iterations of the layer's real steps
        d_projected_l = d_projected[layer][steps]
        saved_l = jax.tree.map(lambda a: a[steps], saved[layer])
        hiddens = cell.hidden_of(jax.tree.map(lambda a: a[steps], carries[layer]))
        hidden_before = jnp.concatenate([cell.hidden_of(initial[layer])[None], hiddens[:-1]])
        flat_d_projected = d_projected_l.reshape(-1, d_projected_l.shape[-1])
        kernel, pointwise_params = cell.recurrent_kernel_of(layer_params), cell.pointwise_params(layer_params)
        d_kernel = cell.recurrent_kernel_gradient(
            hidden_before.reshape(-1, hidden_size), flat_d_projected,
            jax.tree.map(lambda a: a.reshape(-1, a.shape[-1]), saved_l),
        )
        d_input_kernel = layer_inputs.reshape(-1, layer_inputs.shape[-1]).T @ flat_d_projected
        if layer == 0:
            d_inputs = flat_matmul(d_projected_l, layer_params.input_kernel.T)
        _, kernel_vjp = jax.vjp(lambda p: (cell.recurrent_kernel_of(p), cell.pointwise_params(p)), layer_params)
        kernel_cotangents = summed_like((d_kernel, d_pointwise[layer]), (kernel, pointwise_params))
        d_input_kernel, d_bias = summed_like(
            (d_input_kernel, flat_d_projected.sum(0)), (layer_params.input_kernel, layer_params.bias)
        )
        (d_layer,) = kernel_vjp(kernel_cotangents)
        d_params.append(d_layer._replace(
            input_kernel=d_layer.input_kernel + d_input_kernel, bias=d_layer.bias + d_bias
        ))
        layer_inputs = hiddens  # the next layer's inputs (past a sequence's end its cotangent is zero)
    return tuple(d_params), d_inputs, summed_like(d_initial, tuple(initial)), None


scan_stacked_fused_cell.defvjp(_stacked_fwd, _stacked_bwd)

