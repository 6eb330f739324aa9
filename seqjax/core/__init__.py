"""seqjax.core: pure-JAX recurrent cells, their initialisers and the scan runner (no Flax)."""

from seqjax.core import initializers
from seqjax.core.cell import Carry, Cell, FusedParams
from seqjax.core.errors import bad_argument
from seqjax.core.gru import GRUCell, ResetAfterGRUParams
from seqjax.core.lengths import real_steps
from seqjax.core.lstm import LSTMCell, LSTMState
from seqjax.core.orthogonal_rnn import OrthogonalRNNCell
from seqjax.core.parameters import count_parameters
from seqjax.core.scan import run
from seqjax.core.simple_rnn import SimpleRNNCell
from seqjax.core.skip_rnn import SkipRNNCell, SkipRNNParams, SkipRNNState

__all__ = [
    "Carry",
    "Cell",
    "FusedParams",
    "GRUCell",
    "LSTMCell",
    "LSTMState",
    "OrthogonalRNNCell",
    "ResetAfterGRUParams",
    "SimpleRNNCell",
    "SkipRNNCell",
    "SkipRNNParams",
    "SkipRNNState",
    "bad_argument",
    "count_parameters",
    "initializers",
    "real_steps",
    "run",
]
