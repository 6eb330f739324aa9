"""``benchmarks/gpu/run.sh``: the prepared GPU benchmark runs end to end at tiny sizes on CPU
(``--smoke``), and without ``--smoke`` refuses at once, saying why, where JAX sees no GPU."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import jax
import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "gpu" / "run.sh"


def run_script(out: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHON": sys.executable, "OUT": str(out)}
    return subprocess.run(["bash", str(SCRIPT), *args], env=environment, capture_output=True, text=True, timeout=300)


def test_the_smoke_run_writes_every_table(tmp_path):
    result = run_script(tmp_path, "--smoke")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = (tmp_path / "summary.md").read_text()
    for step in ("harness-float32", "harness-bfloat16", "recurrences"):
        assert f"## {step} (" in summary
        assert (tmp_path / step / "results.json").stat().st_size > 0, step
    assert (tmp_path / "harness-float32" / "results.png").stat().st_size > 0
    results = json.loads((tmp_path / "harness-float32" / "results.json").read_text())["results"]
    measured = {row["implementation"] for row in results}
    expected = {"seqjax", "flax linen LSTMCell", "flax linen GRUCell"}
    if importlib.util.find_spec("torch") is not None:
        expected |= {"pytorch nn.LSTM", "pytorch nn.GRU"}
    assert expected <= measured
    if jax.default_backend() != "gpu":  # the cuDNN path is skipped, with its reason, not measured
        assert "seqjax cuDNN" not in measured
        assert "seqjax cuDNN skipped: no CUDA device" in result.stdout


@pytest.mark.skipif(jax.default_backend() == "gpu", reason="the refusal is for machines without a GPU")
def test_without_a_gpu_it_refuses_at_once_and_says_why(tmp_path):
    result = run_script(tmp_path)
    assert result.returncode == 2
    assert "JAX sees no GPU (default backend: cpu" in result.stderr
    assert not (tmp_path / "summary.md").exists()
