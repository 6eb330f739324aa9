"""``seqjax`` as a user runs it: every bad option, refused resume, moved corpus and diverged
run ends with one line naming what to change, and exit status 2.

The runs that train are subprocesses, ``python -m seqjax`` as typed in a shell. The refusals
call ``seqjax.cli.main``, the function whose return value ``python -m seqjax`` exits with,
in this process: a subprocess would spend ~4 s of a refusal's ~4 s importing JAX again."""

from __future__ import annotations

import hashlib
import os
import pathlib
import subprocess
import sys

import pytest

from seqjax import cli
from tests.language_modeling.test_char_lm import TEXT

ROOT = pathlib.Path(__file__).resolve().parents[1]
TINY_RUN = ["--preset", "tiny", "--steps", "6", "--eval-every", "6", "--checkpoint-every", "3",
            "--eval-batch-size", "2", "--no-progress"]


def seqjax(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "seqjax", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


def seqjax_in_process(capsys, *argv: str) -> subprocess.CompletedProcess:
    """``seqjax(*argv)`` run by ``cli.main`` here: its exit status, stdout and stderr."""
    capsys.readouterr()
    try:
        status = cli.main(list(argv))
    except SystemExit as exit_:  # argparse's own refusals
        status = exit_.code
    out = capsys.readouterr()
    return subprocess.CompletedProcess(["seqjax", *argv], status, out.out, out.err)


def snapshot(directory: pathlib.Path) -> dict[str, str]:
    """Every file under ``directory`` and the SHA-256 of its bytes."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """rc 2, one line on stderr holding every fragment, no traceback."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("corpus") / "citizens.txt"
    path.write_text(TEXT * 3 + "ROMEO:\n")  # the default --prime is in the vocabulary
    return path


@pytest.fixture(scope="module")
def run_dir(corpus, tmp_path_factory) -> pathlib.Path:
    """A tiny trained run (6 steps)."""
    directory = tmp_path_factory.mktemp("run")
    result = seqjax("train", *TINY_RUN, "--data", str(corpus), "--run-dir", str(directory))
    assert result.returncode == 0, result.stderr
    return directory


@pytest.mark.parametrize("options,fragments", [
    (["--steps", "-5"], ["--steps: expected a positive int, received -5"]),
    (["--batch-size", "0"], ["--batch-size: expected a positive int, received 0"]),
    (["--dropout", "1.5"], ["--dropout: expected a probability in [0, 1), received 1.5"]),
    (["--learning-rate", "nan"], ["--learning-rate: expected a finite positive number, received nan"]),
    (["--time-limit-minutes", "inf"], ["--time-limit-minutes: expected", "received inf"]),
    (["--sample", "-5"], ["--sample: expected an int >= 0, received -5"]),
    (["--sample", "10", "--prime", ""], ["--prime: expected at least one token", "received an empty string"]),
    (["--temperature", "nan"], ["--temperature: expected a finite number >= 0", "received nan"]),
    (["--top-k", "-3"], ["--top-k: expected an int in [0, ", "received -3"]),
])
def test_bad_train_options_are_named_before_anything_is_trained(options, fragments, corpus, tmp_path, capsys):
    result = seqjax_in_process(capsys, "train", *TINY_RUN, "--data", str(corpus), "--run-dir", str(tmp_path / "run"),
                               *options)
    assert_refused(result, *fragments)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("options,fragments", [
    (["--prime", ""], ["--prime: expected at least one token"]),
    (["--prime", "Zebra\u00e9"], ["--prime: expected text in the", "'Z', 'b', '\u00e9' are not in it"]),
    (["--temperature", "-1"], ["--temperature: expected a finite number >= 0", "received -1.0"]),
    (["--temperature", "nan"], ["--temperature:", "received nan"]),
    (["--top-k", "-3"], ["--top-k: expected an int in [0, ", "received -3"]),
    (["--top-k", "1000"], ["--top-k: expected an int in [0, ", "(the vocabulary's size; 0: all), received 1000"]),
    (["--length", "-5"], ["--length: expected an int >= 0, received -5"]),
])
def test_bad_sampling_options_are_named(options, fragments, run_dir, capsys):
    assert_refused(seqjax_in_process(capsys, "sample", str(run_dir), *options), *fragments)


@pytest.mark.parametrize("options,fragments", [
    (["--hidden-size", "48"], ["--hidden-size 32 -> 48", "pick another --run-dir"]),
    (["--steps", "9"], ["--steps 6 -> 9"]),
    (["--time-limit-minutes", "1"], ["--time-limit-minutes None -> 1.0"]),
])
def test_a_refused_resume_names_the_changes_and_leaves_the_run_directory_byte_identical(
        options, fragments, run_dir, corpus, capsys):
    before = snapshot(run_dir)
    result = seqjax_in_process(capsys, "train", *TINY_RUN, "--data", str(corpus), "--run-dir", str(run_dir), *options)
    assert_refused(result, *fragments)
    assert snapshot(run_dir) == before


def test_a_resume_on_another_corpus_with_the_same_characters_is_refused(run_dir, corpus, tmp_path, capsys):
    other = tmp_path / "shuffled.txt"
    other.write_text("".join(reversed(corpus.read_text())))
    before = snapshot(run_dir)
    result = seqjax_in_process(capsys, "train", *TINY_RUN, "--data", str(other), "--run-dir", str(run_dir))
    assert_refused(result, "--data citizens.txt (sha256 ", "-> shuffled.txt (sha256 ")
    assert snapshot(run_dir) == before


def test_a_resume_may_change_how_often_it_evaluates_and_says_so(corpus, tmp_path):
    run = tmp_path / "run"
    assert seqjax("train", *TINY_RUN, "--data", str(corpus), "--run-dir", str(run)).returncode == 0
    result = seqjax("train", *TINY_RUN, "--data", str(corpus), "--run-dir", str(run), "--eval-every", "3")
    assert result.returncode == 0, result.stderr
    assert "resuming with --eval-every 6 -> 3 (how often it evaluates)" in result.stdout


def test_a_moved_corpus_is_found_by_its_name_or_named_with_the_option_to_pass(corpus, tmp_path, capsys):
    moving = tmp_path / "moving.txt"
    moving.write_text(corpus.read_text())
    run = tmp_path / "run"
    assert seqjax("train", *TINY_RUN, "--data", str(moving), "--run-dir", str(run)).returncode == 0
    moved_dir = tmp_path / "data"
    moved_dir.mkdir()
    moving.rename(moved_dir / "moving.txt")
    assert_refused(seqjax_in_process(capsys, "evaluate", str(run)),
                   "moving.txt (sha256 ", "is no longer at", "pass its new path with --data")
    found = seqjax_in_process(capsys, "evaluate", str(run), "--data-dir", str(moved_dir))
    assert found.returncode == 0 and "validation tokens: loss" in found.stdout, found.stderr
    given = seqjax_in_process(capsys, "evaluate", str(run), "--data", str(moved_dir / "moving.txt"))
    assert given.returncode == 0, given.stderr


def test_a_learning_rate_far_too_high_warns_that_the_loss_is_above_a_uniform_guess(corpus, tmp_path):
    result = seqjax("train", *TINY_RUN, "--data", str(corpus), "--run-dir", str(tmp_path / "run"),
                    "--learning-rate", "1e6")
    assert result.returncode == 0, result.stderr
    assert "warning: the validation loss" in result.stderr and "what a uniform guess scores" in result.stderr


def test_a_diverged_run_is_one_line_and_keeps_no_nonfinite_best_checkpoint(corpus, tmp_path):
    run = tmp_path / "run"
    result = seqjax("train", *TINY_RUN, "--steps", "30", "--data", str(corpus), "--run-dir", str(run),
                    "--learning-rate", "1e38", "--max-grad-norm", "1e38")
    assert_refused(result, "steps in a row had a non-finite loss", "Parameters are those before the first skipped step")
    best = run / "checkpoints" / "best"
    assert not best.exists() or not any(p.name.isdigit() for p in best.iterdir())


@pytest.mark.parametrize("argv,fragment", [
    (["seqjax.bench", "--shapes", "foo"], "--shapes: expected BATCHxTIMExINPUTxHIDDEN, four positive ints, received 'foo'"),
    (["seqjax.train.plot", "no/such/run"], "run_dir: expected a run directory holding metrics.jsonl, received 'no/such/run' (no such directory)"),
    (["experiments.sentiment.train", "--folds", "0"], "--folds: expected an int in [1, 10], received 0"),
    (["experiments.pos_tagging.train", "--data-dir", "no/such/dir"], "is not in the data directory no/such/dir "
     "(set --data-dir or $SEQJAX_DATA_DIR, pass the file's path, or pass --download to fetch it from "
     "https://raw.githubusercontent.com/UniversalDependencies/UD_English-LinES/"),
])
def test_the_other_commands_end_bad_flags_and_missing_data_with_a_message_and_status_2(argv, fragment):
    result = subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and fragment in result.stderr.strip().splitlines()[-1], result.stderr


def test_a_corrupt_checkpoint_is_one_line_naming_the_kept_ones(run_dir, tmp_path, capsys):
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(run_dir, damaged)
    best = next(p for p in (damaged / "checkpoints" / "best").iterdir() if p.name.isdigit())
    victim = max((best / "state" / "d").iterdir(), key=lambda p: p.stat().st_size)
    victim.write_bytes(bytes(255 - b for b in victim.read_bytes()))
    result = seqjax_in_process(capsys, "sample", str(damaged), "--checkpoint", "best", "--length", "5")
    assert_refused(result, f"checkpoint {best}", "kept in", "latest/ steps 3, 6; best/ step")
