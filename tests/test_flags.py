"""The flags helper: every field type, help from the docstring, refusals as the flag's error,
``argv_of`` reading back, and every command's ``--help`` explaining every option."""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
from typing import Literal

import pytest

from seqjax import flags
from seqjax.errors import bad_argument


@dataclasses.dataclass(frozen=True)
class Example:
    """A config of every kind of field.

    Attributes:
      out: where results go.
      size: units per layer,
        continued on a second line.
      rate: the learning rate.
      cell: which cell.
      limit: seconds, or none for no limit.
      cells: one or more cells.
      widths: one or more widths.
      fast: skip the slow part.
      name: a free name.
    """

    out: str
    size: int = 8
    rate: float = 1e-3
    cell: Literal["lstm", "gru"] = "gru"
    limit: float | None = None
    cells: tuple[str, ...] = ("lstm",)
    widths: tuple[int, ...] = (4, 8)
    fast: bool = False
    name: str = "run"

    def __post_init__(self) -> None:
        if self.size < 1:
            raise bad_argument("size", "a positive int", repr(self.size))


def test_every_kind_of_field_is_parsed():
    parsed = flags.parse(Example, ["--out", "x", "--size", "3", "--rate", "0.5", "--cell", "lstm", "--limit", "2.5",
                                   "--cells", "a", "b", "--widths", "1", "2", "3", "--fast", "--name", "n"])
    assert parsed == Example("x", 3, 0.5, "lstm", 2.5, ("a", "b"), (1, 2, 3), True, "n")
    assert flags.parse(Example, ["--out", "x"]) == Example("x")
    assert flags.parse(Example, ["--out", "x", "--limit", "none", "--no-fast"]).limit is None


@pytest.mark.parametrize("config", [Example("x"), Example("y", 2, 0.1, "lstm", 3.0, ("a",), (5,), True, "z"),
                                    Example("z", limit=None, cells=("p", "q"))])
def test_argv_of_reads_back_as_the_same_config(config):
    assert flags.parse(Example, flags.argv_of(config)) == config


@pytest.mark.parametrize("argv,message", [
    (["--out", "x", "--size", "0"], "--size: expected a positive int, received 0"),
    (["--out", "x", "--size", "two"], "argument --size: expected int, received 'two'"),
    (["--out", "x", "--cell", "rnn"], "argument --cell: expected one of lstm, gru, received 'rnn'"),
    (["--out", "x", "--limit", "soon"], "argument --limit: expected float or none, received 'soon'"),
    ([], "the following arguments are required: --out"),
])
def test_a_refused_value_is_the_flags_error_with_status_2(argv, message, capsys):
    with pytest.raises(SystemExit) as refused:
        flags.parse(Example, argv)
    assert refused.value.code == 2
    assert message in capsys.readouterr().err


def test_the_help_names_the_command_and_explains_every_field_with_its_default():
    text = flags.parser_for(Example).format_help()
    assert text.startswith("usage: python -m tests.test_flags")
    for fragment in ("units per layer, continued on a second line. (default: 8)", "seconds, or none for no limit. "
                     "(default: none)", "(default: lstm)", "(default: 4 8)", "where results go. (required)"):
        assert fragment in " ".join(text.split()), fragment


COMMANDS = {
    "experiments.captioning.train": "CaptioningConfig", "experiments.delayed_echo.train": "Config",
    "experiments.gradient_lab.train": "RunConfig", "experiments.gradient_lab.run_all": "RunAllCommand",
    "experiments.gradient_lab.report": "ReportCommand", "experiments.handwriting.train": "HandwritingConfig",
    "experiments.music.train": "MusicConfig", "experiments.pos_tagging.train": "TaggingConfig",
    "experiments.sentiment.train": "SentimentConfig", "experiments.timeseries.classify": "ClassifyConfig",
    "experiments.timeseries.forecast": "ForecastConfig", "experiments.translation.train": "TranslationConfig",
    "seqjax.bench.__main__": "BenchCommand", "seqjax.bench.recurrences": "RecurrencesCommand",
    "seqjax.bench.compile_time": "CompileTimeCommand", "seqjax.bench.gpu": "GpuCommand",
}


@pytest.mark.parametrize("module", sorted(COMMANDS))
def test_every_command_explains_every_option(module):
    config_type = getattr(importlib.import_module(module), COMMANDS[module])
    described = flags.field_help(config_type)
    missing = [f.name for f in dataclasses.fields(config_type) if f.name not in described]
    assert not missing, f"{module}: options without help: {missing}"
    usage = flags.parser_for(config_type, command=module).format_usage()
    assert usage.startswith(f"usage: python -m {module.removesuffix('.__main__')}")


LIGHT_COMMANDS = ["seqjax", "seqjax.bench", *sorted(m for m in COMMANDS if m.startswith("experiments."))]
_HELP_OF_EACH = """
import contextlib, io, runpy, sys
for module in sys.argv[1:]:
    sys.argv = [module, "--help"]
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        except SystemExit as exit:
            assert exit.code == 0, (module, exit.code)
    assert output.getvalue().startswith("usage: "), (module, output.getvalue()[:200])
    heavy = sorted(name for name in ("jax", "flax", "optax", "orbax") if name in sys.modules)
    print(module, " ".join(heavy) or "-")
"""


def test_help_answers_before_jax_loads():
    """Every experiment's, the harness's and ``seqjax``'s ``--help`` runs without importing
    JAX, Flax, optax or orbax (each in turn in one process: a module one of them loaded would
    show for all that follow)."""
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", _HELP_OF_EACH, *LIGHT_COMMANDS],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [word for module in LIGHT_COMMANDS for word in (module, "-")], result.stdout


def test_an_experiments_help_runs_as_a_command():
    result = subprocess.run([sys.executable, "-m", "experiments.pos_tagging.train", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("usage: python -m experiments.pos_tagging.train")
