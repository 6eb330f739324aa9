"""seqjax.nn: Flax linen modules wrapping the pure-JAX core."""

from seqjax.nn.bidirectional import Bidirectional
from seqjax.nn.recurrent import GRU, LSTM, RecurrentLayer, SimpleRNN
from seqjax.nn.stacked import Stacked, stack

__all__ = ["GRU", "LSTM", "Bidirectional", "RecurrentLayer", "SimpleRNN", "Stacked", "stack"]
