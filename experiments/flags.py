"""Command-line flags from a frozen config dataclass (one ``--flag`` per field), and the entry
point every experiment script runs by."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from seqjax.core import ArgumentError
from seqjax.data import DataError

Config = TypeVar("Config")


def option_of(field_name: str) -> str:
    """``hidden_size`` -> ``--hidden-size``."""
    return "--" + field_name.replace("_", "-")


def parse_config(
    config_type: type[Config], description: str, argv: list[str] | None = None,
    choices: Mapping[str, Sequence[Any]] | None = None,
) -> Config:
    """``config_type`` from ``argv``: ``--field-name VALUE`` of the field's type (its default
    when absent), ``--field``/``--no-field`` for booleans, restricted to ``choices[field]`` if given.
    A value the config refuses (its ``ArgumentError``) is reported as the flag's error (exit status 2)."""
    parser = argparse.ArgumentParser(description=description)
    for field in dataclasses.fields(config_type):
        if isinstance(field.default, bool):
            parser.add_argument(option_of(field.name), action=argparse.BooleanOptionalAction, default=field.default)
        else:
            parser.add_argument(option_of(field.name), type=type(field.default), default=field.default,
                                choices=(choices or {}).get(field.name))
    try:
        return config_type(**vars(parser.parse_args(argv)))
    except ArgumentError as error:
        parser.error(error.renamed(option_of(error.argument)) if error.argument in vars(parser.parse_args(argv))
                     else str(error))


def run_command(run: Callable[[Config], Any], parse: Callable[[], Config]) -> None:
    """``run(parse())``; missing or bad data and refused values end with one line on stderr
    and exit status 2 instead of a traceback."""
    try:
        run(parse())
    except (ArgumentError, DataError) as error:
        print(f"{sys.argv[0]}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
