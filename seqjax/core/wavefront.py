"""The backward pass of stacked layers as one wavefront loop: layer ``l`` goes back over step ``t - l``.

The forward pass runs layer after layer, each the forward scan of
``seqjax.core.custom_backward``. Run the same way, the backward pass would be ``L`` loops of
``T`` small steps whose per-step product ``dpre @ Wᵀ`` leaves the second core of the 2-core CPU
mostly idle at hidden 256 (BENCHMARKS.md, 2026-12-06 profile). Layer ``l`` needs, going back
over step ``t``, only the cotangent of its output at ``t``, which layer ``l + 1`` sends once it
has gone back over its own step ``t``. So iteration ``s`` of one reversed loop takes every
layer ``l`` back over its step ``s - l``: ``T + L - 1`` iterations, in each of which every
layer but the lowest makes one product ``dpre @ [V; W]ᵀ``, the cotangent of its input (for
the layer below, at the next iteration) and of its hidden state at once. A layer outside its
steps (``s - l`` before its first or past its sequence's last) passes its cotangent through,
as a padded step does. The weight gradients are large products after the loop, as for one layer.

The forward pass as a wavefront too (layer ``l`` at step ``t - l`` beside layer 0 at ``t``) was
measured and lost: no faster at b32 h256, 0.93x layer after layer at b64 h512 (BENCHMARKS.md,
2026-12-07).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from seqjax.core.cell import FusedCell
from seqjax.core.custom_backward import add_to_hidden, forward_with_residuals, masked, parameter_gradients
from seqjax.core.gradient_clipping import clip_rows
from seqjax.core.projection import flat_matmul
from seqjax.core.varying import summed_like, varying_like


def _forward(
    cell: FusedCell, unroll: int | bool, params: tuple, inputs: jax.Array, initial: tuple, lengths: jax.Array | None
) -> tuple[tuple[jax.Array, tuple], tuple[tuple, tuple, tuple]]:
    """Layer after layer over ``inputs [time, batch, input]``: ``((top outputs, final carries),
    (each layer's inputs, carries, saved))``, the residuals stacked over time."""
    outputs, finals, layer_inputs, carries, saved = inputs, [], [], [], []
    for layer_params, carry in zip(params, initial):
        layer_inputs.append(outputs)
        (outputs, final), (layer_carries, layer_saved) = forward_with_residuals(
            cell, False, unroll, False, layer_params, outputs, carry, lengths
        )
        finals.append(final)
        carries.append(layer_carries)
        saved.append(layer_saved)
    return (outputs, tuple(finals)), (tuple(layer_inputs), tuple(carries), tuple(saved))


@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1, 2))
def scan_stacked_fused_cell(
    cell: FusedCell, unroll: int | bool, clip_carry_gradient: float | None,
    params: tuple, inputs: jax.Array, initial_carries: tuple, lengths: jax.Array | None,
) -> tuple[jax.Array, tuple]:
    """Runs ``len(params)`` layers of ``cell``, each on the outputs of the one below, over
    time-major ``inputs [time, batch, input]``.

    ``params`` and ``initial_carries`` hold one entry per layer, bottom first; every layer
    but the first reads ``hidden`` features. Returns ``(top outputs [time, batch, hidden],
    final carries)``, exactly what ``scan_fused_cell`` layer after layer returns;
    differentiable (reverse mode) in ``params``, ``inputs`` and ``initial_carries`` by the
    wavefront of the module docstring.
    """
    return _forward(cell, unroll, params, inputs, initial_carries, lengths)[0]


def _stacked_fwd(cell, unroll, clip_carry_gradient, params, inputs, initial_carries, lengths):
    del clip_carry_gradient
    result, residuals = _forward(cell, unroll, params, inputs, initial_carries, lengths)
    return result, (params, initial_carries, lengths, residuals)


def _at(tree: Any, index: jax.Array) -> Any:
    """Step ``index`` of arrays stacked over time, read in place."""
    return jax.tree.map(lambda a: jax.lax.dynamic_index_in_dim(a, index, keepdims=False), tree)


