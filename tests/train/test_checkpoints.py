"""Checkpoints: round trip, keep-last-K and best, refusal of corrupt or foreign checkpoints."""

from __future__ import annotations

import pathlib
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqjax import train
from tests.train import tiny_task


def _trained_state(steps: int = 3) -> train.TrainState:
    state = tiny_task.initial_state()
    step = train.make_train_step(tiny_task.LOSS)
    for s in range(steps):
        state, _ = step(state, tiny_task.batch_at(s), jax.random.fold_in(state.rng, s))
    return state


def _assert_states_equal(a: train.TrainState, b: train.TrainState) -> None:
    for name in ("step", "params", "opt_state", "carry", "nonfinite_in_a_row", "nonfinite_total"):
        for x, y in zip(jax.tree.leaves(getattr(a, name)), jax.tree.leaves(getattr(b, name))):
            np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(jax.random.key_data(a.rng), jax.random.key_data(b.rng))


def test_restore_gives_back_every_part_of_the_state_and_the_extra_information(tmp_path):
    state = _trained_state()
    checkpoints = train.Checkpoints(tmp_path)
    assert checkpoints.restore_latest(tiny_task.initial_state()) is None
    checkpoints.save(state, {"vocabulary": "abc"})
    restored, extra = train.Checkpoints(tmp_path).restore_latest(tiny_task.initial_state(seed=5))
    _assert_states_equal(restored, state)
    assert extra == {"vocabulary": "abc"}
    assert restored.optimizer is not None


def test_keeps_the_last_k_and_the_best_by_the_metric(tmp_path):
    state = tiny_task.initial_state()
    checkpoints = train.Checkpoints(tmp_path, train.CheckpointConfig(keep_last=2))
    for step, loss in [(1, 3.0), (2, 1.0), (3, 2.0), (4, 2.5)]:
        stepped = state.replace(step=jnp.int32(step))
        checkpoints.save(stepped)
        checkpoints.save_if_best(stepped, {"loss": loss})
    assert sorted(int(p.name) for p in (tmp_path / "latest").iterdir() if p.name.isdigit()) == [3, 4]
    assert checkpoints.latest_step() == 4 and checkpoints.best_step() == 2
    best, _ = checkpoints.restore_best(state)
    assert int(best.step) == 2
    assert checkpoints.latest_steps() == [3, 4]
    third, _ = checkpoints.restore_latest_step(3, state)
    assert int(third.step) == 3
    with pytest.raises(train.CheckpointError, match=r"no checkpoint of step 2 in latest/ \(kept in .*latest/ steps 3, 4"):
        checkpoints.restore_latest_step(2, state)


def test_a_checkpoint_of_another_model_is_refused_with_the_first_difference(tmp_path):
    train.Checkpoints(tmp_path).save(_trained_state(1))
    other = tiny_task.initial_state()
    other = other.replace(params=jax.tree.map(lambda p: jnp.zeros(p.shape + (1,)) if p.ndim == 1 else p, other.params))
    other = train.TrainState.create(other.params, other.optimizer, other.rng, other.carry)
    with pytest.raises(train.CheckpointError, match=r"of another model: .*\(\d+,\) float32"):
        train.Checkpoints(tmp_path).restore_latest(other)


def _largest_data_file(state_directory: pathlib.Path) -> pathlib.Path:
    """The largest array data file of a checkpoint item (orbax's merged OCDBT store, ``d/``)."""
    return max((state_directory / "d").iterdir(), key=lambda p: p.stat().st_size)


def test_a_corrupted_checkpoint_is_refused_not_loaded_in_part(tmp_path):
    state = _trained_state(1)
    train.Checkpoints(tmp_path).save(state)
    victim = _largest_data_file(tmp_path / "latest" / "1" / "state")
    data = bytearray(victim.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(255 - b for b in data[middle : middle + 16])
    victim.write_bytes(bytes(data))
    with pytest.raises(train.CheckpointError, match="checkpoint .*latest/1"):
        train.Checkpoints(tmp_path).restore_latest(tiny_task.initial_state())


def test_a_checkpoint_with_missing_files_is_refused(tmp_path):
    train.Checkpoints(tmp_path).save(_trained_state(1))
    _largest_data_file(tmp_path / "latest" / "1" / "state").unlink()
    with pytest.raises(train.CheckpointError, match="checkpoint .*latest/1"):
        train.Checkpoints(tmp_path).restore_latest(tiny_task.initial_state())


def test_arrays_that_do_not_match_their_digests_are_refused(tmp_path):
    """Readable arrays of the right shapes, but not the ones saved (a checkpoint's files mixed up)."""
    train.Checkpoints(tmp_path / "a").save(_trained_state(1))
    train.Checkpoints(tmp_path / "b").save(_trained_state(2).replace(step=jnp.int32(1)))
    shutil.rmtree(tmp_path / "a" / "latest" / "1" / "state")
    shutil.copytree(tmp_path / "b" / "latest" / "1" / "state", tmp_path / "a" / "latest" / "1" / "state")
    with pytest.raises(train.CheckpointError, match=r"latest/1 is damaged: state/\S+ does not match its recorded SHA-256"):
        train.Checkpoints(tmp_path / "a").restore_latest(tiny_task.initial_state())
    (tmp_path / "a" / "latest" / "1" / "files.sha256.json").unlink()  # without the files' record, the arrays' digests
    with pytest.raises(train.CheckpointError, match="corrupt: its arrays do not match their SHA-256 digests"):
        train.Checkpoints(tmp_path / "a").restore_latest(tiny_task.initial_state())


def _corrupt(state_directory: pathlib.Path) -> None:
    victim = _largest_data_file(state_directory)
    data = bytearray(victim.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(255 - b for b in data[middle : middle + 16])
    victim.write_bytes(bytes(data))


def test_a_corrupt_latest_checkpoint_falls_back_to_the_newest_readable_one_with_a_warning(tmp_path, capsys):
    checkpoints = train.Checkpoints(tmp_path)
    checkpoints.save(_trained_state(1))
    checkpoints.save(_trained_state(2))
    _corrupt(tmp_path / "latest" / "2" / "state")
    restored, _ = train.Checkpoints(tmp_path).restore_latest(tiny_task.initial_state())
    _assert_states_equal(restored, _trained_state(1))
    warning = capsys.readouterr().err
    assert "latest/2" in warning and "restoring the newest readable one, latest/1, instead" in warning


def test_when_no_kept_checkpoint_reads_the_short_message_lists_them_all(tmp_path):
    checkpoints = train.Checkpoints(tmp_path)
    for steps in (1, 2):
        checkpoints.save(_trained_state(steps))
        _corrupt(tmp_path / "latest" / str(steps) / "state")
    with pytest.raises(train.CheckpointError) as refused:
        train.Checkpoints(tmp_path).restore_latest(tiny_task.initial_state())
    message = str(refused.value)
    assert "no checkpoint in latest/ can be read" in message and "latest/ steps 1, 2; best/ step none" in message
    assert "Traceback" not in message and "Event loop" not in message and len(message) < 1500


def test_a_nonfinite_metric_never_becomes_the_best(tmp_path):
    checkpoints = train.Checkpoints(tmp_path)
    assert not checkpoints.save_if_best(tiny_task.initial_state(), {"loss": float("nan")})
    assert checkpoints.best_step() is None
    assert checkpoints.save_if_best(tiny_task.initial_state(), {"loss": 2.0})
