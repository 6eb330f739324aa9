"""The commands behind ``seqjax train|evaluate|sample`` (``seqjax.cli`` parses their options,
then imports this module: ``--help`` answers before JAX loads)."""

from __future__ import annotations

import argparse
import dataclasses
import math
import pathlib
import sys
from collections.abc import Mapping

import jax
import jax.numpy as jnp

from seqjax import core, data, train
from seqjax import language_modeling as lm

DOWNLOAD_OPTION = "--download (or `make demo DOWNLOAD=1`)"


def _temperature(args: argparse.Namespace) -> float:
    return 0.0 if args.greedy else args.temperature


def _print_sample(run_dir: str, checkpoint: str, args: argparse.Namespace, length: int, seed: int) -> None:
    """Checks the sampling options against the run's vocabulary, then prints the sample (with
    several processes, every one restores the checkpoint and process 0 samples)."""
    _, vocabulary, model, params = lm.load_trained(run_dir, checkpoint)
    lm.check_sampling_options(vocabulary, args.prime, length, temperature=_temperature(args), top_k=args.top_k)
    if train.is_main_process():
        print(lm.sample_text(model, params, vocabulary, args.prime, length,
                             temperature=_temperature(args), top_k=args.top_k, seed=seed))


def _join_processes(args: argparse.Namespace) -> None:
    """Joins the run's other processes when the options or ``$SEQJAX_*`` ask for several."""
    config = train.distributed.from_environment(
        coordinator=args.coordinator, num_processes=args.num_processes, process_id=args.process_id,
        timeout_s=args.timeout_s)
    train.initialize_distributed(config)
    if jax.process_count() > 1 and train.is_main_process():
        print(f"{jax.process_count()} processes, {jax.device_count()} devices, coordinator {config.coordinator}",
              flush=True)


def _warn_if_above_uniform(loss: float, vocabulary_size: int) -> None:
    """A model worse than a uniform guess over the vocabulary has not learnt: say so."""
    if not loss <= math.log(vocabulary_size):
        print(f"warning: the validation loss {loss:.4g} nats/token is above log({vocabulary_size}) = "
              f"{math.log(vocabulary_size):.4f}, what a uniform guess scores: the model has not learnt "
              "(a learning rate too high?)", file=sys.stderr)


def _train(args: argparse.Namespace) -> None:
    _join_processes(args)
    main = train.is_main_process()
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(lm.LMConfig) if hasattr(args, f.name)}
    config = dataclasses.replace(lm.PRESETS[args.preset], **overrides)
    run_dir = pathlib.Path(args.run_dir or f"runs/{args.preset}")
    corpus = lm.load_corpus(args.data, args.data_dir, config.level, config.validation_fraction,
                            download=args.download, download_option=DOWNLOAD_OPTION)
    lm.check_sampling_options(corpus.vocabulary, args.prime if args.sample else None, args.sample,
                              temperature=_temperature(args), top_k=args.top_k)
    if main:
        print(f"corpus: {len(corpus.train):,} train and {len(corpus.validation):,} validation tokens, "
              f"{corpus.vocabulary.size} in the vocabulary; run directory {run_dir}", flush=True)
    if config.cell == "lstm" and main:  # float32, default RunOptions: what decides the LSTM's path is the device
        reason = core.cudnn_fallback_reason(core.LSTMCell(), core.RunOptions(), [jnp.float32])
        print(f"LSTM layers run by {'cuDNN' if reason is None else 'the seqjax scan: ' + reason}", flush=True)
    _, metrics = lm.train_language_model(config, corpus, run_dir, progress=not args.no_progress)
    if main:
        print("validation: " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
        _warn_if_above_uniform(metrics["loss"], corpus.vocabulary.size)
        print(f"checkpoints: {run_dir / 'checkpoints'} (latest/ and best/); logs: {run_dir / 'metrics.jsonl'}, "
              f"TensorBoard in {run_dir / 'tensorboard'}; curves: python -m seqjax.train.plot {run_dir}")
    if args.sample:
        if main:
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


def run(args: argparse.Namespace, options: Mapping[str, str]) -> int:
    """Runs ``args.command``; bad options and data, refused resumes and diverged runs end with
    one line on stderr naming what to change (the option as typed, from ``options``: ``dest ->
    --flag``), and exit status 2."""
    try:
        {"train": _train, "evaluate": _evaluate,
         "sample": lambda a: _print_sample(a.run_dir, a.checkpoint, a, a.length, a.seed)}[args.command](args)
    except core.ArgumentError as error:
        message = error.renamed(options[error.argument]) if error.argument in options else str(error)
        print(f"seqjax {args.command}: {message}", file=sys.stderr)
        return 2
    except (data.DataError, train.CheckpointError, train.TrainingDiverged, train.DistributedError,
            lm.IncompatibleRun) as error:
        print(f"seqjax {args.command}: {error}", file=sys.stderr)
        return 2
    return 0
