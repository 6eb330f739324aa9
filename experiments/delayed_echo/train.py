"""Delayed echo: an LSTM learns to output, at every step, the symbol it read ``delay`` steps ago.

A small synthetic task that needs memory across time, so the loss only falls if the
recurrence carries information. Run: ``python -m experiments.delayed_echo.train``.
"""

from __future__ import annotations

from experiments.delayed_echo.config import Config
from seqjax import flags


def parse_config(argv: list[str] | None = None) -> Config:
    """The config the flags in ``argv`` (default: the command line's) describe."""
    return flags.parse(Config, argv, __doc__.splitlines()[0], command=__name__)


if __name__ == "__main__":
    flags.run_command("experiments.delayed_echo.experiment:main", parse_config)
