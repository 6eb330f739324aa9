"""The lab's recurrent encoders: one per claim of the course, the same width for all.

=================  =============================================================================
name               what it is
=================  =============================================================================
rnn_uniform        tanh RNN, ``W ~ U(-1/sqrt(H), 1/sqrt(H))`` (PyTorch's default; spectral radius ~0.58)
rnn_orthogonal     tanh RNN, orthogonal ``W`` at initialisation (seqjax's default)
irnn               ReLU RNN, ``W = I`` at initialisation (Le et al. 2015)
lstm_fb0           LSTM, forget-gate bias 0
lstm_fb1           LSTM, forget-gate bias 1 (Jozefowicz et al. 2015)
gru_ub0            GRU, update-gate bias 0
gru_ub1            GRU, update-gate bias 1 (starts by keeping its state)
skip_rnn           tanh RNN that also receives ``h_{t-10}`` (temporal skip connection)
orthogonal_rnn     tanh RNN with ``W = expm(A - Aᵀ)``, orthogonal through the whole training
orthogonal_relu    the same with ReLU: neither ``W`` nor the activation can amplify or saturate
mingru             minGRU (Feng et al. 2024): gates read ``x_t`` only, ``h_t = u h_{t-1} + (1 - u) g``
minlstm            minLSTM (Feng et al. 2024): normalised forget and input gates of ``x_t`` only
rglru              Griffin's RG-LRU (De et al. 2024): ``a_t = a^(8 r_t)``, ``a^8`` starts in [0.9, 0.999]
lru                the LRU (Orvieto et al. 2023) at its paper's long-range initialisation: ``|λ|`` in
                   [0.9, 0.999], phases in [0, π/10]
lru_phase_pi       the same with phases in [0, π]: eigenvalues all around the upper half circle
=================  =============================================================================

The LRU's gradient flow is measured at its complex state, through its readout
(``seqjax.train.loss_gradient_norms``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp

from experiments.gradient_lab.config import MODEL_NAMES
from seqjax import nn
from seqjax.core import initializers

SKIP = 10
pytorch_uniform: initializers.Initializer = jax.nn.initializers.variance_scaling(1 / 3, "fan_in", "uniform")
"""``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, PyTorch's default for ``nn.RNN``."""

ENCODERS: dict[str, Callable[[int], nn.RecurrentLayer]] = {
    "rnn_uniform": lambda hidden: nn.SimpleRNN(hidden, recurrent_init=pytorch_uniform),
    "rnn_orthogonal": lambda hidden: nn.SimpleRNN(hidden, recurrent_init=initializers.orthogonal),
    "irnn": lambda hidden: nn.SimpleRNN(hidden, activation=jax.nn.relu, recurrent_init=initializers.identity),
    "lstm_fb0": lambda hidden: nn.LSTM(hidden, forget_bias=0.0),
    "lstm_fb1": lambda hidden: nn.LSTM(hidden, forget_bias=1.0),
    "gru_ub0": lambda hidden: nn.GRU(hidden, update_bias=0.0),
    "gru_ub1": lambda hidden: nn.GRU(hidden, update_bias=1.0),
    "skip_rnn": lambda hidden: nn.SkipRNN(hidden, skip=SKIP, activation=jnp.tanh),
    "orthogonal_rnn": lambda hidden: nn.OrthogonalRNN(hidden, activation=jnp.tanh),
    "orthogonal_relu": lambda hidden: nn.OrthogonalRNN(hidden, activation=jax.nn.relu),
    "mingru": lambda hidden: nn.MinGRU(hidden),
    "minlstm": lambda hidden: nn.MinLSTM(hidden),
    "rglru": lambda hidden: nn.RGLRU(hidden),
    "lru": lambda hidden: nn.LRU(hidden),
    "lru_phase_pi": lambda hidden: nn.LRU(hidden, max_phase=math.pi),
}
if tuple(ENCODERS) != MODEL_NAMES:
    raise ImportError(f"models.ENCODERS has {tuple(ENCODERS)} but config.MODEL_NAMES {MODEL_NAMES}: "
                      "a new encoder adds its name to both")


def make_encoder(name: str, hidden_size: int) -> nn.RecurrentLayer:
    """The encoder called ``name`` (one of ``MODEL_NAMES``) with ``hidden_size`` units."""
    if name not in ENCODERS:
        raise ValueError(f"model: expected one of {list(ENCODERS)}, received {name!r}")
    return ENCODERS[name](hidden_size)
