"""The benchmark harness: peers compute seqjax's function, wrong ones are refused, reports are written.

No timing assertions: speed is recorded by running the harness, not tested.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap

import jax
import numpy as np
import pytest

from seqjax import bench
from seqjax.bench import __main__ as cli
from seqjax.bench import harness, implementations
from tests.helpers import run_on_two_simulated_devices

SMALL = bench.BenchConfig(cell="lstm", batch=2, time=5, input=3, hidden=4, mode="train")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("mode", ["forward", "train", "step"])
def test_every_installed_peer_computes_the_same_function_and_is_timed(cell, mode):
    config = dataclasses.replace(SMALL, cell=cell, mode=mode)
    results = bench.measure(config, list(implementations.BUILDERS), repeats=1)
    names = [r.implementation for r in results]
    assert names[0] == "seqjax"
    assert any(name.startswith("flax linen") for name in names)
    assert any(name.startswith("flax nnx") for name in names)
    for result in results:
        assert result.difference < harness.TOLERANCE["float32"], result
        assert result.seconds is not None and result.seconds > 0
        assert result.tokens_per_second == pytest.approx(config.tokens / result.seconds)


@pytest.mark.parametrize("layers,bidirectional", [(2, False), (1, True), (2, True)])
def test_stacked_and_bidirectional_configurations_agree_with_the_peers(layers, bidirectional):
    config = dataclasses.replace(SMALL, cell="gru", layers=layers, bidirectional=bidirectional)
    results = bench.measure(config, ["seqjax", "seqjax-autodiff", "flax-linen", "pytorch"], repeats=1)
    assert len(results) >= 3
    for result in results:
        assert result.difference < harness.TOLERANCE["float32"] and result.seconds is not None, result


def test_an_implementation_of_another_function_is_not_timed(monkeypatch):
    def wrong(config, weights):
        (cell,), = weights.cells
        perturbed = weights._replace(cells=((cell._replace(recurrent_kernel=cell.recurrent_kernel * 1.1),),))
        prepared = implementations.seqjax_implementation(config, perturbed)
        return dataclasses.replace(prepared, name="wrong")

    monkeypatch.setitem(implementations.BUILDERS, "wrong", wrong)
    results = bench.measure(SMALL, ["seqjax", "wrong"], repeats=1)
    wrong_result = next(r for r in results if r.implementation == "wrong")
    assert wrong_result.seconds is None and wrong_result.difference > 1e-3


SPLIT_SCRIPT = textwrap.dedent("""
    import jax
    from seqjax import bench
    from seqjax.bench import harness

    assert len(jax.devices()) == 2, jax.devices()
    for cell in ("lstm", "gru"):
        for mode in ("train", "step"):
            config = bench.BenchConfig(cell=cell, batch=4, time=5, input=3, hidden=4, mode=mode)
            results = bench.measure(config, ["seqjax", "seqjax-sharded", "seqjax-data-parallel"], repeats=1)
            assert [r.implementation for r in results] == [
                "seqjax", "seqjax (batch over 2 devices)", "seqjax (data parallel, 2 devices)"], results
            for result in results:
                assert result.difference < harness.TOLERANCE["float32"] and result.seconds is not None, result
            print(cell, mode, "ok")
""")


def test_the_batch_split_over_two_devices_computes_the_same_function_both_ways():
    output = run_on_two_simulated_devices(SPLIT_SCRIPT)
    assert output.count(" ok") == 4, output


def test_the_command_writes_json_markdown_and_a_plot(tmp_path):
    out = tmp_path / "results"
    cli.main(["--cells", "gru", "--shapes", "2x4x3x5", "--modes", "train", "--repeats", "1",
              "--implementations", "seqjax", "flax-linen", "--out", str(out)])
    data = json.loads((out / "results.json").read_text())
    assert data["environment"]["versions"]["jax"]
    assert data["environment"]["matmul_peak_gflops"] > 0
    assert {r["implementation"] for r in data["results"]} == {"seqjax", "flax linen GRUCell"}
    table = (out / "results.md").read_text()
    assert "gru b2 t4 i3 h5 train float32" in table and "flax linen GRUCell" in table
    assert (out / "results.png").read_bytes()[:4] == b"\x89PNG"


def test_flop_count_and_bad_configurations():
    # 2 * gates * hidden * (input + hidden) per token, times 3 with the backward pass.
    assert dataclasses.replace(SMALL, mode="forward").flops == 2 * 4 * 4 * (3 + 4) * 10
    assert SMALL.flops == 3 * 2 * 4 * 4 * (3 + 4) * 10
    two_bidirectional = dataclasses.replace(SMALL, layers=2, bidirectional=True)
    assert two_bidirectional.flops == 3 * 2 * 4 * 4 * ((3 + 4) + (8 + 4)) * 2 * 10
    with pytest.raises(ValueError, match=r"cell: expected one of \('lstm', 'gru'\), received 'rnn'"):
        bench.BenchConfig(cell="rnn")
    with pytest.raises(ValueError, match=r"hidden: expected a positive int, received 0"):
        bench.BenchConfig(hidden=0)
    with pytest.raises(ValueError, match=r"^shapes: expected BATCHxTIMExINPUTxHIDDEN, .* received '2x3x4'"):
        cli.parse_shape("2x3x4")


def test_shared_weights_are_reproducible():
    a, b = bench.shared_weights(SMALL, seed=3), bench.shared_weights(SMALL, seed=3)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_array_equal(x, y)
    (cell,), = a.cells
    assert cell.input_kernel.shape == (3, 16) and cell.recurrent_kernel.shape == (4, 16)
