"""seqjax.train: optimisers, losses, the train step and loop, the experiments' skeleton (``fit``),
truncated BPTT, checkpoints, metrics, gradient diagnostics, data parallelism and training over
several processes."""

from seqjax.train.checkpoints import CheckpointConfig, CheckpointError, Checkpoints
from seqjax.train.diagnostics import (
    gradient_norm_by_distance,
    hidden_gradient_norms,
    loss_gradient_norms,
    perturbed_step_losses,
    plot_gradient_norm_by_distance,
)
from seqjax.train.distributed import (
    DistributedConfig,
    DistributedError,
    agreed,
    barrier,
    initialize_distributed,
    is_main_process,
    local_rows,
    process_rows,
)
from seqjax.train.fit import Fitted, claim_run_dir, fit, split_seed, write_results
from seqjax.train.loop import LoopConfig, TrainingDiverged, best_state, train
from seqjax.train.losses import real_steps_mask, sequence_bernoulli_nll, sequence_cross_entropy
from seqjax.train.metrics import MetricsWriter, NoMetrics, read_metrics
from seqjax.train.optimizers import (
    GlobalNormState,
    OptimizerConfig,
    global_norm_before_clipping,
    make_optimizer,
    record_global_norm,
    with_global_norm_clipping,
)
from seqjax.train.parallel import data_mesh, place_state, replicate, shard_batch, to_host
from seqjax.train.schedules import ProgressSchedule, WarmupCosine, scale_by_progress_schedule
from seqjax.train.state import TrainState
from seqjax.train.step import CarryingLoss, carrying, make_train_step
from seqjax.train.tbptt import reset_carry, run_in_chunks

__all__ = [
    "CarryingLoss",
    "CheckpointConfig",
    "CheckpointError",
    "Checkpoints",
    "DistributedConfig",
    "DistributedError",
    "Fitted",
    "GlobalNormState",
    "LoopConfig",
    "MetricsWriter",
    "NoMetrics",
    "OptimizerConfig",
    "ProgressSchedule",
    "TrainState",
    "TrainingDiverged",
    "WarmupCosine",
    "agreed",
    "barrier",
    "best_state",
    "carrying",
    "claim_run_dir",
    "data_mesh",
    "fit",
    "global_norm_before_clipping",
    "gradient_norm_by_distance",
    "hidden_gradient_norms",
    "initialize_distributed",
    "is_main_process",
    "local_rows",
    "loss_gradient_norms",
    "make_optimizer",
    "make_train_step",
    "perturbed_step_losses",
    "place_state",
    "plot_gradient_norm_by_distance",
    "process_rows",
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
    "to_host",
    "train",
    "with_global_norm_clipping",
    "write_results",
]
