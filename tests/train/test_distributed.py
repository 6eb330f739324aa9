"""Training over several processes: the options and their errors in-process, then real runs of
``seqjax train`` as 2 processes on 127.0.0.1 (JAX's runtime, gloo collectives), compared with
one process and with one process of 2 simulated devices, killed and resumed on another count.

Every subprocess is bounded in time and killed at the end of its test."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

from seqjax import data, launch
from seqjax import language_modeling as lm
from seqjax import train
from seqjax.core import ArgumentError
from seqjax.train import distributed

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUN = ["--preset", "tiny", "--dropout", "0.1", "--eval-every", "1000", "--no-progress"]
TIMEOUT_S = 240


# --- In-process: the options, the rows a process reads ------------------------------------

@pytest.mark.parametrize("fields,argument,fragment", [
    ({"coordinator": "10.0.0.1"}, "coordinator", "HOST:PORT"),
    ({"coordinator": "10.0.0.1:70000", "num_processes": 2, "process_id": 0}, "coordinator", "'10.0.0.1:70000'"),
    ({"coordinator": "h:1", "num_processes": 0, "process_id": 0}, "num_processes", "received 0"),
    ({"coordinator": "h:1", "num_processes": 2, "process_id": 2}, "process_id", "an int in [0, 2)"),
    ({"num_processes": 2}, "coordinator", "needed with num_processes"),
    ({"timeout_s": 0}, "timeout_s", "a positive int"),
])
def test_bad_distributed_options_name_the_option_and_what_it_takes(fields, argument, fragment):
    with pytest.raises(ArgumentError, match="expected") as raised:
        distributed.DistributedConfig(**fields)
    assert raised.value.argument == argument and fragment in str(raised.value)


def test_the_options_come_from_the_launchers_variables_unless_given(monkeypatch):
    monkeypatch.setenv(launch.COORDINATOR_VARIABLE, "127.0.0.1:1234")
    monkeypatch.setenv(launch.NUM_PROCESSES_VARIABLE, "3")
    monkeypatch.setenv(launch.PROCESS_ID_VARIABLE, "2")
    assert distributed.from_environment() == distributed.DistributedConfig("127.0.0.1:1234", 3, 2)
    assert distributed.from_environment(process_id=1, timeout_s=5) == distributed.DistributedConfig("127.0.0.1:1234", 3, 1, 5)
    monkeypatch.setenv(launch.PROCESS_ID_VARIABLE, "one")
    with pytest.raises(ArgumentError, match="SEQJAX_PROCESS_ID: expected a non-negative int, received 'one'"):
        distributed.from_environment()


def test_a_single_process_reads_every_row_and_joins_nothing():
    distributed.initialize_distributed(distributed.DistributedConfig())  # no coordinator: nothing to join
    assert jax.process_count() == 1 and train.is_main_process()
    devices = jax.device_count()
    assert train.process_rows(4 * devices) == slice(0, 4 * devices)
    batch = {"x": np.arange(4 * devices * 3).reshape(4 * devices, 3)}
    np.testing.assert_array_equal(train.local_rows(batch)["x"], batch["x"])
    assert train.agreed(1.5) == 1.5
    if devices > 1:
        with pytest.raises(ArgumentError, match="batch_size: expected a multiple of the"):
            train.process_rows(devices + 1)


def test_auto_without_a_cluster_says_what_to_give_instead(monkeypatch):
    for variable in [v for v in os.environ if v.startswith(("SLURM_", "OMPI_", "KUBERNETES_", "JAX_COORDINATOR"))]:
        monkeypatch.delenv(variable)
    with pytest.raises(distributed.DistributedError, match="found no cluster to join.*give --coordinator HOST:PORT"):
        distributed.initialize_distributed(distributed.DistributedConfig(coordinator="auto"))
    assert jax.process_count() == 1


def test_the_streams_a_process_serves_are_its_rows_of_the_whole_batch():
    ids = np.arange(103) % 17
    whole = data.StreamBatches(ids, 4, 7)
    halves = [data.StreamBatches(ids, 4, 7, rows=slice(0, 2)), data.StreamBatches(ids, 4, 7, rows=slice(2, 4))]
    for index in range(whole.chunks_per_epoch + 1):
        parts = [half.chunk(index) for half in halves]
        for name, array in whole.chunk(index).items():
            np.testing.assert_array_equal(np.concatenate([part[name] for part in parts]), array)
    with pytest.raises(data.DataError, match="rows: expected a non-empty slice of the 4 streams"):
        data.StreamBatches(ids, 4, 7, rows=slice(4, 6))


# --- Real processes -------------------------------------------------------------------------

def _environment(**variables: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **variables}


def _seqjax_train(run_dir: pathlib.Path, corpus: pathlib.Path, *options: str, processes: int = 1,
                  env: dict[str, str] | None = None) -> subprocess.Popen:
    """``seqjax train`` in ``processes`` processes (through ``python -m seqjax.launch``)."""
    command = [sys.executable, "-m", "seqjax", "train", *RUN, "--data", str(corpus), "--run-dir", str(run_dir), *options]
    if processes > 1:
        command = [sys.executable, "-m", "seqjax.launch", "--local", str(processes), "--timeout", str(TIMEOUT_S), "--", *command]
    return subprocess.Popen(command, cwd=ROOT, env=env or _environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _finish(process: subprocess.Popen) -> str:
    try:
        output, _ = process.communicate(timeout=TIMEOUT_S)
    finally:
        process.kill()
    assert process.returncode == 0, output
    return output


def _final_params(run_dir: pathlib.Path):
    return lm.load_trained(run_dir, "latest")[3]


def _max_difference(a, b) -> float:
    return max(jax.tree.leaves(jax.tree.map(lambda x, y: float(np.max(np.abs(np.asarray(x) - np.asarray(y)))), a, b)))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> pathlib.Path:
    text = pathlib.Path(ROOT.parent / "shared" / "data" / "tinyshakespeare.txt")
    path = tmp_path_factory.mktemp("corpus") / "shakespeare-20k.txt"
    if text.is_file():
        path.write_text(text.read_text()[:20_000])
    else:  # the tests need no real data: any text that repeats little will do
        path.write_text("".join(f"Line {i}: the {i % 7}th of {i * 31 % 97} words.\n" for i in range(600)))
    return path


def test_two_processes_train_what_one_process_trains_and_only_process_0_writes(tmp_path, corpus):
    """10 steps of a small LSTM language model with dropout, global batch 4: as 2 processes of
    one CPU device each, as 1 process, and as 1 process with 2 simulated devices."""
    steps = ["--steps", "10", "--checkpoint-every", "5", "--sample", "40"]
    two = _seqjax_train(tmp_path / "two", corpus, *steps, processes=2)
    one = _seqjax_train(tmp_path / "one", corpus, *steps)
    simulated = _seqjax_train(tmp_path / "simulated", corpus, *steps, env=_environment(
        XLA_FLAGS=f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count=2"))
    two_output, one_output, _ = _finish(two), _finish(one), _finish(simulated)
    assert "2 processes, 2 devices, coordinator 127.0.0.1:" in two_output
    reference = _final_params(tmp_path / "one")
    to_two, to_simulated = (_max_difference(reference, _final_params(tmp_path / run)) for run in ("two", "simulated"))
    print(f"max |difference| of the final parameters: 2 processes {to_two:.3g}, 2 simulated devices {to_simulated:.3g}")
    assert to_two <= 1e-6 and to_simulated <= 1e-6

    # Process 0 alone writes: the same records and files as one process, and one sample.
    records = [(r["step"], r["split"], sorted(r)) for r in train.read_metrics(tmp_path / "two")]
    assert records == [(r["step"], r["split"], sorted(r)) for r in train.read_metrics(tmp_path / "one")]
    assert len(list((tmp_path / "two" / "tensorboard").iterdir())) == 1
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(p.name for p in (tmp_path / "one").iterdir())
    for marker in ("tokens sampled from the best checkpoint", "validation: loss", "step 10: eval"):
        assert two_output.count(marker) == 1 == one_output.count(marker), (marker, two_output)
    assert two_output.split("primed with 'ROMEO:' ---")[1].strip().startswith("ROMEO:")


def _kill(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=TIMEOUT_S)


def _kill_after_a_checkpoint(runs: dict[pathlib.Path, list[subprocess.Popen]]) -> None:
    """SIGKILLs each run's processes (the last process first) once its first checkpoint is written."""
    deadline = time.monotonic() + TIMEOUT_S
    while runs:
        for run_dir, processes in list(runs.items()):
            latest = run_dir / "checkpoints" / "latest"
            if latest.is_dir() and any(p.name.isdigit() for p in latest.iterdir()):
                _kill(processes[::-1])  # process 0 would wait for a killed process 1 until its heartbeat timeout
                del runs[run_dir]
            else:
                assert all(p.poll() is None for p in processes), f"{run_dir} ended before its first checkpoint"
        assert time.monotonic() < deadline, "no checkpoint within the time limit"
        time.sleep(0.02)


