"""Test ordering for ``pytest -n auto`` (``make test``)."""

from __future__ import annotations


def pytest_collection_modifyitems(items: list) -> None:
    """The notebooks first, the tour (the longest) first of all: started last, they would leave
    the other workers idle at the end. The other tests keep their order."""
    items.sort(key=lambda item: ("test_notebooks.py::test_notebook_runs" not in item.nodeid,
                                 "05_tour" not in item.nodeid))
