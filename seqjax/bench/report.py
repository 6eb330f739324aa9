"""Benchmark results as JSON, a markdown table and a PNG plot."""

from __future__ import annotations

import dataclasses
import datetime
import importlib.metadata
import json
import os
import pathlib
import platform
from collections.abc import Sequence

import jax

from seqjax.bench.harness import Measurement

PACKAGES = ("jax", "jaxlib", "flax", "optax", "numpy", "torch", "equinox")


def environment(matmul_peak_gflops: float) -> dict:
    """Date, machine and versions, recorded with every result."""
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    device = jax.devices()[0]
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpu_count": os.cpu_count(),
        "device": f"{device.platform}: {device.device_kind}",
        "versions": versions,
        "matmul_peak_gflops": round(matmul_peak_gflops, 1),
    }


def _row(measurement: Measurement) -> dict:
    row = dataclasses.asdict(measurement)
    row["config"] = dataclasses.asdict(measurement.config)
    return row


def write_json(path: pathlib.Path, env: dict, measurements: Sequence[Measurement], command: str) -> None:
    path.write_text(json.dumps({"environment": env, "command": command,
                                "results": [_row(m) for m in measurements]}, indent=2))


def markdown(env: dict, measurements: Sequence[Measurement], command: str) -> str:
    """One table per configuration; the ratio column is seqjax's speed over each implementation's."""
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    lines = [
        f"Measured {env['date']} on {env['device']} ({env['machine']}, {env['cpu_count']} CPUs); {versions}.",
        f"Matrix-product peak measured on the same device: {env['matmul_peak_gflops']} GFLOP/s.",
        f"Command: `{command}`",
        "",
    ]
    labels = list(dict.fromkeys(m.config.label for m in measurements))
    for label in labels:
        rows = [m for m in measurements if m.config.label == label]
        ours = next((m for m in rows if m.implementation == "seqjax"), None)
        lines += [
            f"**{label}**",
            "",
            "| implementation | tokens/s | ms | seqjax speed ÷ this | compile s | peak MiB | GFLOP/s | % of matmul peak | rel. diff |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for m in rows:
            if m.seconds is None:
                lines.append(f"| {m.implementation} | not the same function | | | | | | | {m.difference:.1e} |")
                continue
            ratio = f"{m.seconds / ours.seconds:.2f}×" if ours and ours.seconds else ""
            compile_s = "" if m.compile_seconds is None else f"{m.compile_seconds:.2f}"
            peak = "" if m.peak_bytes is None else f"{m.peak_bytes / 2**20:.1f}"
            share = 100 * m.gflops_per_second / env["matmul_peak_gflops"]
            lines.append(
                f"| {m.implementation} | {m.tokens_per_second:,.0f} | {1e3 * m.seconds:.1f} | {ratio} | "
                f"{compile_s} | {peak} | {m.gflops_per_second:.1f} | {share:.0f}% | {m.difference:.1e} |"
            )
        lines.append("")
    return "\n".join(lines)


def plot(path: pathlib.Path, measurements: Sequence[Measurement]) -> None:
    """Grouped bars of tokens/s per configuration."""
    from matplotlib.figure import Figure

    labels = list(dict.fromkeys(m.config.label for m in measurements))
    names = list(dict.fromkeys(m.implementation for m in measurements))
    width = 0.8 / len(names)
    figure = Figure(figsize=(max(6, 2.5 * len(labels)), 4.5))
    axes = figure.subplots()
    for index, name in enumerate(names):
        values = [next((m.tokens_per_second or 0 for m in measurements
                        if m.config.label == label and m.implementation == name), 0) for label in labels]
        axes.bar([i + index * width for i in range(len(labels))], values, width, label=name)
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(labels))], labels, fontsize=7)
    axes.set_ylabel("tokens / s")
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
