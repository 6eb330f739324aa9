"""What a benchmark measures: one recurrent layer configuration, and the weights all peers share."""

from __future__ import annotations

import dataclasses
from typing import Literal, NamedTuple

import numpy as np

from seqjax.bench.options import CELLS, MODES
from seqjax.core import bad_argument

Mode = Literal["forward", "train", "step"]
"""``forward``: outputs only. ``train``: forward + backward (gradients of the parameters and
the inputs). ``step``: forward + backward + an Adam update of the parameters."""



@dataclasses.dataclass(frozen=True)
class BenchConfig:
    """One layer ``cell`` over ``[batch, time, input]`` inputs with ``hidden`` units, in ``mode``."""

    cell: Literal["lstm", "gru"] = "lstm"
    batch: int = 32
    time: int = 256
    input: int = 128
    hidden: int = 256
    mode: Mode = "train"
    dtype: Literal["float32", "bfloat16"] = "float32"
    layers: int = 1
    bidirectional: bool = False

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise bad_argument("cell", f"one of {CELLS}", repr(self.cell))
        if self.mode not in MODES:
            raise bad_argument("mode", f"one of {MODES}", repr(self.mode))
        for name in ("batch", "time", "input", "hidden", "layers"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise bad_argument(name, "a positive int", repr(value))

    @property
    def gates(self) -> int:
        return 4 if self.cell == "lstm" else 3

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def layer_input(self, layer: int) -> int:
        """Features into ``layer``: the inputs for the first, the layer below's outputs after."""
        return self.input if layer == 0 else self.directions * self.hidden

    @property
    def tokens(self) -> int:
        """Sequence elements processed per call: ``batch * time``."""
        return self.batch * self.time

    @property
    def flops(self) -> float:
        """Matrix-product FLOPs per call: ``2 G H (I + H)`` a token, layer and direction forward
        (``I`` the layer's input width), three times that with the backward pass (the products
        for the input, the recurrent and the weight gradients)."""
        per_token = sum(
            2.0 * self.gates * self.hidden * (self.layer_input(layer) + self.hidden) * self.directions
            for layer in range(self.layers)
        )
        forward = per_token * self.tokens
        return forward if self.mode == "forward" else 3.0 * forward

    @property
    def label(self) -> str:
        stack = (f" x{self.layers}" if self.layers > 1 else "") + (" bidirectional" if self.bidirectional else "")
        return f"{self.cell}{stack} b{self.batch} t{self.time} i{self.input} h{self.hidden} {self.mode} {self.dtype}"


class CellWeights(NamedTuple):
    """One layer and direction in seqjax's layout: ``input_kernel [layer input, G*H]``,
    ``recurrent_kernel [H, G*H]``, ``bias [G*H]`` (gate order i, f, g, o for LSTM; r, u, g
    for GRU, in the reset-after form with ``b_hg = 0``, the function of PyTorch, Flax and
    Equinox)."""

    input_kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray


class SharedWeights(NamedTuple):
    """The weights every implementation builds its own from.

    ``cells[layer][direction]`` (direction 0 reads left to right, 1 right to left);
    ``inputs [batch, time, input]`` and the output cotangent of the backward pass
    ``cotangent [batch, time, directions * hidden]``.
    """

    cells: tuple[tuple[CellWeights, ...], ...]
    inputs: np.ndarray
    cotangent: np.ndarray


def shared_weights(config: BenchConfig, seed: int = 0) -> SharedWeights:
    """Random weights with the scale of a LeCun / orthogonal initialisation."""
    rng = np.random.default_rng(seed)
    width = config.gates * config.hidden

    def normal(shape: tuple[int, ...], scale: float) -> np.ndarray:
        return (scale * rng.standard_normal(shape)).astype(np.float32)

    cells = tuple(
        tuple(
            CellWeights(
                input_kernel=normal((config.layer_input(layer), width), config.layer_input(layer) ** -0.5),
                recurrent_kernel=normal((config.hidden, width), config.hidden**-0.5),
                bias=normal((width,), 0.1),
            )
            for _ in range(config.directions)
        )
        for layer in range(config.layers)
    )
    return SharedWeights(
        cells=cells,
        inputs=normal((config.batch, config.time, config.input), 1.0),
        cotangent=normal((config.batch, config.time, config.directions * config.hidden), 1.0),
    )
