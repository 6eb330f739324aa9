"""seqjax.train: optimisers with clipping and sequence losses."""

from seqjax.train.losses import real_steps_mask, sequence_cross_entropy
from seqjax.train.optimizers import (
    GlobalNormState,
    OptimizerConfig,
    global_norm_before_clipping,
    make_optimizer,
    record_global_norm,
    with_global_norm_clipping,
)

__all__ = [
    "GlobalNormState",
    "OptimizerConfig",
    "global_norm_before_clipping",
    "make_optimizer",
    "real_steps_mask",
    "record_global_norm",
    "sequence_cross_entropy",
    "with_global_norm_clipping",
]