def _stacked_bwd(cell, unroll, clip_carry_gradient, residuals, cotangents):
    params, initial, lengths, (layer_inputs, carries, saved) = residuals
    d_outputs, d_finals = cotangents
    inputs = layer_inputs[0]
    time, layers = inputs.shape[0], len(params)
    hidden_size = cell.hidden_of(initial[0]).shape[-1]
    if lengths is not None:
        real = (jnp.arange(time)[:, None] < lengths[None, :])[..., None]
        d_outputs = jnp.where(real, d_outputs, jnp.zeros_like(d_outputs))
    # The top layer's output cotangent by iteration: it goes back over step t at iteration t + layers - 1.
    d_top = jnp.concatenate([jnp.zeros((layers - 1, *d_outputs.shape[1:]), d_outputs.dtype), d_outputs])
    # [V; W]ᵀ of every layer above the first, when the cell reads only V x + W h's sum.
    stacked_transposed = [
        jnp.concatenate([p.input_kernel, cell.recurrent_kernel_of(p)]).T if cell.sums_projection_and_recurrent else None
        for p in params
    ]

    def layer_back(layer: int, s: jax.Array, d_carry: Any, d_output: jax.Array, d_pointwise: Any):
        """Layer ``layer`` back over its step ``s - layer``: ``(d_carry before it, d_input or None,
        d_pointwise, d_projected)``."""
        layer_params, t = params[layer], s - layer
        before = jax.tree.map(lambda c, first: jnp.where(t <= 0, first, c),
                              _at(carries[layer], jnp.clip(t - 1, 0, time - 1)), initial[layer])
        d_after = add_to_hidden(cell, d_carry, d_output)
        active = (t >= 0) & (t < time) if lengths is None else ((t >= 0) & (t < lengths))[:, None]
        d_step = masked(active, d_after, jax.tree.map(jnp.zeros_like, d_after))  # nothing enters a skipped step
        d_before, d_projected, d_recurrent, d_params_t = cell.pointwise_backward(
            cell.pointwise_params(layer_params), _at(saved[layer], jnp.clip(t, 0, time - 1)), before, d_step
        )
        if layer == 0:  # the inputs' cotangent is one product after the loop
            d_input, d_hidden = None, d_recurrent @ cell.recurrent_kernel_of(layer_params).T
        elif stacked_transposed[layer] is not None:  # [d_input, d_hidden] in one product
            both = d_projected @ stacked_transposed[layer]
            d_input, d_hidden = both[:, :hidden_size], both[:, hidden_size:]
        else:
            d_input = d_projected @ layer_params.input_kernel.T
            d_hidden = d_recurrent @ cell.recurrent_kernel_of(layer_params).T
        d_before = add_to_hidden(cell, d_before, d_hidden)
        if clip_carry_gradient is not None:
            d_before = clip_rows(d_before, clip_carry_gradient)
        d_pointwise = jax.tree.map(jnp.add, d_pointwise, d_params_t)
        return masked(active, d_before, d_after), d_input, d_pointwise, d_projected

    def body(state, step):
        d_carries, d_from_above, d_pointwise = state  # d_from_above[l]: layer l's output cotangent
        d_top_s, s = step
        backs = [
            layer_back(layer, s, d_carries[layer], d_top_s if layer == layers - 1 else d_from_above[layer],
                       d_pointwise[layer])
            for layer in range(layers)
        ]
        d_carries, d_inputs, d_pointwise, d_projected = (tuple(parts) for parts in zip(*backs))
        return (d_carries, d_inputs[1:], d_pointwise), d_projected

    zero_from_above = tuple(jnp.zeros((inputs.shape[1], hidden_size), d_outputs.dtype) for _ in range(layers - 1))
    zero_pointwise = tuple(jax.tree.map(jnp.zeros_like, cell.pointwise_params(p)) for p in params)
    (d_initial, _, d_pointwise), d_projected = jax.lax.scan(
        body,
        varying_like((tuple(d_finals), zero_from_above, zero_pointwise), inputs),  # under shard_map
        (d_top, jnp.arange(time + layers - 1)),
        reverse=True,
        unroll=unroll,
    )

    d_params = []
    for layer, layer_params in enumerate(params):
        d_projected_l = d_projected[layer][layer:layer + time]  # the iterations of the layer's steps
        hiddens = cell.hidden_of(carries[layer])
        hidden_before = jnp.concatenate([cell.hidden_of(initial[layer])[None], hiddens[:-1]])
        d_params.append(parameter_gradients(
            cell, layer_params, layer_inputs[layer], hidden_before, d_projected_l, saved[layer], d_pointwise[layer]
        ))
    d_inputs = flat_matmul(d_projected[0][:time], params[0].input_kernel.T)
    return tuple(d_params), d_inputs, summed_like(d_initial, tuple(initial)), None


scan_stacked_fused_cell.defvjp(_stacked_fwd, _stacked_bwd)
