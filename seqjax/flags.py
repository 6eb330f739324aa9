"""Command-line flags from a frozen config dataclass: one ``--flag`` per field, with its help.

    parser = flags.parser_for(TaggingConfig)          # usage: python -m experiments.pos_tagging.train
    config = flags.parse(TaggingConfig, argv)

Each field ``name: T = default`` becomes ``--name`` (underscores as dashes):

- ``bool``: ``--name`` / ``--no-name``;
- ``int``, ``float``, ``str``: one value; ``Literal[...]``: one of its values;
- ``T | None``: a value, or ``none``;
- ``tuple[T, ...]``: one or more values (``--cells lstm gru``).

The help of a field is its ``metadata["help"]``, else its line in the class docstring's
``Attributes:`` section, else ``COMMON_HELP`` for names many commands share; the default is
appended. A value the config refuses in its
``__post_init__`` (an ``ArgumentError``) is reported as that flag's error, exit status 2.
The usage line names the command that runs the config's module (``python -m MODULE``).
This module imports nothing beyond the standard library, so ``--help`` is immediate when
the config's module is light too.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import os
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from seqjax.errors import ArgumentError

Config = TypeVar("Config")
NONE = "none"


def option_of(field_name: str) -> str:
    """``hidden_size`` -> ``--hidden-size``."""
    return "--" + field_name.replace("_", "-")


def docstring_attributes(config_type: type) -> dict[str, str]:
    """``name -> help`` from the ``Attributes:`` section of ``config_type``'s docstring
    (``name: text``, continued on more-indented lines)."""
    doc = inspect.getdoc(config_type) or ""
    section = re.split(r"^Attributes:\s*$", doc, maxsplit=1, flags=re.MULTILINE)
    if len(section) < 2:
        return {}
    found: dict[str, str] = {}
    name, indent = None, None
    for line in section[1].splitlines():
        depth = len(line) - len(line.lstrip())
        if line.strip() and depth == 0:
            break
        if (indent is None or depth == indent) and (match := re.match(r"^\s+(\w+)(?: \([^)]*\))?: (.*)$", line)):
            name, indent = match.group(1), depth
            found[name] = match.group(2).strip()
        elif name and line.strip() and depth > indent:
            found[name] += " " + line.strip()
    return found


# The help of options many commands share, for fields their docstring does not describe.
COMMON_HELP = {
    "epochs": "passes over the training data",
    "steps": "train steps",
    "batch_size": "examples per train step",
    "learning_rate": "Adam's (peak) learning rate",
    "max_grad_norm": "global-norm gradient clipping threshold",
    "embed_size": "embedding width",
    "hidden_size": "units per recurrent layer",
    "num_layers": "stacked recurrent layers",
    "dropout_rate": "dropout probability in training",
    "cell": "the recurrent layer, a name of seqjax.nn.LAYERS",
    "seed": "random seed (initialisation, shuffling, dropout)",
    "seeds": "runs with seeds 0, 1, ...; the mean and spread are reported",
    "eval_every": "steps between evaluations",
    "beam_width": "hypotheses kept by beam search",
    "length_penalty": "beam search's length normalisation exponent (GNMT's alpha)",
    "data_dir": "the data directory (none: $SEQJAX_DATA_DIR, else ../shared/data)",
    "download": "fetch the data files missing from the data directory from their original addresses "
                "(sha256 verified; needs internet)",
    "run_dir": "where checkpoints, logs and results go",
}


def field_help(config_type: type) -> dict[str, str]:
    """``name -> help`` of every field that has one: its ``metadata["help"]``, else its line in
    the docstring's ``Attributes:``, else ``COMMON_HELP``."""
    described = docstring_attributes(config_type)
    found = {}
    for field in dataclasses.fields(config_type):
        text = field.metadata.get("help") or described.get(field.name) or COMMON_HELP.get(field.name)
        if text:
            found[field.name] = text
    return found


