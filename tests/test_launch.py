"""``python -m seqjax.launch --local N``: each process told its place, a failure stops the
others, a time limit stops them all (plain Python commands: no JAX needed)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time

import pytest

from seqjax import launch

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_each_process_is_told_the_coordinator_the_count_and_its_id(tmp_path):
    names = (launch.COORDINATOR_VARIABLE, launch.NUM_PROCESSES_VARIABLE, launch.PROCESS_ID_VARIABLE)
    record = (f"import json, os, pathlib; told = {{k: os.environ[k] for k in {names!r}}}; "
              f"pathlib.Path(r'{tmp_path}', told[{launch.PROCESS_ID_VARIABLE!r}]).write_text(json.dumps(told))")
    assert launch.main(["--local", "3", "--", sys.executable, "-c", record]) == 0
    told = [json.loads((tmp_path / str(i)).read_text()) for i in range(3)]
    coordinators = {t[launch.COORDINATOR_VARIABLE] for t in told}
    assert len(coordinators) == 1 and coordinators.pop().startswith("127.0.0.1:")
    assert [(t[launch.NUM_PROCESSES_VARIABLE], t[launch.PROCESS_ID_VARIABLE]) for t in told] == [("3", "0"), ("3", "1"), ("3", "2")]


def test_a_failed_process_stops_the_others_and_gives_its_exit_status():
    fail_or_wait = (f"import os, sys, time; sys.exit(3) if os.environ[{launch.PROCESS_ID_VARIABLE!r}] == '1' "
                    "else time.sleep(120)")
    began = time.monotonic()
    assert launch.launch_local([sys.executable, "-c", fail_or_wait], 3, grace_s=5) == 3
    assert time.monotonic() - began < 60  # the sleeping processes were stopped, not waited for


def test_the_time_limit_stops_every_process():
    began = time.monotonic()
    assert launch.launch_local([sys.executable, "-c", "import time; time.sleep(120)"], 2, timeout_s=1, grace_s=5) == 124
    assert time.monotonic() - began < 60


def test_bad_launches_are_refused_with_what_is_expected():
    for argv, fragment in ((["--local", "0", "--", "true"], "--local: expected a positive number of processes, got 0"),
                           (["--local", "2"], "expected the command to run after --")):
        result = subprocess.run([sys.executable, "-m", "seqjax.launch", *argv], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2 and fragment in result.stderr, result.stderr
    with pytest.raises(ValueError, match="processes: expected a positive int, got 0"):
        launch.launch_local(["true"], 0)
