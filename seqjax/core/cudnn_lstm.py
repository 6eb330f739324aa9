"""The LSTM through cuDNN (``jax.experimental.rnn.lstm``) on CUDA, and exact conversions
between seqjax's LSTM parameters and cuDNN's packed weights.

cuDNN (like PyTorch's ``nn.LSTM``) keeps, per layer, ``W_ih [4H, input]``, ``W_hh [4H, H]``,
``b_ih [4H]`` and ``b_hh [4H]`` in the gate order i, f, g, o (seqjax's order), packed into
one flat vector: ``(W_ih, W_hh, b_ih, b_hh)`` for one layer and one direction. seqjax's
``FusedParams`` are their transposes with one bias: ``V = W_ihᵀ``, ``W = W_hhᵀ``,
``b = b_ih + b_hh``. ``to_cudnn_weights`` writes ``b_hh = 0``, so a round trip is exact.

``seqjax.core.run`` calls ``run_cudnn_lstm`` for an ``LSTMCell`` when ``cudnn_fallback_reason``
finds nothing against it (``RunOptions(cudnn="auto")``), and the sequential scan otherwise.
cuDNN's limits, from ``jax.experimental.rnn``: float32 only, no ``jax.vmap`` (no batching
rule: use ``RunOptions(cudnn="off")`` under ``vmap``), reverse mode only (its own backward
pass), and right padding (``lengths``), which seqjax's layout already is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import jax
import jax.numpy as jnp
from jax.experimental import rnn

from seqjax.core.cell import Cell, FusedParams
from seqjax.core.lengths import reverse_within_lengths
from seqjax.core.lstm import LSTMCell, LSTMState
from seqjax.core.run_options import RunOptions

CudnnLstm = Callable[..., tuple[jax.Array, jax.Array, jax.Array]]


def to_cudnn_weights(params: FusedParams) -> jax.Array:
    """cuDNN's flat weights ``[4H·input + 4H·H + 8H]`` of one LSTM layer from seqjax's ``FusedParams``."""
    hidden = params.recurrent_kernel.shape[0]
    parts = (params.input_kernel.T, params.recurrent_kernel.T, params.bias, jnp.zeros((4 * hidden,), params.bias.dtype))
    return jnp.concatenate([part.reshape(-1) for part in parts])


def from_cudnn_weights(weights: jax.Array, input_size: int, hidden_size: int) -> FusedParams:
    """seqjax's ``FusedParams`` of one LSTM layer from cuDNN's (or PyTorch's, packed in the same
    order) flat weights; the two biases are summed."""
    expected = rnn.get_num_params_in_lstm(input_size, hidden_size, 1, False)
    if weights.shape != (expected,):
        raise ValueError(
            f"weights: expected shape ({expected},) for input size {input_size} and hidden size {hidden_size}, "
            f"received shape {weights.shape}"
        )
    w_ih, w_hh, b_ih, b_hh = (part[0] for part in rnn.unpack_lstm_weights(weights, input_size, hidden_size, 1, False))
    return FusedParams(input_kernel=w_ih.T, recurrent_kernel=w_hh.T, bias=b_ih + b_hh)


def cudnn_fallback_reason(cell: Cell, options: RunOptions, dtypes: Iterable[jnp.dtype]) -> str | None:
    """Why ``core.run`` would not run ``cell`` through cuDNN with ``options`` on arrays (inputs and
    parameters) of ``dtypes`` on the default device (``None``: it would)."""
    if options.cudnn == "off":
        return "RunOptions(cudnn='off')"
    if not isinstance(cell, LSTMCell):
        return f"cuDNN runs LSTMCell only, not {type(cell).__name__}"
    if jax.default_backend() != "gpu" or rnn.gpu_rnn is None:
        return f"no CUDA device with cuDNN RNN kernels (default backend: {jax.default_backend()})"
    dtypes = {jnp.dtype(dtype) for dtype in dtypes}
    if dtypes != {jnp.dtype(jnp.float32)}:
        return f"cuDNN's LSTM in JAX is float32 only (received {sorted(str(d) for d in dtypes)})"
    if options.clip_carry_gradient is not None:
        return "clip_carry_gradient needs seqjax's own backward pass"
    if options.backward == "autodiff" or options.remat:
        return "backward='autodiff' or remat asks for JAX's differentiation of the scan"
    return None


def run_cudnn_lstm(
    params: FusedParams,
    inputs: jax.Array,
    initial_carry: LSTMState,
    lengths: jax.Array | None,
    reverse: bool,
    lstm: CudnnLstm = rnn.lstm,
) -> tuple[jax.Array, LSTMState]:
    """``(outputs [batch, time, hidden], final LSTMState)`` of one LSTM layer by ``lstm``
    (cuDNN; tests pass ``jax.experimental.rnn.lstm_ref`` behind the same signature), with
    ``core.run``'s semantics of ``lengths`` (a sequence of length 0 keeps its initial carry)
    and of ``reverse`` (each sequence read from its own last real step)."""
    batch, time, input_size = inputs.shape
    hidden_size = params.recurrent_kernel.shape[0]
    sequence_lengths = jnp.full((batch,), time, jnp.int32) if lengths is None else jnp.asarray(lengths, jnp.int32)
    if reverse:
        inputs = reverse_within_lengths(inputs, lengths)
    # positional: jax.experimental.rnn.lstm's sizes are custom_vjp's non-differentiable arguments
    outputs, hidden, cell = lstm(
        inputs, initial_carry.hidden[None], initial_carry.cell[None], to_cudnn_weights(params), sequence_lengths,
        input_size, hidden_size, 1, 0.0, False,
    )
    if reverse:
        outputs = reverse_within_lengths(outputs, lengths)
    empty = (sequence_lengths == 0)[:, None]
    final = LSTMState(
        hidden=jnp.where(empty, initial_carry.hidden, hidden[0]), cell=jnp.where(empty, initial_carry.cell, cell[0])
    )
    return outputs, final
