"""``python -m seqjax.train.plot RUN_DIR``: the learning curves and gradient-norm curve of a run, as PNG."""

from __future__ import annotations

import argparse
import pathlib
from collections import defaultdict

from seqjax.train.metrics import read_metrics


def curves(run_dir: str | pathlib.Path) -> dict[tuple[str, str], tuple[list[int], list[float]]]:
    """``(split, metric) -> (steps, values)`` from ``metrics.jsonl``; a step written twice (a
    resumed run repeats the steps after its last checkpoint) keeps its last value."""
    latest: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for record in read_metrics(run_dir):
        for name, value in record.items():
            if name not in ("step", "split"):
                latest[(record["split"], name)][record["step"]] = value
    return {key: (sorted(values), [values[s] for s in sorted(values)]) for key, values in latest.items()}


def plot_run(run_dir: str | pathlib.Path, out: str | pathlib.Path | None = None) -> pathlib.Path:
    """Writes loss (train and eval) and gradient norm against step to ``out`` (``<run_dir>/curves.png``)."""
    from matplotlib.figure import Figure  # drawn without pyplot: no global backend is changed

    data = curves(run_dir)
    out = pathlib.Path(out) if out else pathlib.Path(run_dir) / "curves.png"
    figure = Figure(figsize=(11, 4))
    loss_axis, norm_axis = figure.subplots(1, 2)
    for split in ("train", "eval"):
        if (split, "loss") in data:
            loss_axis.plot(*data[(split, "loss")], label=f"{split} loss", marker="o" if split == "eval" else None)
    loss_axis.set(xlabel="step", ylabel="loss (nats)", title="learning curves")
    loss_axis.legend()
    if ("train", "grad_norm") in data:
        norm_axis.semilogy(*data[("train", "grad_norm")])
    norm_axis.set(xlabel="step", ylabel="global gradient norm (before clipping)", title="gradient norm")
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seqjax.train.plot", description=__doc__.split(":", 1)[1].strip())
    parser.add_argument("run_dir", help="a run directory holding metrics.jsonl")
    parser.add_argument("--out", help="the PNG to write (default: RUN_DIR/curves.png)")
    args = parser.parse_args(argv)
    if not (pathlib.Path(args.run_dir) / "metrics.jsonl").is_file():
        parser.error(f"run_dir: expected a run directory holding metrics.jsonl, received {args.run_dir!r} "
                     f"({'it has no metrics.jsonl' if pathlib.Path(args.run_dir).is_dir() else 'no such directory'})")
    print(f"wrote {plot_run(args.run_dir, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
