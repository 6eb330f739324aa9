"""seqjax.train: optimisers, losses, the train step and loop, the experiments' skeleton (``fit``),
truncated BPTT, checkpoints, metrics, gradient diagnostics and data parallelism."""

from seqjax.train.checkpoints import CheckpointConfig, CheckpointError, Checkpoints
from seqjax.train.diagnostics import (
    gradient_norm_by_distance,
    hidden_gradient_norms,
    loss_gradient_norms,
    perturbed_step_losses,
    plot_gradient_norm_by_distance,
)
from seqjax.train.fit import Fitted, claim_run_dir, fit, split_seed, write_results
from seqjax.train.loop import LoopConfig, TrainingDiverged, best_state, train
from seqjax.train.losses import real_steps_mask, sequence_bernoulli_nll, sequence_cross_entropy
from seqjax.train.metrics import MetricsWriter, read_metrics
from seqjax.train.optimizers import (
    GlobalNormState,
    OptimizerConfig,
    global_norm_before_clipping,
    make_optimizer,
    record_global_norm,
    with_global_norm_clipping,
)
from seqjax.train.parallel import data_mesh, replicate, shard_batch
from seqjax.train.schedules import ProgressSchedule, WarmupCosine, scale_by_progress_schedule
from seqjax.train.state import TrainState
from seqjax.train.step import CarryingLoss, carrying, make_train_step
from seqjax.train.tbptt import reset_carry, run_in_chunks

__all__ = [
    "CarryingLoss",
    "CheckpointConfig",
    "CheckpointError",
    "Fitted",
    "Checkpoints",
    "GlobalNormState",
    "LoopConfig",
    "MetricsWriter",
    "OptimizerConfig",
    "ProgressSchedule",
    "TrainState",
    "TrainingDiverged",
    "WarmupCosine",
    "best_state",
    "carrying",
    "claim_run_dir",
    "data_mesh",
    "fit",
    "global_norm_before_clipping",
    "gradient_norm_by_distance",
    "hidden_gradient_norms",
    "loss_gradient_norms",
    "make_optimizer",
    "make_train_step",
    "perturbed_step_losses",
    "plot_gradient_norm_by_distance",
    "read_metrics",
    "real_steps_mask",
    "record_global_norm",
    "replicate",
    "reset_carry",
    "run_in_chunks",
    "scale_by_progress_schedule",
    "sequence_bernoulli_nll",
    "sequence_cross_entropy",
    "shard_batch",
    "split_seed",
    "train",
    "with_global_norm_clipping",
    "write_results",
]
