"""Training over several processes with JAX's multi-controller runtime (``jax.distributed``).

Every process runs the same program; ``initialize_distributed`` joins them (process 0 hosts the
coordinator), after which ``jax.devices()`` lists every process's devices and a ``jax.jit``
computation over arrays spread on them runs on all at once, its collectives by gloo on CPU
(JAX's default), NCCL on GPU. What each process does differently is small and lives here:
which rows of a global batch it reads (``process_rows``), whether it writes files
(``is_main_process``), and values that must agree everywhere (``agreed``).

    config = DistributedConfig(coordinator="10.0.0.1:8476", num_processes=2, process_id=0)
    initialize_distributed(config)           # before any other JAX call

``DistributedConfig(coordinator="auto")`` lets ``jax.distributed.initialize`` read SLURM's,
Open MPI's, Kubernetes' or a Cloud TPU pod's environment. ``python -m seqjax.launch --local N``
starts N processes on this machine with the environment variables ``from_environment`` reads.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
from typing import Any

import jax
import numpy as np
from jax.experimental import multihost_utils

from seqjax.errors import bad_argument
from seqjax.launch import COORDINATOR_VARIABLE, NUM_PROCESSES_VARIABLE, PROCESS_ID_VARIABLE

AUTO = "auto"


class DistributedError(RuntimeError):
    """The processes of a run could not be joined, or they disagree on the run."""


@dataclasses.dataclass(frozen=True)
class DistributedConfig:
    """How this process joins a multi-process run.

    Attributes:
      coordinator: ``HOST:PORT`` of process 0, which listens there; ``"auto"``: found by
        ``jax.distributed.initialize`` from the cluster's environment (SLURM, Open MPI,
        Kubernetes, Cloud TPU); None: a single process (the other fields unused).
      num_processes: the processes of the run (None with ``"auto"``).
      process_id: this process, in ``[0, num_processes)`` (None with ``"auto"``).
      timeout_s: how long to wait for the coordinator and the other processes.
    """

    coordinator: str | None = None
    num_processes: int | None = None
    process_id: int | None = None
    timeout_s: int = 300

    def __post_init__(self) -> None:
        if not (isinstance(self.timeout_s, int) and self.timeout_s >= 1):
            raise bad_argument("timeout_s", "a positive int (seconds)", repr(self.timeout_s))
        if self.coordinator in (None, AUTO):
            for name in ("num_processes", "process_id"):
                if getattr(self, name) is not None and self.coordinator is None:
                    raise bad_argument("coordinator", f"HOST:PORT of process 0 (needed with {name})", "none")
            return
        host, _, port = self.coordinator.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise bad_argument("coordinator", "HOST:PORT (e.g. 10.0.0.1:8476) or 'auto'", repr(self.coordinator))
        if not (isinstance(self.num_processes, int) and self.num_processes >= 1):
            raise bad_argument("num_processes", "a positive int", repr(self.num_processes))
        if not (isinstance(self.process_id, int) and 0 <= self.process_id < self.num_processes):
            raise bad_argument("process_id", f"an int in [0, {self.num_processes}) (num_processes {self.num_processes})",
                               repr(self.process_id))

    @property
    def address(self) -> tuple[str, int]:
        host, _, port = self.coordinator.rpartition(":")
        return host.strip("[]"), int(port)


def from_environment(**given: object) -> DistributedConfig:
    """A ``DistributedConfig`` of the fields in ``given`` that are not None, the others from
    ``$SEQJAX_COORDINATOR``, ``$SEQJAX_NUM_PROCESSES`` and ``$SEQJAX_PROCESS_ID`` (what
    ``python -m seqjax.launch`` sets)."""
    variables = {"coordinator": COORDINATOR_VARIABLE, "num_processes": NUM_PROCESSES_VARIABLE,
                 "process_id": PROCESS_ID_VARIABLE}
    fields = {name: value for name, value in given.items() if value is not None}
    for name, variable in variables.items():
        if name not in fields and (value := os.environ.get(variable)):
            if name != "coordinator" and not value.isdigit():
                raise bad_argument(variable, "a non-negative int", repr(value))
            fields[name] = value if name == "coordinator" else int(value)
    return DistributedConfig(**fields)


def _wait_for_coordinator(config: DistributedConfig) -> None:
    """Returns once ``config.coordinator`` accepts a TCP connection; raises ``DistributedError``
    after ``timeout_s``. (JAX's client, failing to connect, aborts the process with a native
    stack trace and no Python exception; this check names the address instead.)"""
    deadline = time.monotonic() + config.timeout_s
    while True:
        try:
            with socket.create_connection(config.address, timeout=1.0):
                return
        except OSError as error:
            if time.monotonic() >= deadline:
                raise DistributedError(
                    f"process {config.process_id} could not reach the coordinator at {config.coordinator} "
                    f"within {config.timeout_s} s ({error.strerror or error}): is process 0 running, and is "
                    "that its address and port?"
                ) from None
            time.sleep(0.2)


def _check_coordinator_port_is_free(config: DistributedConfig) -> None:
    """Process 0 listens on every interface at the coordinator's port: refuses a taken port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("", config.address[1]))
        except OSError as error:
            raise DistributedError(
                f"process 0 cannot listen on port {config.address[1]} for the coordinator "
                f"{config.coordinator}: {error.strerror or error}; choose another port"
            ) from None


