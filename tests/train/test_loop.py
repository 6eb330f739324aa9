"""The training loop: determinism, metrics files, divergence guard, kill-and-resume, 1 vs 8 devices."""

from __future__ import annotations

import os
import dataclasses
import pathlib
import signal
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import train
from seqjax.train.plot import main as plot_main
from tests.train import tiny_task

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _run(tmp_path, steps=12, evaluate=None, **options):
    config = train.LoopConfig(steps=steps, progress=False, log_every=4, **options)
    return train.train(
        config, tiny_task.initial_state(), tiny_task.LOSS, tiny_task.batch_at, tmp_path, evaluate=evaluate
    )


def test_same_seed_same_numbers(tmp_path):
    first = tiny_task.flat_params(_run(tmp_path / "a"))
    second = tiny_task.flat_params(_run(tmp_path / "b"))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, tiny_task.flat_params(tiny_task.initial_state()))


def test_every_step_is_written_to_jsonl_and_tensorboard_and_can_be_plotted(tmp_path):
    def evaluate(params):
        return {"loss": tiny_task.loss_fn(params, tiny_task.batch_at(10_000), None, None)[0]}

    _run(tmp_path, steps=8, evaluate=evaluate, eval_every=4)
    records = train.read_metrics(tmp_path)
    steps = [r["step"] for r in records if r["split"] == "train" and "grad_norm" in r]
    assert steps == list(range(1, 9))
    evals = [r for r in train.read_metrics(tmp_path) if r["split"] == "eval"]
    assert [r["step"] for r in evals] == [4, 8] and all(r["loss"] > 0 for r in evals)
    assert any(r.get("tokens_per_s", 0) > 0 for r in train.read_metrics(tmp_path))
    assert list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))
    assert plot_main([str(tmp_path)]) == 0
    assert (tmp_path / "curves.png").stat().st_size > 10_000


def test_a_run_that_keeps_producing_nans_stops_with_the_step_the_norm_and_the_last_finite_loss(tmp_path):
    def poisoned(step):
        batch = tiny_task.batch_at(step)
        return dict(batch, x=batch["x"] * jnp.nan) if step >= 5 else batch

    config = train.LoopConfig(steps=50, progress=False, max_nonfinite_in_a_row=3)
    with pytest.raises(train.TrainingDiverged, match=r"step 8: 3 steps in a row .* gradient norm nan.*last finite loss was [0-9.]+ at step 5"):
        train.train(config, tiny_task.initial_state(), tiny_task.LOSS, poisoned, tmp_path)
    skipped = [r for r in train.read_metrics(tmp_path) if r["split"] == "train" and r.get("finite") == 0]
    assert [r["step"] for r in skipped] == [6, 7, 8]


def _script(run_dir, steps, checkpoint_every=None, env=None, processes=1):
    command = [sys.executable, "-m", "tests.train.tiny_task", str(run_dir), "--steps", str(steps)]
    if checkpoint_every:
        command += ["--checkpoint-every", str(checkpoint_every)]
    if processes > 1:
        command = [sys.executable, "-m", "seqjax.launch", "--local", str(processes), "--timeout", "240", "--", *command]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process) -> str:
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    return output


def test_a_run_killed_with_sigkill_and_resumed_ends_where_an_uninterrupted_run_ends(tmp_path):
    steps, every = 200, 20
    uninterrupted = _script(tmp_path / "whole", steps, every)
    _finish(uninterrupted)
    killed = _script(tmp_path / "killed", steps, every)
    latest = tmp_path / "killed" / "checkpoints" / "latest"
    deadline = time.monotonic() + 240
    while not (latest.exists() and any(p.name.isdigit() and int(p.name) >= 3 * every for p in latest.iterdir())):
        assert killed.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed.returncode == -signal.SIGKILL
    killed_at = max(int(p.name) for p in latest.iterdir() if p.name.isdigit())
    assert killed_at < steps
    output = _finish(_script(tmp_path / "killed", steps, every))
    assert "resumed from" in output
    whole = np.load(tmp_path / "whole" / "final_params.npz")["params"]
    resumed = np.load(tmp_path / "killed" / "final_params.npz")["params"]
    difference = float(np.max(np.abs(whole - resumed)))
    print(f"killed after checkpoint {killed_at}; max |difference| of the final parameters: {difference:.3g}")
    assert difference <= 1e-6