def _strip_optional(kind: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None``, else ``(kind, False)``."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(kind) if m is not type(None)]
        if len(members) == 1 and len(typing.get_args(kind)) == 2:
            return members[0], True
    return kind, False


def _converter(kind: Any, optional: bool, name: str) -> tuple[Any, Sequence[Any] | None]:
    """``(type function, choices)`` for one value of ``kind``."""
    choices = typing.get_args(kind) if typing.get_origin(kind) is typing.Literal else None
    base = type(choices[0]) if choices else kind
    if base not in (int, float, str):
        raise TypeError(f"{name}: a flag needs a bool, int, float, str, Literal, optional or tuple field, not {kind}")

    def convert(text: str) -> Any:
        if optional and text.lower() == NONE:
            return None
        try:
            value = base(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {base.__name__}{' or none' if optional else ''}, "
                                             f"received {text!r}") from None
        return value  # a Literal's values are checked by _with_choices

    convert.__name__ = base.__name__
    return convert, choices


def add_config_flags(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, config_type: type, *,
    choices: Mapping[str, Sequence[Any]] | None = None, suppress_defaults: bool = False,
) -> None:
    """Adds a flag for every field of ``config_type`` (see the module docstring).

    ``choices``: allowed values of ``str`` fields, by field name; ``suppress_defaults``: leave
    fields not given out of the parsed namespace (to override a preset with only what was given).
    """
    hints = typing.get_type_hints(config_type)
    described = field_help(config_type)
    for field in dataclasses.fields(config_type):
        default = field.default
        required = default is dataclasses.MISSING
        text = described.get(field.name, "")
        shown = f"{text} ({'required' if required else 'default: ' + _shown(default)})".strip()
        common = {"dest": field.name, "help": shown.replace("%", "%%"), "required": required}
        if not required:
            common["default"] = argparse.SUPPRESS if suppress_defaults else default
        kind, optional = _strip_optional(hints[field.name])
        if kind is bool:
            common.pop("required")
            parser.add_argument(option_of(field.name), action=argparse.BooleanOptionalAction, **common)
            continue
        if typing.get_origin(kind) is tuple:
            member = typing.get_args(kind)[0]
            convert, allowed = _converter(member, False, field.name)
            allowed = allowed or (choices or {}).get(field.name)
            parser.add_argument(option_of(field.name), nargs="+", type=_with_choices(convert, allowed),
                                action=_StoreTuple, metavar=_metavar(allowed, field.name), **common)
            continue
        convert, allowed = _converter(kind, optional, field.name)
        allowed = allowed or (choices or {}).get(field.name)
        parser.add_argument(option_of(field.name), type=_with_choices(convert, allowed),
                            metavar=_metavar(allowed, field.name), **common)


class _StoreTuple(argparse.Action):
    """Stores the values of a ``nargs="+"`` flag as a tuple (the field's type), not a list."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, tuple(values))


def _with_choices(convert: Any, allowed: Sequence[Any] | None) -> Any:
    if allowed is None:
        return convert

    def checked(text: str) -> Any:
        value = convert(text)
        if value is not None and value not in allowed:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(map(str, allowed))}, received {text!r}")
        return value

    checked.__name__ = convert.__name__
    return checked


def _metavar(allowed: Sequence[Any] | None, name: str) -> str:
    return "{" + ",".join(map(str, allowed)) + "}" if allowed else name.upper()


def _shown(value: Any) -> str:
    if value is None:
        return NONE
    if isinstance(value, tuple):
        return " ".join(map(str, value))
    return str(value)


def command_of(module: str) -> str:
    """``python -m experiments.pos_tagging.train``: the command that runs ``module`` (for
    ``"__main__"``, the module Python was asked to run)."""
    if module == "__main__":
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        if spec is None:  # run as a file: name the file
            return f"python {sys.argv[0]}"
        module = spec.name
    return f"python -m {module.removesuffix('.__main__')}"


def parser_for(config_type: type, description: str | None = None,
               choices: Mapping[str, Sequence[Any]] | None = None, command: str | None = None) -> argparse.ArgumentParser:
    """An ``ArgumentParser`` with a flag per field, named after the command that runs the
    module ``command`` (default: the config's module)."""
    module = command or config_type.__module__
    summary = description or (inspect.getdoc(sys.modules[module]) or "").split("\n\n")[0]
    parser = argparse.ArgumentParser(prog=command_of(module), description=summary)
    add_config_flags(parser, config_type, choices=choices)
    return parser


def build(parser: argparse.ArgumentParser, config_type: type[Config], values: Mapping[str, Any],
          base: Any = None) -> Config:
    """``config_type(**values)`` (or ``dataclasses.replace(base, **values)``); a refused value
    ends the program through ``parser.error`` naming its flag (exit status 2)."""
    try:
        return dataclasses.replace(base, **values) if base is not None else config_type(**values)
    except ArgumentError as error:
        names = {field.name for field in dataclasses.fields(config_type)}
        parser.error(error.renamed(option_of(error.argument)) if error.argument in names else str(error))


def parse(config_type: type[Config], argv: Sequence[str] | None = None, description: str | None = None,
          choices: Mapping[str, Sequence[Any]] | None = None, command: str | None = None) -> Config:
    """``config_type`` from ``argv`` (``sys.argv[1:]`` when None); ``command``: the module whose
    command the usage line names (default: the config's)."""
    parser = parser_for(config_type, description, choices, command)
    return build(parser, config_type, vars(parser.parse_args(argv)))


def _join_processes() -> None:
    """Joins the processes the launcher's variables describe; one line and exit 2 if it cannot."""
    from seqjax.train import distributed

    try:
        distributed.initialize_distributed(distributed.from_environment())
    except distributed.DistributedError as error:
        print(f"{sys.argv[0]}: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def run_command(run: str | Callable[[Any], Any], parse_config: Callable[[], Any]) -> None:
    """``run(parse_config())``, the entry point of a script; ``run`` may be ``"module:function"``,
    imported only once the flags are parsed (so ``--help`` and a bad flag answer before JAX
    loads). Missing or bad data and refused values end with one line on stderr and exit
    status 2 instead of a traceback. Started by ``python -m seqjax.launch`` (or with
    ``$SEQJAX_COORDINATOR`` set), the script first joins the run's other processes."""
    from seqjax.data import DataError  # here, not at the top: --help stays free of numpy and JAX
    from seqjax.launch import COORDINATOR_VARIABLE

    config = parse_config()
    try:
        if os.environ.get(COORDINATOR_VARIABLE):
            _join_processes()
        if isinstance(run, str):
            module, _, function = run.partition(":")
            run = getattr(importlib.import_module(module), function)
        run(config)
    except (ArgumentError, DataError) as error:
        print(f"{sys.argv[0]}: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def argv_of(config: Any, always: Sequence[str] = ()) -> list[str]:
    """The flags that ``parse`` reads back as ``config``: every field whose value differs from
    its default, and the fields named in ``always``."""
    line: list[str] = []
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if field.name not in always and value == field.default:  # a required field has no default: always
            continue
        if isinstance(value, bool):
            line.append(option_of(field.name) if value else "--no-" + field.name.replace("_", "-"))
        else:
            line += [option_of(field.name), *(map(str, value) if isinstance(value, tuple) else [_shown(value)])]
    return line