def initialize_distributed(config: DistributedConfig) -> None:
    """Joins this process to the run ``config`` describes (nothing for a single process).
    Call it before any other JAX call. Raises ``DistributedError`` when the coordinator cannot
    be reached in time, or when the processes that joined are not ``num_processes``."""
    if config.coordinator is None or (config.coordinator != AUTO and config.num_processes == 1):
        return
    if config.coordinator == AUTO:
        try:
            jax.distributed.initialize(initialization_timeout=config.timeout_s)
        except (ValueError, RuntimeError) as error:
            raise DistributedError(
                f"coordinator 'auto': JAX found no cluster to join in this process's environment (SLURM, Open MPI, "
                f"Kubernetes, Cloud TPU): {error}; give --coordinator HOST:PORT, --num-processes and --process-id"
            ) from None
        return
    if config.process_id == 0:
        _check_coordinator_port_is_free(config)
    else:
        _wait_for_coordinator(config)
    jax.distributed.initialize(config.coordinator, config.num_processes, config.process_id,
                               initialization_timeout=config.timeout_s)
    told = [int(n) for n in multihost_utils.process_allgather(np.int32(config.num_processes))]
    if any(n != jax.process_count() for n in told):  # every process sees it, and every one stops
        raise DistributedError(
            f"num_processes: the processes were started with {', '.join(map(str, told))} (in process order), "
            f"but {jax.process_count()} processes form the run of the coordinator {config.coordinator}; give "
            "every process the same number"
        )


def is_main_process() -> bool:
    """True in process 0, the one that writes metrics, logs and other files of a run."""
    return jax.process_index() == 0


def process_rows(global_batch: int) -> slice:
    """The rows ``[batch]`` of a global batch that this process reads: the ``process_index``-th
    of ``process_count`` equal contiguous blocks. Raises ``ArgumentError`` unless the batch
    divides evenly over every device of the run."""
    processes, devices = jax.process_count(), jax.device_count()
    if global_batch % devices:
        raise bad_argument("batch_size", f"a multiple of the {devices} devices of the {processes} processes of the run",
                           repr(global_batch))
    rows = global_batch // processes
    return slice(jax.process_index() * rows, (jax.process_index() + 1) * rows)


def local_rows(batch: Any) -> Any:
    """This process's rows (``process_rows``) of every array ``[batch, ...]`` of a global batch."""
    rows = process_rows(np.shape(jax.tree.leaves(batch)[0])[0])
    return jax.tree.map(lambda leaf: leaf[rows], batch)


def barrier(name: str) -> None:
    """Returns once every process has reached the barrier ``name`` (at once with one process):
    e.g. after process 0 has cleared a directory that the others will write into."""
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices(name)


def agreed(value: float) -> float:
    """``value`` as process 0 has it, in every process (one tiny collective; itself with one
    process). For decisions that must be the same everywhere, such as a time limit."""
    if jax.process_count() == 1:
        return value
    return float(multihost_utils.broadcast_one_to_all(np.float64(value)))
