"""Data parallelism with ``jax.sharding``: the batch split over devices, parameters replicated.

The train step is an ordinary ``jax.jit`` function; placing its arguments is enough (the
computation follows the data): ``place_state`` puts the parameters and optimiser state on
every device of the mesh and splits the carried recurrent state along its batch axis,
``shard_batch`` splits each batch array along its leading (batch) axis. XLA inserts the
all-reduce of the gradient. On CPU, ``XLA_FLAGS=--xla_force_host_platform_device_count=8``
simulates 8 devices; with several processes (``seqjax.train.distributed``) the mesh spans
every process's devices and each process gives its own rows of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from seqjax.core import bad_argument

DATA_AXIS = "data"


def data_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A one-axis mesh named ``"data"`` over ``devices`` (default: every device of every process)."""
    return Mesh(np.asarray(jax.devices() if devices is None else devices), (DATA_AXIS,))


def _put(tree: Any, sharding: NamedSharding) -> Any:
    """``jax.device_put(tree, sharding)``; with several processes, from host copies (JAX puts
    only host values on devices of other processes; random keys go as their raw data)."""
    if jax.process_count() == 1:
        return jax.device_put(tree, sharding)

    def put(leaf: Any) -> Any:
        if isinstance(leaf, jax.Array) and jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
            return jax.random.wrap_key_data(put(jax.random.key_data(leaf)), impl=jax.random.key_impl(leaf))
        return jax.device_put(np.asarray(leaf), sharding)

    return jax.tree.map(put, tree)


def replicate(tree: Any, mesh: Mesh) -> Any:
    """``tree`` with a full copy of every array on each device of ``mesh`` (with several
    processes, every process must pass the same values)."""
    return _put(tree, NamedSharding(mesh, PartitionSpec()))


def _check_divisible(tree: Any, name: str, parts: int) -> None:
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        if np.ndim(leaf) == 0 or np.shape(leaf)[0] % parts:
            raise bad_argument(
                f"{name}{jax.tree_util.keystr(path)}",
                f"a leading (batch) axis divisible by the {parts} devices of the mesh",
                f"shape {np.shape(leaf)}",
            )


def shard_batch(batch: Any, mesh: Mesh) -> Any:
    """``batch`` (arrays ``[batch, ...]``) split along its leading axis over ``mesh``'s devices.

    With several processes (``jax.distributed``), ``batch`` is this process's rows and the
    result is the global batch made of all processes' rows, in process order.
    """
    sharding = NamedSharding(mesh, PartitionSpec(DATA_AXIS))
    if jax.process_count() > 1:
        _check_divisible(batch, "batch", len(mesh.local_devices))
        return jax.tree.map(lambda leaf: jax.make_array_from_process_local_data(sharding, np.asarray(leaf)), batch)
    _check_divisible(batch, "batch", mesh.devices.size)
    return jax.device_put(batch, sharding)


def place_state(state: Any, mesh: Mesh) -> Any:
    """A ``TrainState`` on ``mesh``: everything replicated but the carry, whose arrays
    (``[batch, ...]``, the same global values in every process) are split along the batch."""
    carry = state.carry
    placed = replicate(state.replace(carry=None), mesh)
    if carry is not None:
        _check_divisible(carry, "carry", mesh.devices.size)
        carry = _put(carry, NamedSharding(mesh, PartitionSpec(DATA_AXIS)))
    return placed.replace(carry=carry)


def to_host(tree: Any) -> Any:
    """``tree`` as numpy arrays holding the global values, in every process (arrays split over
    several processes are gathered: a collective, so every process must call it)."""
    if jax.process_count() == 1:
        return jax.device_get(tree)

    def gather(leaf: Any) -> Any:
        if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable and not leaf.is_fully_replicated:
            return np.asarray(multihost_utils.process_allgather(leaf, tiled=True))
        return jax.device_get(leaf)

    return jax.tree.map(gather, tree)
