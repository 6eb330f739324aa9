"""Data parallelism with ``jax.sharding``: the batch split over devices, parameters replicated.

The train step is an ordinary ``jax.jit`` function; placing its arguments is enough (the
computation follows the data): ``replicate`` puts the state on every device of the mesh,
``shard_batch`` splits each batch array along its leading (batch) axis. XLA inserts the
all-reduce of the gradient. On CPU, ``XLA_FLAGS=--xla_force_host_platform_device_count=8``
simulates 8 devices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from seqjax.core import bad_argument

DATA_AXIS = "data"


def data_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A one-axis mesh named ``"data"`` over ``devices`` (default: every device)."""
    return Mesh(np.asarray(jax.devices() if devices is None else devices), (DATA_AXIS,))


def replicate(tree: Any, mesh: Mesh) -> Any:
    """``tree`` with a full copy of every array on each device of ``mesh``."""
    return jax.device_put(tree, NamedSharding(mesh, PartitionSpec()))


def shard_batch(batch: Any, mesh: Mesh) -> Any:
    """``batch`` (arrays ``[batch, ...]``) split along its leading axis over ``mesh``'s devices.

    With several processes (``jax.distributed``), ``batch`` is this process's slice and the
    result is the global batch made of all processes' slices.
    """
    sharding = NamedSharding(mesh, PartitionSpec(DATA_AXIS))
    if jax.process_count() > 1:
        return jax.tree.map(lambda leaf: jax.make_array_from_process_local_data(sharding, np.asarray(leaf)), batch)
    devices = mesh.devices.size
    for path, leaf in jax.tree_util.tree_flatten_with_path(batch)[0]:
        if np.ndim(leaf) == 0 or np.shape(leaf)[0] % devices:
            raise bad_argument(
                f"batch{jax.tree_util.keystr(path)}",
                f"a leading (batch) axis divisible by the {devices} devices of the mesh",
                f"shape {np.shape(leaf)}",
            )
    return jax.device_put(batch, sharding)
