"""The gradient-pathology lab, CI-sized: every task is learned well below its baseline, every
encoder learns, clipping prevents the divergence that plain SGD hits, and the report is drawn."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from experiments.gradient_lab import input_pipeline, models, report, rows
from experiments.gradient_lab.config import RunConfig
from experiments.gradient_lab.experiment import run
from experiments.gradient_lab.train import parse_config
from seqjax.data import data_dir

SMALL = RunConfig(hidden_size=32, batch_size=32, eval_every=50, flow_examples=8, learning_rate=3e-3)


def _run(tmp_path, task, **options):
    return run(dataclasses.replace(SMALL, out=str(tmp_path), **options), task=task)


def _assert_well_below_baseline(row, fraction):
    assert row["best"] < fraction * row["baseline"], (row["best"], row["baseline"])


def test_adding_problem_is_learned(tmp_path):
    row = _run(tmp_path, input_pipeline.adding(20, 32, eval_size=256), model="gru_ub1", steps=400)
    _assert_well_below_baseline(row, 0.1)
    assert row["steps_to_solve"] is not None and row["steps_done"] == row["steps_to_solve"]  # stopped once solved
    assert len(row["flow_at_init"]) == len(row["flow_trained"]) == 20
    assert all(np.isfinite(row["flow_trained"])) and row["grad_norm"] and row["wall_s"] > 0


def test_copy_task_is_learned(tmp_path):
    task = input_pipeline.copy(5, 32, eval_size=256, remember=3)
    row = _run(tmp_path, task, model="lstm_fb1", hidden_size=64, steps=600, learning_rate=1e-2)
    _assert_well_below_baseline(row, 0.5)


@pytest.mark.parametrize("permuted", [False, True], ids=["digits", "permuted-digits"])
def test_sequential_digits_are_classified(tmp_path, permuted):
    pytest.importorskip("sklearn")
    row = _run(tmp_path, input_pipeline.digits(32, permuted=permuted), model="gru_ub1", steps=300)
    assert row["best"] > max(0.6, 4 * row["baseline"])  # majority-class accuracy is 13 %


@pytest.mark.skipif(not (data_dir() / "fashion-mnist").is_dir(), reason="../shared/data/fashion-mnist is absent")
def test_fashion_mnist_pixel_sequences_are_classified(tmp_path):
    task = input_pipeline.fashion_pixels(32, pool=4, eval_size=500)  # 7 x 7 blocks: 49 steps
    assert task.time == 49
    row = _run(tmp_path, task, model="gru_ub1", steps=300)
    assert row["best"] > max(0.5, 4 * row["baseline"])


LINEAR_IN_THE_INPUTS = ("lru", "lru_phase_pi")  # no gate: adding's marker x value is out of reach


@pytest.mark.parametrize("model", [name for name in models.MODEL_NAMES if name not in LINEAR_IN_THE_INPUTS])
def test_every_gated_or_nonlinear_encoder_learns_a_short_adding_problem(tmp_path, model):
    row = _run(tmp_path, input_pipeline.adding(10, 32, eval_size=256), model=model, steps=500, eval_every=100)
    _assert_well_below_baseline(row, 0.5)


def test_the_lru_copies_once_its_phases_reach_pi_and_its_gradient_flow_is_measured(tmp_path):
    """The README's finding at CI size: a delay is resolved by eigenvalue phases up to π, not π/10."""
    task = input_pipeline.copy(10, 32, eval_size=256, remember=5)
    wide, narrow = (_run(tmp_path, task, model=model, steps=400, learning_rate=1e-2) for model in ("lru_phase_pi", "lru"))
    assert wide["steps_to_solve"] is not None and wide["best"] < 0.1 * wide["baseline"]
    assert narrow["steps_to_solve"] is None and narrow["best"] > 10 * wide["best"]
    assert len(wide["flow_at_init"]) == task.time and all(np.isfinite(wide["flow_at_init"]))
    assert 1e-3 < wide["flow_at_init"][-1] / wide["flow_at_init"][0] < 1  # the ring carries the gradient back


def test_plain_sgd_diverges_on_an_irnn_and_clipping_prevents_it(tmp_path):
    task = input_pipeline.adding(100, 32, eval_size=64)
    unclipped, clipped = (
        run(dataclasses.replace(pair, out=str(tmp_path), steps=30, eval_every=10, hidden_size=32, flow_examples=8), task)
        for pair in rows.CLIPPING_PAIR
    )
    assert unclipped["diverged"] and "non-finite" in unclipped["diverged"]
    assert clipped["diverged"] is None and np.all(np.isfinite(clipped["train_loss"]))
    assert max(clipped["grad_norm"]) > 10.0  # the gradient does explode; clipping bounds the step it takes


def test_report_draws_a_figure_per_task_and_the_tables(tmp_path):
    results = tmp_path / "results"
    for model in ("irnn", "lstm_fb1"):
        _run(results, input_pipeline.adding(10, 32, eval_size=64), model=model, steps=50)
    page = tmp_path / "page" / "README.md"
    page.parent.mkdir()
    page.write_text(f"intro\n{report.BEGIN}\nold\n{report.END}\noutro\n")
    report.main(["--results", str(results), "--page", str(page)])
    text = page.read_text()
    assert text.startswith("intro") and text.endswith("outro\n") and "old" not in text
    assert "| irnn |" in text and "| lstm_fb1 |" in text and "python -m experiments.gradient_lab.train" in text
    assert (tmp_path / "page" / "figures" / "adding-10.png").stat().st_size > 10_000
    row = json.loads((results / "adding-10__irnn.json").read_text())
    assert row["config"]["model"] == "irnn" and row["evaluations"]


def test_every_row_command_parses_back_to_its_config():
    for config in rows.rows():
        assert parse_config(rows.command(config)[3:]) == config
