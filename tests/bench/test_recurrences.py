"""The recurrence benchmark end to end at toy size: every variant timed, sizes matched, results written."""

from __future__ import annotations

import json

from seqjax.bench import recurrences


def test_matching_hidden_sizes_match_the_parameter_count():
    target = recurrences.parameter_count("gru", 16, 16)
    assert target == 3 * 16 * (16 + 16 + 1)
    for cell in ("mingru", "lru"):
        hidden = recurrences.matching_hidden(cell, 16, target)
        best = abs(recurrences.parameter_count(cell, 16, hidden) - target)
        assert all(abs(recurrences.parameter_count(cell, 16, h) - target) >= best for h in (hidden - 8, hidden + 8) if h > 0)


def test_the_benchmark_times_every_variant_and_writes_its_results(tmp_path):
    recurrences.main(["--cells", "gru", "mingru", "--times", "8", "--scans", "sequential", "associative",
                      "--modes", "train", "--batch", "2", "--hidden", "8", "--repeats", "2", "--out", str(tmp_path)])
    results = json.loads((tmp_path / "results.json").read_text())
    rows = results["rows"]
    # gru, and mingru at equal hidden and at equal parameters, each by two scans
    assert len(rows) == 1 + 2 * 2
    assert {row["time"] for row in rows} == {8}
    assert all(row["tokens_per_second"] > 0 for row in rows)
    assert [row["speed_over_gru"] for row in rows if row["cell"] == "gru"] == [1.0]
    assert "mingru associative H=8 (equal hidden)" in (tmp_path / "results.md").read_text()
    assert results["environment"]["versions"]["jax"]
