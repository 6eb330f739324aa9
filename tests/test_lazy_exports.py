"""seqjax.lazy_exports: a package's names load their module on first use, once."""

from __future__ import annotations

import sys

import pytest


def test_a_name_loads_its_module_on_first_use_only(tmp_path, monkeypatch):
    package = tmp_path / "lazy_package"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from seqjax.lazy_exports import lazy_exports\n"
        "__getattr__, __dir__ = lazy_exports(__name__, {'VALUE': 'heavy'})\n")
    (package / "heavy.py").write_text("LOADS = [1]\nVALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import lazy_package

        assert "lazy_package.heavy" not in sys.modules and "VALUE" in dir(lazy_package)
        assert lazy_package.VALUE == 42 and "lazy_package.heavy" in sys.modules
        assert vars(lazy_package)["VALUE"] == 42  # kept: later lookups skip __getattr__
        with pytest.raises(AttributeError, match="'lazy_package' has no attribute 'OTHER'"):
            lazy_package.OTHER  # noqa: B018
    finally:
        for name in ("lazy_package", "lazy_package.heavy"):
            sys.modules.pop(name, None)
