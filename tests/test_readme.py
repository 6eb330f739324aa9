"""The README's Python examples: each block runs on its own, as a reader pastes it."""

from __future__ import annotations

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_each_readme_python_block_runs_alone(index):
    namespace: dict = {}
    exec(compile(BLOCKS[index], f"{README}, python block {index + 1}", "exec"), namespace)  # noqa: S102
    if index == 0:
        assert namespace["outputs"].shape == (4, 20, 16)


def test_readme_quick_start_names_the_two_commands():
    text = README.read_text()
    quick_start = text[text.index("## Quick start") : text.index("## Usage")]
    assert "make demo" in quick_start and "make test" in quick_start
