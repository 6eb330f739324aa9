"""The runner: any cell over a sequence, by a sequential scan or, for linear recurrences, a parallel one.

Layout: inputs are **batch-major**, ``[batch, time, features]`` (or one unbatched sequence
``[time, features]``); outputs follow the same layout, ``[batch, time, hidden]``. Which scan
and which backward pass run is chosen from the cell and ``RunOptions``:

- a ``LinearRecurrentCell`` (``h_t = a_t * h_{t-1} + b_t``) runs by
  ``seqjax.core.linear_recurrence``: associative (default), chunked or sequential, with
  the reversed recurrence as its backward pass (or autodiff);
- an ``LSTMCell`` on a CUDA device runs through cuDNN (``seqjax.core.cudnn_lstm``) unless
  its options ask for the scan (``RunOptions.cudnn``, ``cudnn_fallback_reason``);
- a ``FusedCell`` runs one ``jax.lax.scan`` step at a time with the hand-written backward
  pass of ``seqjax.core.custom_backward`` (or autodiff);
- any other cell runs one ``jax.lax.scan`` step at a time, differentiated by JAX.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from seqjax.core.cell import Carry, Cell, FusedCell, LinearRecurrentCell
from seqjax.core.cudnn_lstm import cudnn_fallback_reason, run_cudnn_lstm
from seqjax.core.custom_backward import scan_fused_cell
from seqjax.errors import bad_argument
from seqjax.core.gradient_clipping import clip_gradient_norm
from seqjax.core.lengths import check_lengths, real_steps
from seqjax.core.linear_recurrence import linear_recurrence
from seqjax.core.run_options import RunOptions
from seqjax.core.varying import varying_like

DEFAULT_OPTIONS = RunOptions()


def run(
    cell: Cell,
    params: Any,
    inputs: jax.Array,
    *,
    initial_carry: Carry | None = None,
    lengths: jax.Array | None = None,
    reverse: bool = False,
    options: RunOptions = DEFAULT_OPTIONS,
) -> tuple[jax.Array, Carry]:
    """Runs ``cell`` over ``inputs`` and returns ``(outputs, final_carry)``.

    Args:
      cell: any ``Cell`` (``LSTMCell``, ``GRUCell``, ``MinGRUCell``, ``LRUCell``, ...).
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
      options: how to compute it (``RunOptions``: the scan, the backward pass, unrolling,
        rematerialisation, the projection's placement, carry-gradient clipping).

    Returns:
      ``outputs [batch, time, hidden]`` and the final carry (``[batch, hidden]`` per array).

    Examples:
      A ReLU RNN with identity weights and zero bias counts the steps of each sequence:

      >>> import jax, jax.numpy as jnp
      >>> from seqjax import core
      >>> cell = core.SimpleRNNCell(activation=jax.nn.relu)
      >>> params = core.FusedParams(jnp.eye(1), jnp.eye(1), jnp.zeros(1))
      >>> outputs, final = run(cell, params, jnp.ones((2, 4, 1)), lengths=jnp.array([4, 2]))
      >>> outputs[..., 0].tolist(), final[:, 0].tolist()
      ([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 0.0, 0.0]], [4.0, 2.0])
    """
    if not isinstance(options, RunOptions):
        raise bad_argument("options", "a seqjax.core.RunOptions", repr(options))
    inputs = jnp.asarray(inputs)
    input_size, hidden_size = _check_params(cell, params)
    _check_inputs(inputs, input_size)
    if inputs.ndim == 2:  # one unbatched sequence: run it as a batch of one.
        outputs, carry = run(
            cell, params, inputs[None],
            initial_carry=jax.tree.map(lambda a: a[None], initial_carry),
            lengths=None if lengths is None else jnp.asarray(lengths)[None],
            reverse=reverse, options=options,
        )
        return outputs[0], jax.tree.map(lambda a: a[0], carry)

    batch, time = inputs.shape[:2]
    carry_dtype = jnp.result_type(inputs.dtype, *jax.tree.leaves(params))
    zero_carry = cell.zero_carry(hidden_size, (batch,), carry_dtype)
    if initial_carry is None:
        initial_carry = zero_carry
    else:
        _check_carry(initial_carry, zero_carry)
    initial_carry = varying_like(initial_carry, inputs)  # under shard_map, a carry varies like the data
    if lengths is not None:
        lengths = check_lengths(lengths, batch, time)
    if isinstance(cell, LinearRecurrentCell):
        return _run_linear(cell, params, inputs, initial_carry, lengths, reverse, options)
    return _run_steps(cell, params, inputs, initial_carry, lengths, reverse, options)


@functools.lru_cache(maxsize=256)
def _params_layout(cell: Cell, input_size: int, hidden_size: int) -> tuple[Any, tuple[tuple[int, ...], ...]]:
    """The tree structure and shapes of ``cell.init(key, input_size, hidden_size)``."""
    abstract = jax.eval_shape(lambda key: cell.init(key, input_size, hidden_size), jax.random.key(0))
    leaves, structure = jax.tree.flatten(abstract)
    return structure, tuple(leaf.shape for leaf in leaves)


def _check_params(cell: Cell, params: Any) -> tuple[int, int]:
    """``cell.sizes(params)``, after checking that ``params`` has the structure and shapes
    ``cell.init`` gives (the parameters of another cell type are refused, not run)."""
    try:
        input_size, hidden_size = cell.sizes(params)
    except (AttributeError, IndexError, TypeError):
        raise bad_argument("params", f"the parameters of {cell!r} (from its init)", type(params).__name__) from None
    structure, shapes = _params_layout(cell, int(input_size), int(hidden_size))
    leaves, got_structure = jax.tree.flatten(params)
    got_shapes = tuple(jnp.shape(leaf) for leaf in leaves)
    if got_structure != structure or got_shapes != shapes:
        raise bad_argument(
            "params", f"the parameters of {cell!r} for input {input_size}, hidden {hidden_size}: "
            f"{structure} of shapes {list(shapes)}", f"{got_structure} of shapes {list(got_shapes)} "
            "(the parameters of another cell?)",
        )
    return input_size, hidden_size


def _run_linear(
    cell: LinearRecurrentCell, params: Any, inputs: jax.Array, initial_carry: Carry,
    lengths: jax.Array | None, reverse: bool, options: RunOptions,
) -> tuple[jax.Array, Carry]:
    """All steps' coefficients at once, the recurrence by ``linear_recurrence``, then the readout."""
    for name, value, default in (("clip_carry_gradient", options.clip_carry_gradient, None),
                                 ("remat", options.remat, False)):
        if value != default:
            raise bad_argument(name, f"{default} for a linear-recurrence cell ({cell!r})", repr(value))
    a, b = cell.coefficients(params, inputs)
    states, final = linear_recurrence(
        a, b, initial=initial_carry, lengths=lengths, reverse=reverse,
        scan=_linear_scan(options.scan), chunk_size=options.chunk_size,
        backward="autodiff" if options.backward == "autodiff" else "custom",
    )
    outputs = cell.readout(params, states, inputs)
    if lengths is not None:  # the readout of a padded step (its input's direct path) is zeroed too
        outputs = jnp.where(real_steps(lengths, *inputs.shape[:2])[..., None], outputs, jnp.zeros_like(outputs))
    return outputs, final


