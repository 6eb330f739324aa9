"""The results page of the lab: tables and figures from the rows' result files.

    python -m experiments.gradient_lab.report [--results runs/gradient_lab]

Writes one figure per task (gradient flow at initialisation and after training, and the
evaluation metric during training), the clipping figure, and the tables into
``experiments/gradient_lab/README.md`` between its ``results`` markers.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
import re
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from experiments.gradient_lab.rows import command_text, rows as table_rows
from experiments.gradient_lab.config import RunConfig
from seqjax import flags

HERE = pathlib.Path(__file__).parent
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
FLOOR = 1e-30  # relative gradients below this (or underflowed to 0 in float32) are drawn at it


def load_rows(results: pathlib.Path) -> list[dict]:
    """The result files in ``results``, in the order of the table (rows not in it last)."""
    order = {row.row_name: index for index, row in enumerate(table_rows())}
    loaded = [json.loads(path.read_text()) for path in results.glob("*.json")]
    return sorted(loaded, key=lambda row: (order.get(row["row"], len(order)), row["row"]))


def _time_limit_text(limit_s: float | None) -> str:
    """`` or 45 s`` for a time-limited row (rows without one recorded 0 or None)."""
    return f" or {limit_s:.0f} s" if limit_s else ""


def _metric_text(value: float, metric: str) -> str:
    if math.isnan(value):
        return "nan"
    return f"{100 * value:.1f} %" if metric == "accuracy" else f"{value:.4f}"


def far_to_near(flow: Sequence[float]) -> str:
    """``||dL_T/dh_1|| / ||dL_T/dh_T||``: how much of the gradient reaches the first step."""
    near, far = flow[0], flow[-1]
    if not (near > 0 and math.isfinite(far)):
        return "nan"
    return f"{far / near:.1e}" if far > 0 else "0 (underflow)"


def task_table(rows: list[dict]) -> str:
    first = rows[0]
    lines = [
        f"| model | {first['metric']} (final) | best | baseline | solved at step | steps run | wall s | "
        "far/near gradient at init | after training |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        solved = row["steps_to_solve"]
        status = str(solved) if solved else ("diverged" if row["diverged"] else "no")
        lines.append(
            f"| {row['config']['model']}{' (' + row['config']['tag'] + ')' if row['config']['tag'] else ''} | {_metric_text(row['final'], row['metric'])} | "
            f"{_metric_text(row['best'], row['metric'])} | {_metric_text(row['baseline'], row['metric'])} | {status} | "
            f"{row['steps_done']} | {row['wall_s']:.0f} | {far_to_near(row['flow_at_init'])} | "
            f"{far_to_near(row['flow_trained'])} |"
        )
    return "\n".join(lines)


def relative_flow(flow: Sequence[float]) -> np.ndarray:
    """``||dL_T/dh_k|| / ||dL_T/dh_T||`` against ``T - k``, floored at ``FLOOR`` for the log scale."""
    flow = np.nan_to_num(np.asarray(flow, np.float64), nan=0.0)
    return np.maximum(flow / flow[0] if flow[0] > 0 else flow, FLOOR)


def task_figure(rows: list[dict], path: pathlib.Path) -> None:
    """Three panels: the relative gradient flow against ``T - k`` at initialisation and after
    training, and the evaluation metric during training."""
    figure = Figure(figsize=(13, 3.6))
    init_axis, trained_axis, metric_axis = figure.subplots(1, 3)
    for row in rows:
        name = row["config"]["model"]
        for axis, key in ((init_axis, "flow_at_init"), (trained_axis, "flow_trained")):
            flow = relative_flow(row[key])
            axis.semilogy(np.arange(len(flow)), flow, label=name, lw=1)
        steps = [record["step"] for record in row["evaluations"]]
        metric_axis.plot(steps, [record[row["metric"]] for record in row["evaluations"]], label=name, lw=1)
    for axis, title in ((init_axis, "at initialisation"), (trained_axis, "after training")):
        axis.set(xlabel="T - k (steps back)", ylabel="||dL_T/dh_k|| / ||dL_T/dh_T||", title=f"gradient flow {title}",
                 ylim=(FLOOR / 3, 1e3))
    first = rows[0]
    metric_axis.axhline(first["baseline"], color="black", ls="--", lw=1, label="baseline")
    metric_axis.set(xlabel="training step", ylabel=first["metric"], title=f"{first['task']}: evaluation")
    if first["metric"] != "accuracy":
        metric_axis.set_yscale("log")
    metric_axis.legend(fontsize=6, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=72)


def clipping_figure(rows: list[dict], path: pathlib.Path) -> None:
    """The global gradient norm (before clipping) and the loss at every step, with and without clipping."""
    figure = Figure(figsize=(10, 3.4))
    norm_axis, loss_axis = figure.subplots(1, 2)
    for row in sorted(rows, key=lambda row: bool(row["diverged"])):  # the short diverged curve drawn last, on top
        label = row["config"]["tag"]
        style = {"marker": "o", "ms": 3} if row["diverged"] else {}
        norm_axis.semilogy(row["grad_norm"], label=label, lw=1, **style)
        loss_axis.semilogy(row["train_loss"], label=label, lw=1, **style)
        if row["diverged"]:
            for axis in (norm_axis, loss_axis):
                axis.axvline(row["steps_done"], color="red", ls=":", lw=1, label=f"{label}: stopped, non-finite")
    norm_axis.set(xlabel="step", ylabel="global gradient norm (before clipping)", title=f"{rows[0]['task']}: IRNN, SGD")
    loss_axis.axhline(rows[0]["baseline"], color="black", ls="--", lw=1, label="baseline")
    loss_axis.set(xlabel="step", ylabel="training MSE")
    loss_axis.legend(fontsize=7)
    norm_axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=72)


def render(rows: list[dict], figures: pathlib.Path, page_dir: pathlib.Path) -> str:
    """The markdown between the markers; draws the figures into ``figures``."""
    figures.mkdir(parents=True, exist_ok=True)
    by_task: dict[str, list[dict]] = {}
    for row in rows:
        by_task.setdefault("clipping" if row["config"]["tag"] else row["task"], []).append(row)
    parts = []
    for task, task_rows in by_task.items():
        if task == "clipping":
            continue
        figure = figures / f"{task}.png"
        task_figure(task_rows, figure)
        config = task_rows[0]["config"]
        parts += [
            f"### {task} ({task_rows[0]['time']} steps)", "",
            f"Hidden {config['hidden_size']}, batch {config['batch_size']}, {config['optimizer']} lr "
            f"{config['learning_rate']}, global-norm clipping {config['max_grad_norm'] or 'off'}; at most "
            f"{config['steps']} steps{_time_limit_text(config['time_limit_s'])}; solved at {task_rows[0]['metric']} "
            f"{_metric_text(task_rows[0]['solved_at'], task_rows[0]['metric'])}.", "",
            task_table(task_rows), "",
            f"![{task}]({figure.relative_to(page_dir).as_posix()})", "",
            "```", *(command_text(row_config(row)) for row in task_rows), "```", "",
        ]
    if "clipping" in by_task:
        figure = figures / "clipping.png"
        clipping_figure(by_task["clipping"], figure)
        parts += ["### Exploding gradients: the same IRNN with and without clipping", "",
                  task_table(by_task["clipping"]), ""]
        for row in by_task["clipping"]:
            norms = np.asarray(row["grad_norm"], np.float64)
            finite = norms[np.isfinite(norms)]
            parts.append(f"- `{row['config']['tag']}`: largest gradient norm {finite.max():.3g}, median "
                         f"{np.median(finite):.3g}, non-finite steps {int((~np.isfinite(norms)).sum())}"
                         + (f"; {row['diverged'].split(';')[0]}" if row["diverged"] else ""))
        parts += ["", f"![clipping]({figure.relative_to(page_dir).as_posix()})", "",
                  "```", *(command_text(row_config(row)) for row in by_task["clipping"]), "```", ""]
    return "\n".join(parts)


# Rows written before these options became optional recorded "off" as 0 or "".
_LEGACY_OFF = {"max_grad_norm": 0.0, "time_limit_s": 0.0, "tag": ""}


def row_config(row: dict) -> RunConfig:
    config = {name: None if _LEGACY_OFF.get(name, object()) == value else value for name, value in row["config"].items()}
    return RunConfig(**{**config, "out": RunConfig.out})


@dataclasses.dataclass(frozen=True)
class ReportCommand:
    """What ``python -m experiments.gradient_lab.report`` renders.

    Attributes:
      results: the directory of the rows' result files.
      page: the page whose results section is replaced.
    """

    results: str = "runs/gradient_lab"
    page: str = str(HERE / "README.md")


def main(argv: list[str] | None = None) -> None:
    args = flags.parse(ReportCommand, argv, __doc__.splitlines()[0])
    page = pathlib.Path(args.page)
    rows = load_rows(pathlib.Path(args.results))
    if not rows:
        raise SystemExit(f"no result files in {args.results}: run python -m experiments.gradient_lab.run_all")
    body = render(rows, page.parent / "figures", page.parent)
    text = page.read_text() if page.exists() else f"{BEGIN}\n{END}\n"
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: f"{BEGIN}\n{body}\n{END}", text, flags=re.S)
    page.write_text(text)
    print(f"wrote {page} and {page.parent / 'figures'} from {len(rows)} rows")


if __name__ == "__main__":
    main()
