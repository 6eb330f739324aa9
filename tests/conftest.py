"""Compiler settings, the session's compilation cache and test ordering for ``pytest -n auto`` (``make test``)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Compiling dominates this suite: hundreds of small programs, each run for seconds. Without
# LLVM's optimisations XLA's CPU backend compiles them faster, and these tiny runs gain more than
# they lose (2026-12-01, five of the heaviest test files on one core: level 2, XLA's default,
# 288 s, level 1 253 s; on another five, level 1 278 s, level 0 255 s). The numbers computed are
# the same up to float rounding. The notebooks' kernels and the tests' subprocesses inherit it.
# Set before any test initialises jax's backend; an XLA_FLAGS that already chooses a level is kept.
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_backend_optimization_level=0".strip()

# Many tests compile the same programs in other processes: the other pytest worker, the notebooks'
# kernels, and the subprocesses of the resume and multi-process tests (each compiles what the
# uninterrupted run compiled). One persistent compilation cache for the session, every program in
# it however fast it compiled, lets them load it instead. The cache is new for each session (the
# directory is made here in the first process, which the workers and subprocesses inherit through
# the environment, and removed when that process exits), so nothing outlives the run; a
# JAX_COMPILATION_CACHE_DIR already set is kept.
if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="seqjax-tests-jax-cache-")
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)
    os.environ["JAX_COMPILATION_CACHE_DIR"] = _cache
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")


def pytest_collection_modifyitems(items: list) -> None:
    """The notebooks first, the tour (the longest) first of all: started last, they would leave
    the other workers idle at the end. The other tests keep their order."""
    items.sort(key=lambda item: ("test_notebooks.py::test_notebook_runs" not in item.nodeid,
                                 "05_tour" not in item.nodeid))
