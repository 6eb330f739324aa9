"""The ``seqjax`` command (also ``python -m seqjax``): train, evaluate and sample language models.

    seqjax train --preset cpu --run-dir runs/shakespeare     # tiny-shakespeare, char level
    seqjax evaluate runs/shakespeare                          # whole validation split
    seqjax sample runs/shakespeare --prime "ROMEO:" --length 500 --temperature 0.8

The benchmark harness is ``python -m seqjax.bench``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import pathlib
import sys

import jax.numpy as jnp

from seqjax import core, data, flags, train
from seqjax import language_modeling as lm


DOWNLOAD_OPTION = "--download (or `make demo DOWNLOAD=1`)"


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="a plain-text UTF-8 corpus (default: tiny-shakespeare from the data directory)")
    parser.add_argument("--data-dir", help="the data directory (default: $SEQJAX_DATA_DIR, else ../shared/data)")
    parser.add_argument("--download", action="store_true",
                        help="download tiny-shakespeare into the data directory if missing (verified by sha256)")


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    """A flag per ``LMConfig`` field; those given override the preset."""
    group = parser.add_argument_group("model and training (override the preset; defaults: the cpu preset's)")
    flags.add_config_flags(group, lm.LMConfig, suppress_defaults=True)


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
    train_command.add_argument("--preset", choices=sorted(lm.PRESETS), default="cpu",
                       help="cpu: 10 minutes on 2 CPU cores; seed: 3x512 LSTM for a GPU; tiny: seconds (default: cpu)")
    train_command.add_argument("--run-dir", default=None, help="where checkpoints, vocabulary and logs go (default: runs/<preset>)")
    train_command.add_argument("--no-progress", action="store_true", help="print lines instead of a progress bar")
    train_command.add_argument("--sample", type=int, default=0, metavar="N", help="after training, print N sampled tokens")
    _add_sampling_options(train_command, standalone=False)
    _add_data_options(train_command)
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


def _temperature(args: argparse.Namespace) -> float:
    return 0.0 if args.greedy else args.temperature


def _print_sample(run_dir: str, checkpoint: str, args: argparse.Namespace, length: int, seed: int) -> None:
    """Checks the sampling options against the run's vocabulary, then prints the sample."""
    _, vocabulary, model, params = lm.load_trained(run_dir, checkpoint)
    lm.check_sampling_options(vocabulary, args.prime, length, temperature=_temperature(args), top_k=args.top_k)
    print(lm.sample_text(model, params, vocabulary, args.prime, length,
                         temperature=_temperature(args), top_k=args.top_k, seed=seed))


def _warn_if_above_uniform(loss: float, vocabulary_size: int) -> None:
    """A model worse than a uniform guess over the vocabulary has not learnt: say so."""
    if not loss <= math.log(vocabulary_size):
        print(f"warning: the validation loss {loss:.4g} nats/token is above log({vocabulary_size}) = "
              f"{math.log(vocabulary_size):.4f}, what a uniform guess scores: the model has not learnt "
              "(a learning rate too high?)", file=sys.stderr)


def _train(args: argparse.Namespace) -> None:
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(lm.LMConfig) if hasattr(args, f.name)}
    config = dataclasses.replace(lm.PRESETS[args.preset], **overrides)
    run_dir = pathlib.Path(args.run_dir or f"runs/{args.preset}")
    corpus = lm.load_corpus(args.data, args.data_dir, config.level, config.validation_fraction,
                            download=args.download, download_option=DOWNLOAD_OPTION)
    lm.check_sampling_options(corpus.vocabulary, args.prime if args.sample else None, args.sample,
                              temperature=_temperature(args), top_k=args.top_k)
    print(f"corpus: {len(corpus.train):,} train and {len(corpus.validation):,} validation tokens, "
          f"{corpus.vocabulary.size} in the vocabulary; run directory {run_dir}", flush=True)
    if config.cell == "lstm":  # float32, default RunOptions: what decides the LSTM's path is the device
        reason = core.cudnn_fallback_reason(core.LSTMCell(), core.RunOptions(), [jnp.float32])
        print(f"LSTM layers run by {'cuDNN' if reason is None else 'the seqjax scan: ' + reason}", flush=True)
    _, metrics = lm.train_language_model(config, corpus, run_dir, progress=not args.no_progress)
    print("validation: " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
    _warn_if_above_uniform(metrics["loss"], corpus.vocabulary.size)
    print(f"checkpoints: {run_dir / 'checkpoints'} (latest/ and best/); logs: {run_dir / 'metrics.jsonl'}, "
          f"TensorBoard in {run_dir / 'tensorboard'}; curves: python -m seqjax.train.plot {run_dir}")
    if args.sample:
        print(f"\n--- {args.sample} tokens sampled from the best checkpoint, primed with {args.prime!r} ---")
        _print_sample(str(run_dir), "best", args, args.sample, config.seed)


def _evaluate(args: argparse.Namespace) -> None:
    config, vocabulary, model, params = lm.load_trained(args.run_dir, args.checkpoint)
    source = args.data or lm.recorded_corpus(args.run_dir, args.data_dir)
    corpus = lm.load_corpus(source, args.data_dir, config.level, config.validation_fraction,
                            download=args.download, download_option=DOWNLOAD_OPTION, vocabulary=vocabulary)
    metrics = lm.evaluate_validation(config, model, params, corpus.validation)
    print(f"{args.run_dir} ({args.checkpoint}) on {len(corpus.validation) - 1:,} validation tokens: "
          + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
    _warn_if_above_uniform(metrics["loss"], vocabulary.size)


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
    try:
        {"train": _train, "evaluate": _evaluate,
         "sample": lambda a: _print_sample(a.run_dir, a.checkpoint, a, a.length, a.seed)}[args.command](args)
    except core.ArgumentError as error:
        options = _options_of(parser, args.command)
        message = error.renamed(options[error.argument]) if error.argument in options else str(error)
        print(f"seqjax {args.command}: {message}", file=sys.stderr)
        return 2
    except (data.DataError, train.CheckpointError, train.TrainingDiverged, lm.IncompatibleRun) as error:
        print(f"seqjax {args.command}: {error}", file=sys.stderr)
        return 2
    return 0
