"""Where metrics go: a JSONL file and TensorBoard event files in the run directory.

Every record is one JSON object per line of ``<run_dir>/metrics.jsonl``:
``{"step": 100, "split": "train", "loss": 1.93, "grad_norm": 0.84, ...}``; the same
scalars go to TensorBoard under ``<split>/<name>`` (``tensorboard --logdir <run_dir>``),
except non-finite ones (a skipped step's NaN loss), which only the JSONL file records:
tensorboardX would print a warning for each. Each writer has its own events file, named with
the process id and a random suffix: tensorboardX names a file by the second and the host and
opens it with ``"wb"``, so two writers in one second (a run resumed at once) would otherwise
truncate the first one's events. A writer that writes nothing (a run resumed at its end)
creates no file.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import uuid
from collections.abc import Iterator, Mapping

from tensorboardX import SummaryWriter

METRICS_FILE = "metrics.jsonl"


class MetricsWriter:
    """Appends metric records to ``metrics.jsonl`` and TensorBoard; a context manager."""

    def __init__(self, run_dir: str | pathlib.Path):
        self.run_dir = pathlib.Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._jsonl = open(self.run_dir / METRICS_FILE, "a", encoding="utf-8")  # noqa: SIM115
        self._tensorboard: SummaryWriter | None = None  # opened on the first scalar

    def write(self, step: int, split: str, metrics: Mapping[str, float]) -> None:
        """Records ``metrics`` (name -> number) of ``split`` (``"train"``, ``"eval"``) at ``step``."""
        values = {name: float(value) for name, value in metrics.items()}
        record = {"step": int(step), "split": split, **{k: (v if math.isfinite(v) else str(v)) for k, v in values.items()}}
        self._jsonl.write(json.dumps(record) + "\n")
        self._jsonl.flush()
        for name, value in values.items():
            if math.isfinite(value):
                self._events().add_scalar(f"{split}/{name}", value, int(step))

    def _events(self) -> SummaryWriter:
        if self._tensorboard is None:
            self._tensorboard = SummaryWriter(logdir=str(self.run_dir / "tensorboard"),
                                              filename_suffix=f".{os.getpid()}.{uuid.uuid4().hex[:8]}")
        return self._tensorboard

    def close(self) -> None:
        """Flushes and closes ``metrics.jsonl`` and the TensorBoard events."""
        self._jsonl.close()
        if self._tensorboard is not None:
            self._tensorboard.close()

    def __enter__(self) -> MetricsWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class NoMetrics:
    """A ``MetricsWriter`` that writes nothing: what the processes other than process 0 of a
    multi-process run record with (one copy of the metrics is written, by process 0)."""

    def write(self, step: int, split: str, metrics: Mapping[str, float]) -> None:
        """Records nothing."""
        del step, split, metrics

    def __enter__(self) -> NoMetrics:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


def read_metrics(run_dir: str | pathlib.Path) -> Iterator[dict]:
    """The records of ``<run_dir>/metrics.jsonl`` in order (non-finite values as floats)."""
    with open(pathlib.Path(run_dir) / METRICS_FILE, encoding="utf-8") as file:
        for line in file:
            record = json.loads(line)
            yield {k: (float(v) if isinstance(v, str) and k not in ("split",) else v) for k, v in record.items()}
