"""How ``core.run`` computes a recurrence: one frozen, hashable dataclass of options.

The options choose *how* the outputs are computed (which scan, which backward pass, how
much is unrolled or recomputed), never *what* they are: every choice gives the same outputs
and gradients up to rounding, except ``clip_carry_gradient``, which clips the gradient on
purpose. What the run computes on (``inputs``, ``lengths``, ``initial_carry``) and in which
direction (``reverse``) are arguments of ``core.run`` itself.
"""

from __future__ import annotations

import dataclasses
from typing import Literal, get_args

from seqjax.errors import bad_argument

ScanName = Literal["auto", "sequential", "associative", "chunked"]
BackwardName = Literal["auto", "custom", "autodiff"]
SCANS: tuple[str, ...] = get_args(ScanName)
BACKWARDS: tuple[str, ...] = get_args(BackwardName)
CudnnChoice = Literal["auto", "off", "on"]
CUDNN_CHOICES: tuple[str, ...] = get_args(CudnnChoice)


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """Options of ``seqjax.core.run``.

    Attributes:
      scan: ``"sequential"`` runs ``jax.lax.scan`` one step at a time (every cell);
        ``"associative"`` runs a linear-recurrence cell (``h_t = a_t * h_{t-1} + b_t``:
        minGRU, minLSTM, LRU, RG-LRU) as one ``jax.lax.associative_scan``, depth ``log T``;
        ``"chunked"`` runs it sequentially over chunks of ``chunk_size`` steps and in
        parallel within each. ``"auto"`` (default): ``"sequential"`` on CPU, where it was
        measured fastest for every cell (BENCHMARKS.md), and ``"associative"`` on GPU/TPU for
        linear-recurrence cells (the others always run sequentially).
      chunk_size: steps per chunk of ``scan="chunked"``.
      backward: ``"custom"`` differentiates with seqjax's hand-written backward pass (for
        ``FusedCell`` cells: the cuDNN scheme of ``seqjax.core.custom_backward``; for linear
        recurrences: the reversed linear recurrence of ``seqjax.core.linear_recurrence``),
        reverse mode only; ``"autodiff"`` lets JAX differentiate the scan (forward mode
        too); ``"auto"`` (default): ``"custom"`` where the cell has one, else ``"autodiff"``.
      unroll: steps unrolled per loop iteration of a sequential scan (``jax.lax.scan``'s ``unroll``).
      remat: with ``backward="autodiff"`` and a sequential scan, recompute each step in the
        backward pass (``jax.checkpoint``) instead of storing its intermediates.
      hoist_projection: for step cells, apply ``V x + b`` to all steps in one matrix
        product before the loop (``True``) or inside each step (``False``); ``None`` hoists
        on GPU/TPU and not on CPU, where the projected buffer of all steps was measured to
        overflow the caches. Linear recurrences always project all steps at once.
      clip_carry_gradient: clip the gradient each step sends back to the carry before it,
        ``dL/dh_{t-1}``, to this L2 norm per example (``None``: no clipping; step cells and
        sequential scans only). See ``seqjax.core.gradient_clipping``.
      cudnn: for an ``LSTMCell``, ``"auto"`` (default) runs the layer through cuDNN
        (``jax.experimental.rnn.lstm``) on a CUDA device when nothing else asks for the scan
        (float32, no carry-gradient clipping, no ``backward="autodiff"`` or ``remat``; see
        ``seqjax.core.cudnn_fallback_reason``), ``"off"`` always runs the scan (needed under
        ``jax.vmap``, which cuDNN's LSTM does not support), ``"on"`` raises ``ValueError``
        with the reason when cuDNN cannot run the call (any cell but an ``LSTMCell``
        included). ``"auto"`` and ``"off"`` change nothing for other cells.
    """

    scan: ScanName = "auto"
    chunk_size: int = 64
    backward: BackwardName = "auto"
    unroll: int | bool = 1
    remat: bool = False
    hoist_projection: bool | None = None
    clip_carry_gradient: float | None = None
    cudnn: CudnnChoice = "auto"

    def __post_init__(self) -> None:
        if self.scan not in SCANS:
            raise bad_argument("scan", f"one of {SCANS}", repr(self.scan))
        if self.cudnn not in CUDNN_CHOICES:
            raise bad_argument("cudnn", f"one of {CUDNN_CHOICES}", repr(self.cudnn))
        if self.backward not in BACKWARDS:
            raise bad_argument("backward", f"one of {BACKWARDS}", repr(self.backward))
        if not isinstance(self.chunk_size, int) or isinstance(self.chunk_size, bool) or self.chunk_size < 1:
            raise bad_argument("chunk_size", "a positive int", repr(self.chunk_size))
        if self.clip_carry_gradient is not None and not self.clip_carry_gradient > 0:
            raise bad_argument("clip_carry_gradient", "a positive number or None", repr(self.clip_carry_gradient))
        if self.remat and self.backward == "custom":
            raise bad_argument("remat", "False with backward='custom' (it stores only the carries)", "True")
