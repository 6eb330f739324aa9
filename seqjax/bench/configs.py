"""What a benchmark measures: one recurrent layer configuration, and the weights all peers share."""

from __future__ import annotations

import dataclasses
from typing import Literal, NamedTuple

import numpy as np

from seqjax.core import bad_argument

Mode = Literal["forward", "train", "step"]
"""``forward``: outputs only. ``train``: forward + backward (gradients of the parameters and
the inputs). ``step``: forward + backward + an Adam update of the parameters."""

MODES: tuple[str, ...] = ("forward", "train", "step")
CELLS: tuple[str, ...] = ("lstm", "gru")


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

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise bad_argument("cell", f"one of {CELLS}", repr(self.cell))
        if self.mode not in MODES:
            raise bad_argument("mode", f"one of {MODES}", repr(self.mode))
        for name in ("batch", "time", "input", "hidden"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise bad_argument(name, "a positive int", repr(value))

    @property
    def gates(self) -> int:
        return 4 if self.cell == "lstm" else 3

    @property
    def tokens(self) -> int:
        """Sequence elements processed per call: ``batch * time``."""
        return self.batch * self.time

    @property
    def flops(self) -> float:
        """Matrix-product FLOPs per call: ``2 G H (I + H)`` a token forward, three times that with
        the backward pass (the products for the input, the recurrent and the weight gradients)."""
        forward = 2.0 * self.gates * self.hidden * (self.input + self.hidden) * self.tokens
        return forward if self.mode == "forward" else 3.0 * forward

    @property
    def label(self) -> str:
        return f"{self.cell} b{self.batch} t{self.time} i{self.input} h{self.hidden} {self.mode} {self.dtype}"


class SharedWeights(NamedTuple):
    """Weights in seqjax's layout, from which every implementation builds its own.

    ``input_kernel [input, G*H]``, ``recurrent_kernel [H, G*H]``, ``bias [G*H]`` (gate order
    i, f, g, o for LSTM; r, u, g for GRU, the reset-after form with ``b_hg = 0``, the
    function of PyTorch, Flax and Equinox); ``inputs [batch, time, input]`` and the output
    cotangent ``cotangent [batch, time, hidden]`` of the backward pass.
    """

    input_kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    inputs: np.ndarray
    cotangent: np.ndarray


def shared_weights(config: BenchConfig, seed: int = 0) -> SharedWeights:
    """Random weights with the scale of a LeCun / orthogonal initialisation."""
    rng = np.random.default_rng(seed)
    width = config.gates * config.hidden

    def normal(shape: tuple[int, ...], scale: float) -> np.ndarray:
        return (scale * rng.standard_normal(shape)).astype(np.float32)

    return SharedWeights(
        input_kernel=normal((config.input, width), config.input**-0.5),
        recurrent_kernel=normal((config.hidden, width), config.hidden**-0.5),
        bias=normal((width,), 0.1),
        inputs=normal((config.batch, config.time, config.input), 1.0),
        cotangent=normal((config.batch, config.time, config.hidden), 1.0),
    )
