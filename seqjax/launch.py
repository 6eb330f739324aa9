"""Starts the processes of a multi-process run on this machine: ``python -m seqjax.launch``.

    python -m seqjax.launch --local 2 -- seqjax train --preset tiny --run-dir runs/two

runs the command after ``--`` N times, with ``$SEQJAX_COORDINATOR`` (a free port on
127.0.0.1), ``$SEQJAX_NUM_PROCESSES`` and ``$SEQJAX_PROCESS_ID`` set, which ``seqjax train``
(``seqjax.train.distributed.from_environment``) reads. It waits for all of them; when one
fails, it stops the others (SIGTERM, then SIGKILL after ``--grace`` seconds) and exits with
the failed one's status, so that no process is left waiting for a peer that is gone. With
``--timeout`` it stops them all after that many seconds (exit status 124).

For testing on one machine, and for CPU users with many cores (give each process its share:
``XLA_FLAGS=--xla_force_host_platform_device_count=K`` for K devices per process). On a
cluster, its own launcher starts the processes (``srun``, a Kubernetes job): see "More than one
machine" in docs/train.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

LOOPBACK = "127.0.0.1"
# What each process is told (light on purpose: no JAX here, the launcher starts in a blink).
COORDINATOR_VARIABLE = "SEQJAX_COORDINATOR"
NUM_PROCESSES_VARIABLE = "SEQJAX_NUM_PROCESSES"
PROCESS_ID_VARIABLE = "SEQJAX_PROCESS_ID"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _stop(processes: list[subprocess.Popen], grace_s: float) -> None:
    """SIGTERM to every process still running, SIGKILL to those alive after ``grace_s``."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def launch_local(command: list[str], processes: int, *, timeout_s: float | None = None, grace_s: float = 10.0,
                 port: int | None = None) -> int:
    """Runs ``command`` as ``processes`` processes of one run (see the module docstring) and
    returns the exit status: 0 when all succeed, else the first failure's (124 on timeout)."""
    if processes < 1:
        raise ValueError(f"processes: expected a positive int, got {processes}")
    if not command:
        raise ValueError("command: expected the command to run after '--', got none")
    coordinator = f"{LOOPBACK}:{port or free_port()}"
    started = []
    try:
        for process_id in range(processes):
            environment = {**os.environ, COORDINATOR_VARIABLE: coordinator,
                           NUM_PROCESSES_VARIABLE: str(processes), PROCESS_ID_VARIABLE: str(process_id)}
            started.append(subprocess.Popen(command, env=environment))
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            statuses = [process.poll() for process in started]
            failed = next((status for status in statuses if status not in (None, 0)), None)
            if failed is not None:
                return failed if failed > 0 else 128 - failed  # killed by signal N: 128 + N, as a shell says
            if all(status == 0 for status in statuses):
                return 0
            if deadline is not None and time.monotonic() >= deadline:
                print(f"seqjax.launch: stopped the {processes} processes after the --timeout of {timeout_s:g} s",
                      file=sys.stderr)
                return 124
            time.sleep(0.1)
    finally:
        _stop(started, grace_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m seqjax.launch", description=__doc__.split("\n\n")[0],
        usage="python -m seqjax.launch --local N [--timeout S] -- COMMAND ...",
    )
    parser.add_argument("--local", type=int, required=True, metavar="N", help="processes to start on this machine")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="stop them all after this long")
    parser.add_argument("--grace", type=float, default=10.0, metavar="SECONDS",
                        help="after a failure, how long the others get to stop before SIGKILL (default: %(default)s)")
    parser.add_argument("--port", type=int, help="the coordinator's port on 127.0.0.1 (default: a free one)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.local < 1:
        parser.error(f"--local: expected a positive number of processes, got {args.local}")
    if not command:
        parser.error("expected the command to run after --, e.g. -- seqjax train --preset tiny")
    return launch_local(command, args.local, timeout_s=args.timeout, grace_s=args.grace, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
