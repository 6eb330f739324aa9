"""A language-model run directory: what it records, and the check that a resume continues the same run.

    config.json       the LMConfig (JSON)
    vocabulary.json   the vocabulary (JSON, never pickle)
    corpus.json       the corpus's file name, the path it was read from and its SHA-256
    metrics.jsonl, tensorboard/, checkpoints/   written by ``seqjax.train.train``

A resume is checked before anything is written: a refused one changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib

from seqjax import data
from seqjax.language_modeling.config import LMConfig
from seqjax.language_modeling.corpus import Corpus, find_recorded
from seqjax.train.distributed import is_main_process

CONFIG_FILE, VOCABULARY_FILE, CORPUS_FILE = "config.json", "vocabulary.json", "corpus.json"

# Options a resume may change, because they do not change what is trained (and why).
CHANGEABLE_ON_RESUME = {
    "eval_every": "how often it evaluates",
    "checkpoint_every": "how often it saves",
    "eval_batch_size": "how the validation split is batched",
}


class IncompatibleRun(ValueError):
    """A resume with options or data other than those the run directory was trained with."""


def option_name(field: str) -> str:
    """The command-line option of an ``LMConfig`` field: ``hidden_size`` -> ``--hidden-size``."""
    return "--" + field.replace("_", "-")


def _accepted_changes(recorded: LMConfig, config: LMConfig) -> tuple[list[str], list[str]]:
    """``(accepted, refused)``: a line for each option whose value differs."""
    accepted, refused = [], []
    for field in dataclasses.fields(LMConfig):
        before, now = getattr(recorded, field.name), getattr(config, field.name)
        if before == now:
            continue
        change = f"{option_name(field.name)} {before} -> {now}"
        if field.name in CHANGEABLE_ON_RESUME:
            accepted.append(f"{change} ({CHANGEABLE_ON_RESUME[field.name]})")
        elif field.name == "time_limit_minutes" and (now is None or (before is not None and now > before)):
            accepted.append(f"{change} (a longer budget: training continues, the decay stretched over it)")
        else:
            refused.append(change)
    return accepted, refused


def check_resume(run_dir: str | pathlib.Path, config: LMConfig, corpus: Corpus) -> list[str]:
    """Raises ``IncompatibleRun`` naming every option and datum that differ from what ``run_dir``
    was trained with; returns the accepted changes (empty for a new run directory)."""
    run_dir = pathlib.Path(run_dir)
    if not (run_dir / CONFIG_FILE).is_file():
        return []
    try:
        recorded = LMConfig.load(run_dir / CONFIG_FILE)
    except (TypeError, ValueError) as error:
        raise IncompatibleRun(f"{run_dir / CONFIG_FILE} cannot be read as an LMConfig ({error})") from None
    accepted, refused = _accepted_changes(recorded, config)
    record = corpus.record()
    if (run_dir / CORPUS_FILE).is_file() and record is not None:
        before = json.loads((run_dir / CORPUS_FILE).read_text())
        if before["sha256"] != record["sha256"]:
            refused.append(f"--data {before['name']} (sha256 {before['sha256'][:12]}...) -> "
                           f"{record['name']} (sha256 {record['sha256'][:12]}...)")
    if (run_dir / VOCABULARY_FILE).is_file() and data.Vocabulary.load(run_dir / VOCABULARY_FILE) != corpus.vocabulary:
        refused.append(f"the vocabulary ({data.Vocabulary.load(run_dir / VOCABULARY_FILE).size} tokens -> "
                       f"{corpus.vocabulary.size})")
    if refused:
        allowed = ", ".join(option_name(name) for name in ["time_limit_minutes", *CHANGEABLE_ON_RESUME])
        raise IncompatibleRun(
            f"{run_dir} holds a run trained otherwise; resuming it would change " + "; ".join(refused)
            + f". Resume with its options (in {run_dir / CONFIG_FILE}) or pick another --run-dir "
            f"(a resume may change only {allowed}, the time limit only upwards)."
        )
    return accepted


def prepare(run_dir: str | pathlib.Path, config: LMConfig, corpus: Corpus) -> list[str]:
    """``check_resume``, then writes the config, vocabulary and corpus record atomically (with
    several processes, every one checks and process 0 writes)."""
    run_dir = pathlib.Path(run_dir)
    accepted = check_resume(run_dir, config, corpus)
    if not is_main_process():
        return accepted
    run_dir.mkdir(parents=True, exist_ok=True)
    config.save(run_dir / CONFIG_FILE)
    corpus.vocabulary.save(run_dir / VOCABULARY_FILE)
    if (record := corpus.record()) is not None:
        data.write_text_atomically(run_dir / CORPUS_FILE, json.dumps(record, indent=2))
    return accepted


def recorded_corpus(run_dir: str | pathlib.Path, data_dir: str | pathlib.Path | None = None) -> pathlib.Path | None:
    """The corpus file ``run_dir`` trained on (see ``find_recorded``), or None if it recorded none."""
    path = pathlib.Path(run_dir) / CORPUS_FILE
    return find_recorded(json.loads(path.read_text()), data_dir) if path.is_file() else None
