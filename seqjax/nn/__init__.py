"""seqjax.nn: Flax linen modules wrapping the pure-JAX core."""

from seqjax.nn.bidirectional import Bidirectional
from seqjax.nn.recurrent import GRU, LSTM, OrthogonalRNN, RecurrentLayer, SimpleRNN, SkipRNN
from seqjax.nn.stacked import Stacked, stack

__all__ = [
    "GRU", "LSTM", "Bidirectional", "OrthogonalRNN", "RecurrentLayer", "SimpleRNN", "SkipRNN", "Stacked", "stack",
]
