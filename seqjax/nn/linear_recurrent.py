"""Flax layers of the linear-recurrence cells: minGRU, minLSTM, LRU, RG-LRU.

``seqjax.core.run`` runs them as one parallel scan over time by default
(``options=core.RunOptions(scan="chunked" | "sequential")`` for the others).
"""

from __future__ import annotations

import math
from typing import Any

from seqjax import core
from seqjax.nn.recurrent import RecurrentLayer


class LinearRecurrentLayer(RecurrentLayer):
    """A ``RecurrentLayer`` whose cell has no recurrent matrix (``recurrent_init`` is not used)."""

    def cell_init_options(self) -> dict[str, Any]:
        return {"input_init": self.input_init}


class MinGRU(LinearRecurrentLayer):
    """minGRU layer (``seqjax.core.MinGRUCell``); carry ``[batch, hidden]``.

    Attributes:
      update_bias: initial bias of the gate that keeps the state (1.0).
      log_space: the paper's log-space form (a positive candidate).
    """

    update_bias: float = 1.0
    log_space: bool = False

    def make_cell(self) -> core.MinGRUCell:
        return core.MinGRUCell(log_space=self.log_space)

    def cell_init_options(self) -> dict[str, Any]:
        return {**super().cell_init_options(), "update_bias": self.update_bias}


class MinLSTM(LinearRecurrentLayer):
    """minLSTM layer (``seqjax.core.MinLSTMCell``); carry ``[batch, hidden]``.

    Attributes:
      forget_bias: initial bias of the forget gate (1.0).
      log_space: the paper's log-space form (a positive candidate).
    """

    forget_bias: float = 1.0
    log_space: bool = False

    def make_cell(self) -> core.MinLSTMCell:
        return core.MinLSTMCell(log_space=self.log_space)

    def cell_init_options(self) -> dict[str, Any]:
        return {**super().cell_init_options(), "forget_bias": self.forget_bias}


class LRU(LinearRecurrentLayer):
    """Linear Recurrent Unit layer (``seqjax.core.LRUCell``); carry: the complex state ``[batch, hidden]``.

    Attributes:
      r_min, r_max: the ring the eigenvalues' moduli start on (0.9, 0.999).
      max_phase: their phases start uniform in ``[0, max_phase]`` (π / 10).
    """

    r_min: float = 0.9
    r_max: float = 0.999
    max_phase: float = math.pi / 10

    def make_cell(self) -> core.LRUCell:
        return core.LRUCell()

    def cell_init_options(self) -> dict[str, Any]:
        return {**super().cell_init_options(), "r_min": self.r_min, "r_max": self.r_max, "max_phase": self.max_phase}


class RGLRU(LinearRecurrentLayer):
    """Griffin's Real-Gated Linear Recurrent Unit (``seqjax.core.RGLRUCell``); carry ``[batch, hidden]``.

    Attributes:
      min_decay, max_decay: ``a ** c`` starts uniform in this range (0.9, 0.999).
    """

    min_decay: float = 0.9
    max_decay: float = 0.999

    def make_cell(self) -> core.RGLRUCell:
        return core.RGLRUCell()

    def cell_init_options(self) -> dict[str, Any]:
        return {**super().cell_init_options(), "min_decay": self.min_decay, "max_decay": self.max_decay}
