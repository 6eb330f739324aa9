"""seqjax.core: pure-JAX recurrent cells, their initialisers and the scan runner (no Flax)."""

from seqjax.core import initializers
from seqjax.core.both_directions import run_both_directions
from seqjax.core.cell import Carry, Cell, FusedCell, FusedParams, LinearRecurrentCell, ProjectionParams, carry_from_hidden
from seqjax.core.cudnn_lstm import cudnn_fallback_reason, from_cudnn_weights, to_cudnn_weights
from seqjax.errors import ArgumentError, bad_argument
from seqjax.core.gru import GRUCell, ResetAfterGRUParams
from seqjax.core.lengths import real_steps
from seqjax.core.linear_recurrence import LINEAR_SCANS, linear_recurrence
from seqjax.core.lru import LRUCell, LRUParams
from seqjax.core.lstm import LSTMCell, LSTMState
from seqjax.core.min_gru import MinGRUCell
from seqjax.core.min_lstm import MinLSTMCell
from seqjax.core.orthogonal_rnn import OrthogonalRNNCell
from seqjax.core.parameters import count_parameters
from seqjax.core.rg_lru import RGLRUCell, RGLRUParams
from seqjax.core.run_options import RunOptions
from seqjax.core.scan import run
from seqjax.core.simple_rnn import SimpleRNNCell
from seqjax.core.skip_rnn import SkipRNNCell, SkipRNNParams, SkipRNNState

__all__ = [
    "LINEAR_SCANS",
    "Carry",
    "Cell",
    "FusedCell",
    "FusedParams",
    "GRUCell",
    "LRUCell",
    "LRUParams",
    "LSTMCell",
    "LSTMState",
    "LinearRecurrentCell",
    "MinGRUCell",
    "MinLSTMCell",
    "OrthogonalRNNCell",
    "ProjectionParams",
    "RGLRUCell",
    "RGLRUParams",
    "ResetAfterGRUParams",
    "RunOptions",
    "SimpleRNNCell",
    "SkipRNNCell",
    "SkipRNNParams",
    "SkipRNNState",
    "ArgumentError",
    "bad_argument",
    "carry_from_hidden",
    "count_parameters",
    "cudnn_fallback_reason",
    "from_cudnn_weights",
    "initializers",
    "linear_recurrence",
    "real_steps",
    "run",
    "run_both_directions",
    "to_cudnn_weights",
]
