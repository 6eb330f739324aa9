"""Every row of the lab: each task with each encoder, plus the clipping pair; then the report.

    python -m experiments.gradient_lab.run_all            # all rows, 2 at a time, then the report
    python -m experiments.gradient_lab.run_all --list     # print the command of every row
    python -m experiments.gradient_lab.run_all --only adding-400

Each row is one command (``python -m experiments.gradient_lab.train ...``), run as its own
process; a row whose result file exists is skipped unless ``--again``. The rows run with
``OPENBLAS_NUM_THREADS=1``: the orthogonal RNN's ``expm`` solves a linear system through
LAPACK (OpenBLAS), whose spinning worker threads made two such rows side by side on 2 cores
13 times slower (60 ms a step instead of 4.6).
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from experiments.gradient_lab import report
from experiments.gradient_lab.rows import command, command_text, rows
from experiments.gradient_lab.config import RunConfig
from seqjax import flags

@dataclasses.dataclass(frozen=True)
class RunAllCommand:
    """What ``python -m experiments.gradient_lab.run_all`` runs.

    Attributes:
      list: print the commands and stop.
      only: run only the rows whose name contains this text.
      jobs: rows run at the same time.
      again: rerun rows that already have a result.
      out: where the rows write their results.
    """

    list: bool = False
    only: str | None = None
    jobs: int = 2
    again: bool = False
    out: str = RunConfig.out


def main(argv: list[str] | None = None) -> None:
    args = flags.parse(RunAllCommand, argv, __doc__.splitlines()[0])
    chosen = [dataclasses.replace(row, out=args.out) for row in rows() if (args.only or "") in row.row_name]
    if args.list:
        print("\n".join(command_text(row) for row in chosen))
        return
    pending = [row for row in chosen if args.again or not (pathlib.Path(args.out) / f"{row.row_name}.json").exists()]
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        codes = list(pool.map(lambda row: subprocess.run(command(row), check=False, env=environment).returncode, pending))
    failed = [row.row_name for row, code in zip(pending, codes) if code != 0]
    if failed:
        print("rows that failed:", ", ".join(failed), file=sys.stderr)
    report.main(["--results", args.out])


if __name__ == "__main__":
    main()