def _killed_at(run_dir: pathlib.Path, steps: int) -> int:
    step = max(int(p.name) for p in (run_dir / "checkpoints" / "latest").iterdir() if p.name.isdigit())
    assert step < steps, "the run ended before it was killed"
    return step


def test_a_killed_run_resumes_on_another_number_of_processes_where_the_uninterrupted_run_ends(tmp_path, corpus):
    steps = 40
    options = ["--steps", str(steps), "--checkpoint-every", "10"]
    uninterrupted = _seqjax_train(tmp_path / "whole", corpus, *options)
    # Two processes started as a cluster's launcher would; one is killed after the first checkpoint.
    port = launch.free_port()
    pair = [
        subprocess.Popen([sys.executable, "-m", "seqjax", "train", *RUN, "--data", str(corpus), "--run-dir",
                          str(tmp_path / "two"), *options, "--coordinator", f"127.0.0.1:{port}",
                          "--num-processes", "2", "--process-id", str(i)],
                         cwd=ROOT, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for i in range(2)
    ]
    single = _seqjax_train(tmp_path / "one", corpus, *options)
    try:
        _kill_after_a_checkpoint({tmp_path / "two": pair, tmp_path / "one": [single]})
    finally:
        for process in [*pair, single]:
            process.kill()
    two_at, one_at = _killed_at(tmp_path / "two", steps), _killed_at(tmp_path / "one", steps)
    on_one = _seqjax_train(tmp_path / "two", corpus, *options)
    on_two = _seqjax_train(tmp_path / "one", corpus, *options, processes=2)
    outputs = [_finish(on_one), _finish(on_two), _finish(uninterrupted)]
    assert f"resumed from {tmp_path / 'two' / 'checkpoints' / 'latest' / str(two_at)}" in outputs[0]
    assert f"resumed from {tmp_path / 'one' / 'checkpoints' / 'latest' / str(one_at)}" in outputs[1]
    whole = _final_params(tmp_path / "whole")
    two_on_one, one_on_two = (_max_difference(whole, _final_params(tmp_path / run)) for run in ("two", "one"))
    print(f"2 processes killed after step {two_at}, resumed on 1: max |difference| {two_on_one:.3g}; "
          f"1 process killed after step {one_at}, resumed on 2: {one_on_two:.3g}")
    assert two_on_one <= 1e-6 and one_on_two <= 1e-6


def test_an_unreachable_coordinator_and_a_wrong_process_count_are_refused_before_training(tmp_path, corpus):
    port = launch.free_port()
    began = time.monotonic()
    unreachable = subprocess.run(
        [sys.executable, "-m", "seqjax", "train", *RUN, "--data", str(corpus), "--run-dir", str(tmp_path / "lost"),
         "--coordinator", f"127.0.0.1:{port}", "--num-processes", "2", "--process-id", "1", "--distributed-timeout", "2"],
        cwd=ROOT, env=_environment(), capture_output=True, text=True, timeout=60)
    assert unreachable.returncode == 2, unreachable.stderr
    assert f"could not reach the coordinator at 127.0.0.1:{port} within 2 s" in unreachable.stderr
    assert time.monotonic() - began < 60 and not (tmp_path / "lost").exists()

    # A batch of 5 rows cannot be split over 2 processes: refused by each, nothing written.
    uneven = _seqjax_train(tmp_path / "uneven", corpus, "--batch-size", "5", processes=2)
    output, _ = uneven.communicate(timeout=TIMEOUT_S)
    assert uneven.returncode == 2 and "--batch-size: expected a multiple of the 2 devices of the 2 processes" in output
    assert not (tmp_path / "uneven").exists()

    # A process told of 3 processes, in a run of 2: both refuse.
    port = launch.free_port()
    processes = [
        subprocess.Popen([sys.executable, "-m", "seqjax", "train", *RUN, "--data", str(corpus), "--run-dir",
                          str(tmp_path / "mismatch"), "--coordinator", f"127.0.0.1:{port}", "--num-processes", str(n),
                          "--process-id", str(i)], cwd=ROOT, env=_environment(), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
        for i, n in ((0, 2), (1, 3))
    ]
    try:
        outputs = [process.communicate(timeout=TIMEOUT_S)[0] for process in processes]
    finally:
        _kill(processes)
    for process, output in zip(processes, outputs):
        assert process.returncode == 2, output
        assert "num_processes: the processes were started with 2, 3 (in process order), but 2 processes" in output
    assert not (tmp_path / "mismatch").exists()
