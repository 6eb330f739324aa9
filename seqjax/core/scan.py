"""The scan runner: any cell over a sequence with ``jax.lax.scan``.

Layout: inputs are **batch-major**, ``[batch, time, features]`` (or one unbatched sequence
``[time, features]``); outputs follow the same layout, ``[batch, time, hidden]``. Internally
the loop runs time-major, so each step reads one contiguous ``[batch, ...]`` slice.
"""

from __future__ import annotations

from typing import Any, Literal

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.core.cell import Carry, Cell, FusedCell
from seqjax.core.custom_backward import scan_fused_cell
from seqjax.core.errors import bad_argument
from seqjax.core.gradient_clipping import clip_gradient_norm


def run(
    cell: Cell,
    params: Any,
    inputs: jax.Array,
    *,
    initial_carry: Carry | None = None,
    lengths: jax.Array | None = None,
    reverse: bool = False,
    unroll: int | bool = 1,
    remat: bool = False,
    hoist_projection: bool | None = None,
    backward: Literal["custom", "autodiff"] = "custom",
    clip_carry_gradient: float | None = None,
) -> tuple[jax.Array, Carry]:
    """Runs ``cell`` over ``inputs`` and returns ``(outputs, final_carry)``.

    Args:
      cell: a cell (``SimpleRNNCell``, ``LSTMCell``, ``GRUCell`` or any ``Cell``).
      params: the cell's parameters, from ``cell.init``.
      inputs: ``[batch, time, input]`` floating point (or ``[time, input]``).
      initial_carry: the carry before the first step, ``[batch, hidden]`` per array;
        zeros when ``None``.
      lengths: ``[batch]`` integers in ``[0, time]``: sequence ``b`` is
        ``inputs[b, :lengths[b]]``. Outputs past a sequence's end are zero, and its final
        carry is the carry after its last real step; padded values affect nothing,
        gradients included. Values are checked when concrete (not under ``jit``).
      reverse: run from the last real step to the first (with ``lengths``, each
        sequence starts at its own last step). Outputs stay aligned with ``inputs``.
      unroll: steps unrolled per loop iteration (``jax.lax.scan``'s ``unroll``).
      remat: with ``backward="autodiff"``, recompute each step in the backward pass
        (``jax.checkpoint``) instead of storing its intermediates: less memory for long
        sequences, more compute. The custom backward pass stores only the carries already.
      hoist_projection: apply ``V x + b`` to all steps in one matrix product before the
        loop (``True``) or inside each step (``False``). ``None`` hoists on GPU/TPU and not
        on CPU, where the projected buffer of all steps was measured to overflow the caches.
      backward: ``"custom"`` (default) differentiates with the hand-written backward pass of
        ``seqjax.core.custom_backward`` (built-in cells, i.e. any ``FusedCell``; reverse mode
        only); ``"autodiff"`` lets JAX differentiate the scan (any ``Cell``, forward mode too).
      clip_carry_gradient: in the backward pass, clip the gradient that each step sends
        back to the carry before it, ``dL/dh_{t-1}`` through step ``t``, to this L2 norm per
        example (all arrays of the carry together); ``None`` (default) does not clip. The
        forward pass is unchanged. See ``seqjax.core.gradient_clipping``.

    Returns:
      ``outputs [batch, time, hidden]`` and the final carry (``[batch, hidden]`` per array).
    """
    inputs = jnp.asarray(inputs)
    input_size, hidden_size = params.input_kernel.shape[0], params.recurrent_kernel.shape[0]
    _check_inputs(inputs, input_size)
    if inputs.ndim == 2:  # one unbatched sequence: run it as a batch of one.
        outputs, carry = run(
            cell,
            params,
            inputs[None],
            initial_carry=jax.tree.map(lambda a: a[None], initial_carry),
            lengths=None if lengths is None else jnp.asarray(lengths)[None],
            reverse=reverse,
            unroll=unroll,
            remat=remat,
            hoist_projection=hoist_projection,
            backward=backward,
            clip_carry_gradient=clip_carry_gradient,
        )
        return outputs[0], jax.tree.map(lambda a: a[0], carry)

    batch, time = inputs.shape[:2]
    carry_dtype = jnp.result_type(inputs.dtype, params.recurrent_kernel.dtype)
    zero_carry = cell.zero_carry(hidden_size, (batch,), carry_dtype)
    if initial_carry is None:
        initial_carry = zero_carry
    else:
        _check_carry(initial_carry, zero_carry)
    if lengths is not None:
        lengths = _check_lengths(lengths, batch, time)
    if hoist_projection is None:
        hoist_projection = jax.default_backend() != "cpu"
    _check_backward(backward, cell, remat)
    if clip_carry_gradient is not None and not clip_carry_gradient > 0:
        raise bad_argument("clip_carry_gradient", "a positive number or None", repr(clip_carry_gradient))

    time_major = jnp.swapaxes(inputs, 0, 1)  # [time, batch, input]
    if backward == "custom":
        outputs, final_carry = scan_fused_cell(
            cell, hoist_projection, unroll, reverse, clip_carry_gradient, params, time_major, initial_carry, lengths
        )
        return jnp.swapaxes(outputs, 0, 1), final_carry
    if hoist_projection:
        time_major = cell.project_inputs(params, time_major)  # [time, batch, gates * hidden]

    def body(carry: Carry, step_inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, jax.Array]:
        x_t, t = step_inputs
        projected = x_t if hoist_projection else cell.project_inputs(params, x_t)
        entering = carry if clip_carry_gradient is None else clip_gradient_norm(carry, clip_carry_gradient)
        new_carry, output = cell.step(params, entering, projected)
        if lengths is not None:
            real = (t < lengths)[:, None]  # [batch, 1]
            new_carry = jax.tree.map(lambda new, old: jnp.where(real, new, old), new_carry, carry)
            output = jnp.where(real, output, jnp.zeros_like(output))
        return new_carry, output

    if remat:
        body = jax.checkpoint(body)
    final_carry, outputs = jax.lax.scan(
        body, initial_carry, (time_major, jnp.arange(time)), reverse=reverse, unroll=unroll
    )
    return jnp.swapaxes(outputs, 0, 1), final_carry


