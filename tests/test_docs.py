"""The documentation: its pages' examples run, the strict site build, and the API reference's coverage.

The docstrings' ``>>>`` examples run through pytest's ``--doctest-modules`` (pyproject.toml).
"""

from __future__ import annotations

import importlib
import os
import pathlib
import re
import subprocess
import sys
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PACKAGES = ("core", "nn", "models", "train", "data")
# The pages written for the site (not the linked BENCHMARKS.md and experiments' pages, which hold
# no Python), and the README.
PAGES = sorted(path for path in DOCS.glob("*.md") if not path.is_symlink()) + [ROOT / "README.md"]
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)


def python_blocks(page: pathlib.Path) -> list[str]:
    return PYTHON_BLOCK.findall(page.read_text())


def test_the_pages_hold_python_examples():
    assert sum(len(python_blocks(page)) for page in PAGES) >= 12
    assert PYTHON_BLOCK.findall("text\n```python\nx = 1\n```\nmore\n```python\ny = 2\n```\n") == ["x = 1\n", "y = 2\n"]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_python_block_of_a_page_runs(page):
    """A page's blocks run in order in one namespace, as a reader follows the page."""
    module = types.ModuleType(f"docs_page_{page.stem.replace('-', '_')}")  # a real module: dataclasses look theirs up
    sys.modules[module.__name__] = module
    try:
        for index, block in enumerate(python_blocks(page)):
            exec(compile(block, f"{page.relative_to(ROOT)}, python block {index + 1}", "exec"), vars(module))  # noqa: S102
    finally:
        del sys.modules[module.__name__]


def test_the_readme_quick_start_names_the_two_commands_and_links_the_docs():
    text = (ROOT / "README.md").read_text()
    quick_start = text[text.index("## Quick start") : text.index("\n## ", text.index("## Quick start") + 1)]
    assert "make demo" in quick_start and "make test" in quick_start
    assert "docs/index.md" in text and "make docs" in text


def public_names(package: str) -> list[str]:
    return list(importlib.import_module(f"seqjax.{package}").__all__)


def test_every_public_name_and_method_has_a_docstring():
    """What the API reference renders: griffe reads the sources as mkdocstrings does."""
    griffe = pytest.importorskip("griffe")
    seqjax = griffe.load("seqjax", search_paths=[str(ROOT)], resolve_aliases=True, resolve_external=False)

    def documented(obj) -> bool:
        return bool(obj.docstring and obj.docstring.value.strip())

    missing = []
    for package in PACKAGES:
        for name in public_names(package):
            obj = seqjax[package][name]
            obj = obj.final_target if obj.is_alias else obj
            if not documented(obj):
                missing.append(f"seqjax.{package}.{name}")
            if not obj.is_class:
                continue
            for member_name, member in obj.all_members.items():
                member = member.final_target if member.is_alias else member
                # Flax's setup is a hook, not an API; an override inherits its base's docstring.
                if member_name.startswith("_") or member_name == "setup" or not member.is_function:
                    continue
                if not any(member_name in base.members and documented(base.members[member_name]) for base in obj.mro()) \
                        and not documented(member):
                    missing.append(f"seqjax.{package}.{name}.{member_name}")
    assert not missing, f"public names without a docstring: {missing}"


def test_the_data_page_lists_every_digest_a_loader_verifies():
    from seqjax.data.files import KnownFile

    page = (DOCS / "data.md").read_text()
    digests = {}
    for module in (ROOT / "seqjax" / "data").glob("*.py"):
        for value in vars(importlib.import_module(f"seqjax.data.{module.stem}")).values():
            values = value.values() if isinstance(value, dict) else value if isinstance(value, (tuple, list)) else [value]
            digests.update({known.name: known.sha256 for known in values if isinstance(known, KnownFile)})
    assert len(digests) >= 30
    assert not [name for name, digest in digests.items() if f"`{name}` | `{digest}`" not in page]


def test_the_site_builds_strictly_and_its_api_reference_names_every_public_name(tmp_path):
    """``mkdocs build --strict``: a broken link, an unknown page or an unresolved reference fails."""
    pytest.importorskip("mkdocs")
    site = tmp_path / "site"
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=environment,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    for package in PACKAGES:
        anchors = set(re.findall(r'id="(seqjax\.[\w.]+)"', (site / "api" / package / "index.html").read_text()))
        unrendered = [name for name in public_names(package)
                      if f"seqjax.{package}.{name}" not in anchors and not any(a.startswith(f"seqjax.{package}.{name}.") for a in anchors)]
        assert not unrendered, f"seqjax.{package}: not in the API reference: {unrendered}"
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert (site / "notebooks" / notebook.stem / "index.html").exists(), notebook.name