def _linear_scan(scan: str) -> str:
    """The scan ``"auto"`` stands for: sequential on CPU, associative on GPU/TPU.

    On the project's 2-core CPU (BENCHMARKS.md) the sequential scan ran a minGRU layer 1.7x
    as fast as the associative one: there the work, not the depth, bounds the time, and the
    associative scan does about twice the work in ``log T`` passes over memory.
    """
    if scan != "auto":
        return scan
    return "sequential" if jax.default_backend() == "cpu" else "associative"


def _run_steps(
    cell: Cell, params: Any, inputs: jax.Array, initial_carry: Carry,
    lengths: jax.Array | None, reverse: bool, options: RunOptions,
) -> tuple[jax.Array, Carry]:
    """cuDNN for an LSTM on CUDA (``options.cudnn``), else one ``jax.lax.scan`` step at a time:
    the custom backward pass for a ``FusedCell``, else autodiff."""
    if options.scan not in ("auto", "sequential"):
        raise bad_argument(
            "options.scan", f"'auto' or 'sequential' for a cell that is not a linear recurrence ({cell!r})",
            repr(options.scan),
        )
    fallback = cudnn_fallback_reason(cell, options, [inputs.dtype, *(leaf.dtype for leaf in jax.tree.leaves(params))])
    if fallback is None:
        return run_cudnn_lstm(params, inputs, initial_carry, lengths, reverse)
    if options.cudnn == "on":
        raise bad_argument("options.cudnn", "'auto' or 'off' where cuDNN cannot run the call", f"'on' ({fallback})")
    backward = options.backward
    if backward == "auto":
        backward = "custom" if isinstance(cell, FusedCell) and not options.remat else "autodiff"
    if backward == "custom" and not isinstance(cell, FusedCell):
        raise bad_argument(
            "options.backward", f"'auto' or 'autodiff' for a cell that is not a FusedCell ({cell!r})", "'custom'"
        )
    hoist_projection = options.hoist_projection
    if hoist_projection is None:
        hoist_projection = jax.default_backend() != "cpu"
    clip = options.clip_carry_gradient

    time_major = jnp.swapaxes(inputs, 0, 1)  # [time, batch, input]
    if backward == "custom":
        try:
            outputs, final_carry = scan_fused_cell(
                cell, hoist_projection, options.unroll, reverse, clip, params, time_major, initial_carry, lengths
            )
        except TypeError as error:
            if "forward-mode" not in str(error):
                raise
            raise bad_argument(
                "options.backward", "RunOptions(backward='autodiff') for forward-mode differentiation "
                "(jax.jvp, jax.jacfwd, jax.hessian): the custom backward pass is reverse mode only", "'auto'/'custom'",
            ) from None
        return jnp.swapaxes(outputs, 0, 1), final_carry
    if hoist_projection:  # projected batch-major, whose rows stay split when the batch is split over devices
        time_major = jnp.swapaxes(cell.project_inputs(params, inputs), 0, 1)  # [time, batch, gates * hidden]

    def body(carry: Carry, step_inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, jax.Array]:
        x_t, t = step_inputs
        projected = x_t if hoist_projection else cell.project_inputs(params, x_t)
        entering = carry if clip is None else clip_gradient_norm(carry, clip)
        new_carry, output = cell.step(params, entering, projected)
        if lengths is not None:
            real = t < lengths  # [batch]
            new_carry = jax.tree.map(
                lambda new, old: jnp.where(real.reshape(-1, *(1,) * (new.ndim - 1)), new, old), new_carry, carry
            )
            output = jnp.where(real[:, None], output, jnp.zeros_like(output))
        return new_carry, output

    if options.remat:
        body = jax.checkpoint(body)
    final_carry, outputs = jax.lax.scan(
        body, initial_carry, (time_major, jnp.arange(inputs.shape[1])), reverse=reverse, unroll=options.unroll
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
            "inputs", f"{input_size} features in the last axis (the cell's input size)", f"shape {inputs.shape}"
        )


def _check_carry(initial_carry: Carry, expected: Carry) -> None:
    expected_desc = jax.tree.map(lambda a: a.shape, expected)
    try:
        received_desc = jax.tree.map(lambda a: jnp.shape(a), initial_carry)
    except Exception:  # noqa: BLE001 - anything that is not a pytree of arrays
        received_desc = repr(initial_carry)
    same_structure = jax.tree.structure(initial_carry) == jax.tree.structure(expected)
    if not same_structure or expected_desc != received_desc:
        raise bad_argument("initial_carry", f"shapes {expected_desc}", f"shapes {received_desc}")
