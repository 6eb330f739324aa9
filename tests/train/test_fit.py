"""The experiments' skeleton: ``fit`` returns the best state, resumes only a run with the same
options, and ``write_results`` writes the results with the config and the date."""

from __future__ import annotations

import dataclasses
import datetime
import json

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from seqjax import train


@dataclasses.dataclass(frozen=True)
class ToyConfig:
    epochs: int = 3
    learning_rate: float = 0.1
    run_dir: str = "runs/toy"


X = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
Y = X @ np.array([1.0, -2.0, 0.5], np.float32)


def _batch_at(step: int) -> dict:
    rows = (np.arange(4) + 4 * step) % 16
    return {"x": X[rows], "y": Y[rows]}


def _loss(params, batch, rng):
    del rng
    return jnp.mean(jnp.square(batch["x"] @ params["w"] - batch["y"]))


def _init(key):
    return {"w": jax.random.normal(key, (3,))}


def _fit(run_dir, config=ToyConfig(), evaluate=None, checkpoint_every=4, **options):
    loop = train.LoopConfig(steps=12, eval_every=4, checkpoint_every=checkpoint_every, progress=False,
                            checkpoints=train.CheckpointConfig(keep_last=1, best_metric="score", best_mode="max"))
    return train.fit(_init, _loss, _batch_at, run_dir, loop=loop, optimizer=optax.sgd(config.learning_rate),
                     seed=1, evaluate=evaluate, config=config, **options)


def test_fit_returns_the_state_its_evaluations_rated_best_not_the_last(tmp_path):
    scores = iter([0.2, 0.9, 0.5])  # the second evaluation (step 8) is the best
    fitted = _fit(tmp_path / "run", evaluate=lambda params: {"score": next(scores)})
    assert fitted.best_step == 8 and int(fitted.last.step) == 12
    # The reference: the same run stopped at step 8, by the loop alone, outside fit.
    init_key, run_key = train.split_seed(1)
    reference = train.train(
        train.LoopConfig(steps=8, progress=False), train.TrainState.create(_init(init_key), optax.sgd(0.1), run_key),
        _loss, _batch_at, tmp_path / "reference",
    )
    np.testing.assert_array_equal(fitted.params["w"], reference.params["w"])
    assert not np.array_equal(fitted.last.params["w"], fitted.params["w"])
    summary = fitted.summary()
    assert summary["best_step"] == 8 and summary["last_step"] == 12 and summary["parameters"] == 3


@pytest.mark.parametrize("checkpoint_every", [4, None], ids=["best-checkpoint", "in-memory"])
def test_fit_returns_the_best_with_or_without_checkpoints_and_never_a_non_finite_one(tmp_path, checkpoint_every):
    scores = iter([0.2, float("nan"), 0.9])  # step 4: 0.2, step 8: NaN, step 12: 0.9
    fitted = _fit(tmp_path, evaluate=lambda params: {"score": next(scores)}, checkpoint_every=checkpoint_every)
    assert fitted.best_step == 12
    np.testing.assert_array_equal(fitted.params["w"], fitted.last.params["w"])
    scores = iter([0.7, float("nan"), 0.1])
    fitted = _fit(tmp_path / "again", evaluate=lambda params: {"score": next(scores)}, checkpoint_every=checkpoint_every)
    assert fitted.best_step == 4


def test_an_evaluation_without_the_best_metric_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"evaluate: expected results with 'score'.*received \['loss'\]"):
        _fit(tmp_path, evaluate=lambda params: {"loss": 1.0}, checkpoint_every=None)


def test_a_finished_run_resumes_without_training_and_gives_the_same_best_state(tmp_path):
    first = _fit(tmp_path, evaluate=lambda params: {"score": -float(_loss(params, _batch_at(0), None))})
    again = _fit(tmp_path, evaluate=lambda params: pytest.fail("a finished run evaluates nothing"))
    np.testing.assert_array_equal(first.params["w"], again.params["w"])
    assert again.best_step == first.best_step


def test_a_resume_with_other_options_is_refused_before_anything_is_written(tmp_path):
    _fit(tmp_path, evaluate=lambda params: {"score": 0.0})
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    with pytest.raises(ValueError, match=r"run_dir: expected a new run directory.*learning_rate 0\.1 -> 0\.5"):
        _fit(tmp_path, ToyConfig(learning_rate=0.5))
    after = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert after == before
    # An option the script allows to change, and the run directory, may differ.
    _fit(tmp_path, ToyConfig(epochs=5, run_dir="elsewhere"), may_change=("epochs",),
         evaluate=lambda params: {"score": 0.0})
    assert json.loads((tmp_path / "config.json").read_text())["epochs"] == 5


def test_a_record_without_a_newer_option_compares_it_with_its_default(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"epochs": 3, "run_dir": "x"}))  # no learning_rate yet
    train.claim_run_dir(tmp_path, ToyConfig())
    with pytest.raises(ValueError, match=r"learning_rate 0\.1 -> 0\.2"):
        train.claim_run_dir(tmp_path, ToyConfig(learning_rate=0.2))


def test_write_results_writes_the_config_the_results_and_today_s_date(tmp_path):
    path = train.write_results(tmp_path / "new", {"test": {"accuracy": 0.5}}, ToyConfig(epochs=7))
    record = json.loads(path.read_text())
    assert record == {"config": {"epochs": 7, "learning_rate": 0.1, "run_dir": "runs/toy"},
                      "test": {"accuracy": 0.5}, "date": datetime.date.today().isoformat()}
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temporary file left


def test_a_bad_optimizer_is_a_clear_error(tmp_path):
    loop = train.LoopConfig(steps=1, progress=False)
    with pytest.raises(ValueError, match="optimizer: expected an OptimizerConfig or an optax.GradientTransformation"):
        train.fit(_init, _loss, _batch_at, tmp_path, loop=loop, optimizer=0.1)
