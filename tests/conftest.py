"""Compiler setting and test ordering for ``pytest -n auto`` (``make test``)."""

from __future__ import annotations

import os

# Compiling dominates this suite: hundreds of small programs, each run for seconds. XLA's CPU
# backend at optimisation level 1 compiles them faster than at its default, 2 (the training tests
# ran 12-16 % faster on 2 cores; the captioning run's BLEU scores were the same to the last digit).
# The notebooks' kernels and the tests' subprocesses inherit it. Set before any test initialises
# jax's backend; an XLA_FLAGS that already chooses a level is kept.
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_backend_optimization_level=1".strip()


def pytest_collection_modifyitems(items: list) -> None:
    """The notebooks first, the tour (the longest) first of all: started last, they would leave
    the other workers idle at the end. The other tests keep their order."""
    items.sort(key=lambda item: ("test_notebooks.py::test_notebook_runs" not in item.nodeid,
                                 "05_tour" not in item.nodeid))
