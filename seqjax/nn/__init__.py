"""seqjax.nn: Flax linen modules wrapping the pure-JAX core, and the registry of layers by name."""

from seqjax.nn.bidirectional import Bidirectional
from seqjax.nn.dense import Dense
from seqjax.nn.griffin import CausalConvolution, GriffinBlock, GriffinState, RMSNorm
from seqjax.nn.linear_recurrent import LRU, RGLRU, LinearRecurrentLayer, MinGRU, MinLSTM
from seqjax.nn.recurrent import GRU, LSTM, OrthogonalRNN, RecurrentLayer, SimpleRNN, SkipRNN
from seqjax.choices import CELL_NAMES, CellName
from seqjax.nn.registry import LAYERS, carry_from_hidden, recurrent_layer, zero_carries
from seqjax.nn.stacked import Stacked, stack

__all__ = [
    "CELL_NAMES", "GRU", "LAYERS", "LRU", "LSTM", "RGLRU", "Bidirectional", "CausalConvolution", "CellName", "Dense",
    "GriffinBlock", "GriffinState", "LinearRecurrentLayer", "MinGRU", "MinLSTM", "OrthogonalRNN", "RMSNorm",
    "RecurrentLayer", "SimpleRNN", "SkipRNN", "Stacked", "carry_from_hidden", "recurrent_layer", "stack",
    "zero_carries",
]
