"""Layers stacked on top of each other, each run on the outputs of the one below.

``run_stack`` computes exactly what ``seqjax.core.run`` layer after layer computes, and
its forward pass is that. For the built-in step cells (``FusedCell``) its backward pass is one
loop over all layers, the wavefront of ``seqjax.core.wavefront``: layer ``l`` goes back over
step ``t - l`` beside the top layer's step ``t``, ``T + L - 1`` iterations instead of ``L * T``.
Measured on the 2-core CPU (BENCHMARKS.md, 2026-12-07), where it is used; elsewhere the
layers are differentiated one after another.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from seqjax.core.cell import Carry, Cell, FusedCell
from seqjax.core.cudnn_lstm import cudnn_fallback_reason
from seqjax.core.lengths import check_lengths
from seqjax.core.run_options import RunOptions
from seqjax.core.scan import DEFAULT_OPTIONS, check_carry, check_inputs, check_params, run
from seqjax.core.varying import varying_like
from seqjax.core.wavefront import scan_stacked_fused_cell
from seqjax.errors import bad_argument


def run_stack(
    cell: Cell,
    params: Sequence[Any],
    inputs: jax.Array,
    *,
    initial_carries: Sequence[Carry | None] | None = None,
    lengths: jax.Array | None = None,
    options: RunOptions = DEFAULT_OPTIONS,
) -> tuple[jax.Array, tuple[Carry, ...]]:
    """``len(params)`` layers of ``cell``, bottom first, each run on the outputs of the one below.

    Args:
      cell: the cell every layer runs, as for ``seqjax.core.run``.
      params: one parameter pytree per layer, bottom first; each layer after the first reads
        the hidden units of the layer below (its input size is their number).
      inputs: ``[batch, time, input]`` (or ``[time, input]``), the first layer's inputs.
      initial_carries: one carry (or ``None`` for zeros) per layer, or ``None`` for all zeros.
      lengths: ``[batch]`` real lengths (right padding), or ``None``, as for ``seqjax.core.run``.
      options: the run options of every layer, as for ``seqjax.core.run``.

    Returns:
      ``(outputs [batch, time, hidden] of the top layer, final carries, one per layer)``:
      exactly what ``seqjax.core.run`` called layer after layer returns. Their gradient comes
      from one wavefront loop (``seqjax.core.wavefront``) when it can run the call (a ``FusedCell``
      with its custom backward pass, layers of one width, batched inputs, the projection not
      hoisted, which is the CPU default, and no cuDNN); otherwise from the layer-by-layer calls.

    Examples:
      Two ReLU RNN layers with identity weights: the second counts the first's counts.

      >>> import jax, jax.numpy as jnp
      >>> from seqjax import core
      >>> cell = core.SimpleRNNCell(activation=jax.nn.relu)
      >>> params = [core.FusedParams(jnp.eye(1), jnp.eye(1), jnp.zeros(1))] * 2
      >>> outputs, finals = run_stack(cell, params, jnp.ones((1, 4, 1)))
      >>> outputs[0, :, 0].tolist(), [final[0, 0].item() for final in finals]
      ([1.0, 3.0, 6.0, 10.0], [4.0, 10.0])
    """
    params = tuple(params)
    if not params:
        raise bad_argument("params", "one parameter pytree per layer, at least one", "an empty sequence")
    carries = (None,) * len(params) if initial_carries is None else tuple(initial_carries)
    if len(carries) != len(params):
        raise bad_argument("initial_carries", f"{len(params)} carries, one per layer", f"{len(carries)}")

    def layer_by_layer() -> tuple[jax.Array, tuple[Carry, ...]]:
        outputs, finals = inputs, []
        for layer_params, carry in zip(params, carries):
            outputs, final = run(cell, layer_params, outputs, initial_carry=carry, lengths=lengths, options=options)
            finals.append(final)
        return outputs, tuple(finals)

    inputs = jnp.asarray(inputs)
    if not _runs_as_wavefront(cell, params, inputs, options):
        return layer_by_layer()
    sizes = [check_params(cell, p, f"params[{index}]") for index, p in enumerate(params)]
    hidden_size = sizes[0][1]
    if any(size != (hidden_size, hidden_size) for size in sizes[1:]):
        return layer_by_layer()  # layers of other widths (run names a mismatch)
    check_inputs(inputs, sizes[0][0])
    batch, time = inputs.shape[:2]
    dtype = jnp.result_type(inputs.dtype, *jax.tree.leaves(params))
    zero = cell.zero_carry(hidden_size, (batch,), dtype)
    for index, carry in enumerate(carries):
        if carry is not None:
            check_carry(carry, zero, f"initial_carries[{index}]")
    initial = varying_like(tuple(zero if c is None else c for c in carries), inputs)
    if lengths is not None:
        lengths = check_lengths(lengths, batch, time)
    outputs, finals = scan_stacked_fused_cell(
        cell, options.unroll, options.clip_carry_gradient, params, jnp.swapaxes(inputs, 0, 1), initial, lengths
    )
    return jnp.swapaxes(outputs, 0, 1), tuple(finals)


def _runs_as_wavefront(cell: Cell, params: tuple, inputs: jax.Array, options: RunOptions) -> bool:
    """Whether the options and inputs leave the call to the wavefront: what ``run`` would do
    with each layer is a sequential scan with the custom backward pass, projection in the loop."""
    if not isinstance(cell, FusedCell) or len(params) < 2 or inputs.ndim != 3 or not isinstance(options, RunOptions):
        return False
    hoist = options.hoist_projection if options.hoist_projection is not None else jax.default_backend() != "cpu"
    dtypes = [inputs.dtype, *(leaf.dtype for leaf in jax.tree.leaves(params))]
    return (options.scan in ("auto", "sequential") and options.backward in ("auto", "custom") and not options.remat
            and not hoist and cudnn_fallback_reason(cell, options, dtypes) is not None
            and options.cudnn != "on")
