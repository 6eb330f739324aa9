"""The one registry of recurrent layers by name: what ``--cell`` accepts everywhere.

Every name maps to a layer class called as ``Layer(hidden_size, **options)`` and then as
``layer(inputs [batch, time, input], lengths, initial_carry, *, reverse=False) -> (outputs
[batch, time, hidden_size], final carry)``, with ``zero_carry(batch)`` and
``carry_from_hidden(hidden)``. The language model, the task models, the experiments'
``--cell`` choices and the benchmark's cells are all read from ``LAYERS``; a new cell adds
its file, one entry here, its name in ``seqjax.choices.CELL_NAMES`` (which ``--help`` reads
without loading JAX; checked here on import) and its tests.
"""

from __future__ import annotations

from typing import Any

import flax.linen as linen
import jax

from seqjax.choices import CELL_NAMES
from seqjax.core import bad_argument
from seqjax.nn.griffin import GriffinBlock
from seqjax.nn.linear_recurrent import LRU, RGLRU, MinGRU, MinLSTM
from seqjax.nn.recurrent import GRU, LSTM, SimpleRNN

LAYERS: dict[str, type[linen.Module]] = {
    "lstm": LSTM,  # forget bias 1
    "gru": GRU,  # update bias 1
    "rnn": SimpleRNN,  # tanh
    "mingru": MinGRU,
    "minlstm": MinLSTM,
    "lru": LRU,
    "rglru": RGLRU,
    "griffin": GriffinBlock,  # RG-LRU residual block; its input width must be hidden_size
}
"""The one table of layers by name: ``LAYERS[name](hidden_size, **options)`` builds one (see
``recurrent_layer``). The language model, the task models, every experiment's ``--cell`` and the
benchmark of recurrences read their cells from here.

Examples:
    >>> from seqjax import nn
    >>> nn.LAYERS["gru"](32).hidden_size
    32
"""
if tuple(LAYERS) != CELL_NAMES:
    raise ImportError(f"seqjax.nn.LAYERS has {tuple(LAYERS)} but seqjax.choices.CELL_NAMES {CELL_NAMES}: "
                      "a new cell adds its name to both")


def recurrent_layer(cell: str, hidden_size: int, **module_options: Any) -> linen.Module:
    """The layer registered as ``cell``, of ``hidden_size`` units."""
    if cell not in LAYERS:
        raise bad_argument("cell", f"one of {CELL_NAMES}", repr(cell))
    return LAYERS[cell](hidden_size, **module_options)


def zero_carries(cell: str, hidden_size: int, batch: int, count: int) -> tuple[Any, ...]:
    """``count`` zero carries of the layers ``recurrent_layer(cell, hidden_size)`` builds, for ``batch`` sequences."""
    layer = recurrent_layer(cell, hidden_size, parent=None)
    return tuple(layer.zero_carry(batch) for _ in range(count))


def carry_from_hidden(cell: str, hidden: jax.Array) -> Any:
    """The carry of ``cell``'s layer whose hidden state is ``hidden [batch, hidden_size]`` (the
    rest zero, e.g. an LSTM's cell state), for starting a decoder from an encoder's summary."""
    return recurrent_layer(cell, hidden.shape[-1], parent=None).carry_from_hidden(hidden)
