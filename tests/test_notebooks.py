"""Every notebook under notebooks/ runs top to bottom with the fast setting
(``SEQJAX_NOTEBOOK_FAST=1``: the same code on smaller runs), and an error in any cell fails
the test, naming the notebook and the cell. The committed notebooks carry their outputs."""

from __future__ import annotations

import pathlib
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from seqjax.data import data_dir

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_course_notebooks_are_there():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_with_its_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), "run it top to bottom before committing"
    assert any(output.get("data", {}).get("image/png") for cell in code for output in cell.outputs)
    assert not [output for cell in code for output in cell.outputs if output.output_type == "error"]


def _failure_of(path: pathlib.Path) -> str | None:
    """None when ``path`` runs top to bottom, else the notebook's name and the failing cell's error."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    except CellExecutionError as error:
        return f"{path.name}: " + re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # without the traceback's colours
    return None


@pytest.mark.skipif(not (data_dir() / "tinyshakespeare.txt").is_file(), reason="../shared/data is absent")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(monkeypatch, path):
    monkeypatch.setenv("SEQJAX_NOTEBOOK_FAST", "1")
    failure = _failure_of(path)
    assert failure is None, failure


def test_an_error_in_a_cell_is_reported_with_the_notebook_and_the_cell(tmp_path):
    failure = _failure_of(_written(tmp_path / "broken.ipynb", "x = 1", "raise ValueError('broken cell')"))
    assert failure is not None and failure.startswith("broken.ipynb: ")
    assert "raise ValueError('broken cell')" in failure and "ValueError: broken cell" in failure
    assert _failure_of(_written(tmp_path / "fine.ipynb", "x = 1")) is None


def _written(path: pathlib.Path, *sources: str) -> pathlib.Path:
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path
