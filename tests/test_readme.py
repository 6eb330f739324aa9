"""The README's Python examples run as written (in order, sharing one namespace)."""

from __future__ import annotations

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert len(blocks) >= 2
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    assert namespace["outputs"].shape == (4, 20, 16)


def test_readme_quick_start_names_the_two_commands():
    text = README.read_text()
    quick_start = text[text.index("## Quick start") : text.index("## Usage")]
    assert "make demo" in quick_start and "make test" in quick_start