def _check_inputs(inputs: jax.Array, input_size: int) -> None:
    if inputs.ndim not in (2, 3):
        raise bad_argument(
            "inputs", "rank 3, [batch, time, features] (or rank 2, [time, features])",
            f"rank {inputs.ndim}, shape {inputs.shape}",
        )
    if not jnp.issubdtype(inputs.dtype, jnp.floating):
        raise bad_argument("inputs", "a floating-point dtype", f"dtype {inputs.dtype}")
    if inputs.shape[-1] != input_size:
        raise bad_argument(
            "inputs",
            f"{input_size} features in the last axis (params.input_kernel.shape[0])",
            f"shape {inputs.shape}",
        )


def _check_backward(backward: str, cell: Cell, remat: bool) -> None:
    if backward not in ("custom", "autodiff"):
        raise bad_argument("backward", "'custom' or 'autodiff'", repr(backward))
    if backward == "custom" and not isinstance(cell, FusedCell):
        raise bad_argument("backward", "'autodiff' for a cell that is not a FusedCell", f"'custom' with {cell!r}")
    if backward == "custom" and remat:
        raise bad_argument("remat", "False with backward='custom' (it stores only the carries)", "True")


def _check_carry(initial_carry: Carry, expected: Carry) -> None:
    expected_desc = jax.tree.map(lambda a: a.shape, expected)
    try:
        received_desc = jax.tree.map(lambda a: jnp.shape(a), initial_carry)
    except Exception:  # noqa: BLE001 - anything that is not a pytree of arrays
        received_desc = repr(initial_carry)
    same_structure = jax.tree.structure(initial_carry) == jax.tree.structure(expected)
    if not same_structure or expected_desc != received_desc:
        raise bad_argument("initial_carry", f"shapes {expected_desc}", f"shapes {received_desc}")


def _check_lengths(lengths: jax.Array, batch: int, time: int) -> jax.Array:
    lengths = jnp.asarray(lengths)
    if lengths.shape != (batch,):
        raise bad_argument("lengths", f"shape ({batch},), one length per sequence", f"shape {lengths.shape}")
    if not jnp.issubdtype(lengths.dtype, jnp.integer):
        raise bad_argument("lengths", "an integer dtype", f"dtype {lengths.dtype}")
    if not isinstance(lengths, jax.core.Tracer):
        values = np.asarray(lengths)
        if values.min() < 0 or values.max() > time:
            raise bad_argument(
                "lengths", f"values in [0, {time}] (the time axis of inputs)", f"{values.tolist()}"
            )
    return lengths
