"""The ``seqjax`` command (also ``python -m seqjax``): train, evaluate and sample language models.

    seqjax train --preset cpu --run-dir runs/shakespeare     # tiny-shakespeare, char level
    seqjax evaluate runs/shakespeare                          # whole validation split
    seqjax sample runs/shakespeare --prime "ROMEO:" --length 500 --temperature 0.8

The benchmark harness is ``python -m seqjax.bench``.
"""

from __future__ import annotations

import argparse

from seqjax import flags
from seqjax.language_modeling.config import PRESETS, LMConfig


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="a plain-text UTF-8 corpus (default: tiny-shakespeare from the data directory)")
    parser.add_argument("--data-dir", help="the data directory (default: $SEQJAX_DATA_DIR, else ../shared/data)")
    parser.add_argument("--download", action="store_true",
                        help="download tiny-shakespeare into the data directory if missing (verified by sha256)")


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    """A flag per ``LMConfig`` field; those given override the preset."""
    group = parser.add_argument_group("model and training (override the preset; defaults: the cpu preset's)")
    flags.add_config_flags(group, LMConfig, suppress_defaults=True)


def _add_distributed_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "several processes (jax.distributed; `python -m seqjax.launch --local N -- seqjax train ...` sets these "
        "on one machine through $SEQJAX_COORDINATOR, $SEQJAX_NUM_PROCESSES, $SEQJAX_PROCESS_ID)")
    group.add_argument("--coordinator", metavar="HOST:PORT",
                       help="process 0's address, where it listens; 'auto': from SLURM's, Open MPI's, Kubernetes' "
                            "or a Cloud TPU pod's environment")
    group.add_argument("--num-processes", type=int, help="the processes of the run, each started with the same options")
    group.add_argument("--process-id", type=int, help="this process, 0 to --num-processes - 1")
    group.add_argument("--distributed-timeout", dest="timeout_s", type=int, default=300, metavar="SECONDS",
                       help="how long to wait for the coordinator and the other processes (default: %(default)s)")


def _checkpoint_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", choices=["latest", "best"], default="best",
                        help="which checkpoint: the newest, or the best by validation loss (default)")


def _add_sampling_options(parser: argparse.ArgumentParser, *, standalone: bool) -> None:
    """Sampling options; ``train`` takes the length from ``--sample`` and the seed from ``--seed``."""
    parser.add_argument("--prime", default="ROMEO:", help="text the sample starts from (default: %(default)s)")
    parser.add_argument("--temperature", type=float, default=0.8,
                        help="softmax temperature; 0 is greedy (default: %(default)s)")
    parser.add_argument("--top-k", type=int, default=0, help="sample among the k most likely tokens (0: all)")
    parser.add_argument("--greedy", action="store_true", help="always take the most likely token (temperature 0)")
    if standalone:
        parser.add_argument("--length", type=int, default=500, help="tokens to generate (default: %(default)s)")
        parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same sample")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqjax", description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `seqjax COMMAND --help` for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    train_command = commands.add_parser("train", help="train (or resume) a language model in a run directory",
                                description="Train a language model; rerunning with the same --run-dir resumes.")
    train_command.add_argument("--preset", choices=sorted(PRESETS), default="cpu",
                       help="cpu: 10 minutes on 2 CPU cores; seed: 3x512 LSTM for a GPU; tiny: seconds (default: cpu)")
    train_command.add_argument("--run-dir", default=None, help="where checkpoints, vocabulary and logs go (default: runs/<preset>)")
    train_command.add_argument("--no-progress", action="store_true", help="print lines instead of a progress bar")
    train_command.add_argument("--sample", type=int, default=0, metavar="N", help="after training, print N sampled tokens")
    _add_sampling_options(train_command, standalone=False)
    _add_data_options(train_command)
    _add_distributed_options(train_command)
    _add_config_options(train_command)

    evaluate = commands.add_parser(
        "evaluate", help="loss on the whole validation split of a trained run",
        description="Loss on the whole validation split; the corpus defaults to the one the run trained on "
                    "(RUN_DIR/corpus.json, its digest checked).",
    )
    evaluate.add_argument("run_dir", help="a run directory written by `seqjax train`")
    _checkpoint_option(evaluate)
    _add_data_options(evaluate)

    sample = commands.add_parser("sample", help="generate text from a trained run")
    sample.add_argument("run_dir", help="a run directory written by `seqjax train`")
    _checkpoint_option(sample)
    _add_sampling_options(sample, standalone=True)
    return parser


def _options_of(parser: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """``dest -> option`` of ``command``'s options (``top_k -> --top-k``); ``train`` takes the
    sample's length from ``--sample``."""
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    options = {a.dest: a.option_strings[-1] for a in subcommands.choices[command]._actions if a.option_strings}  # noqa: SLF001
    return {**options, "length": "--sample"} if command == "train" else options


def main(argv: list[str] | None = None) -> int:
    """Runs a command; bad options and data, refused resumes and diverged runs end with one
    line on stderr naming what to change, and exit status 2."""
    parser = _parser()
    args = parser.parse_args(argv)
    from seqjax.language_modeling import commands  # after parsing: --help answers before JAX loads

    return commands.run(args, _options_of(parser, args.command))