def test_eight_simulated_devices_and_two_processes_give_the_numbers_of_one(tmp_path):
    """train.fit with a carry: 8 simulated devices in one process, 2 processes (each given its
    rows of the global batch by fit) and 1 device."""
    flags = os.environ.get("XLA_FLAGS", "")
    eight = _script(tmp_path / "eight", 10, env={"XLA_FLAGS": f"{flags} --xla_force_host_platform_device_count=8"})
    two = _script(tmp_path / "two", 10, processes=2)
    one = _script(tmp_path / "one", 10)
    _finish(eight), _finish(two), _finish(one)
    runs = {name: np.load(tmp_path / name / "final_params.npz") for name in ("eight", "two", "one")}
    assert [(int(runs[n]["devices"]), int(runs[n]["processes"])) for n in runs] == [(8, 1), (2, 2), (1, 1)]
    for name in ("eight", "two"):
        difference = float(np.max(np.abs(runs[name]["params"] - runs["one"]["params"])))
        print(f"{name} vs one device, max |difference| of the parameters after 10 steps: {difference:.3g}")
        assert difference <= 1e-5
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(p.name for p in (tmp_path / "one").iterdir())


def test_a_batch_that_does_not_split_over_the_devices_is_refused():
    mesh = train.data_mesh(jax.devices()[:1])
    train.shard_batch({"x": jnp.zeros((3, 2))}, mesh)  # one device takes anything
    with pytest.raises(ValueError, match=r"batch\['x'\].*divisible by the 1 devices|rank"):
        train.shard_batch({"x": jnp.zeros(())}, mesh)


def test_bad_loop_options_are_refused():
    with pytest.raises(ValueError, match="checkpoint_every"):
        train.LoopConfig(steps=10, checkpoint_every=0)
    with pytest.raises(ValueError, match="compute_dtype"):
        train.LoopConfig(steps=10, compute_dtype="int8")


def test_stop_when_ends_training_at_the_first_evaluation_that_satisfies_it(tmp_path):
    evaluations = iter(range(100))

    def evaluate(params):
        return {"loss": 10.0 - next(evaluations)}  # 10, 9, 8, ... at steps 2, 4, 6, ...

    state = train.train(
        train.LoopConfig(steps=40, progress=False, eval_every=2), tiny_task.initial_state(), tiny_task.LOSS,
        tiny_task.batch_at, tmp_path, evaluate=evaluate, stop_when=lambda results: results["loss"] <= 7.0,
    )
    assert int(state.step) == 8
    assert [r["step"] for r in train.read_metrics(tmp_path) if r["split"] == "eval"] == [2, 4, 6, 8]


def test_best_state_is_the_state_at_the_best_evaluation(tmp_path):
    scores = iter([3.0, 1.0, 2.0])  # the evaluation at step 4 is the best ("min")

    def evaluate(params):
        return {"loss": next(scores)}

    config = train.LoopConfig(steps=6, progress=False, log_every=2, eval_every=2, checkpoint_every=2)
    final = train.train(config, tiny_task.initial_state(), tiny_task.LOSS, tiny_task.batch_at, tmp_path,
                        evaluate=evaluate)
    best = train.best_state(config, final, tmp_path)
    assert int(best.step) == 4 and int(final.step) == 6
    assert not np.array_equal(tiny_task.flat_params(best), tiny_task.flat_params(final))
    no_checkpoints = dataclasses.replace(config, checkpoint_every=None)
    assert train.best_state(no_checkpoints, final, tmp_path / "elsewhere") is final
