"""Command-line flags from a frozen config dataclass: one ``--flag`` per field."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

Config = TypeVar("Config")


def parse_config(
    config_type: type[Config], description: str, argv: list[str] | None = None,
    choices: Mapping[str, Sequence[Any]] | None = None,
) -> Config:
    """``config_type`` from ``argv``: ``--field-name VALUE`` of the field's type (its default
    when absent), ``--field``/``--no-field`` for booleans, restricted to ``choices[field]`` if given."""
    parser = argparse.ArgumentParser(description=description)
    for field in dataclasses.fields(config_type):
        flag = f"--{field.name.replace('_', '-')}"
        if isinstance(field.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default)
        else:
            parser.add_argument(flag, type=type(field.default), default=field.default,
                                choices=(choices or {}).get(field.name))
    return config_type(**vars(parser.parse_args(argv)))
