"""Names of a package that load their module on first use (PEP 562), so that importing one of
its light modules (a config, the options of a command) does not import the heavy ones.

    __getattr__, __dir__ = lazy_exports(__name__, {"LMConfig": "config", "generate": "sampling"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, module_of: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``package.name`` imports ``package.<module_of[name]>``
    once and keeps the value in the package's namespace."""

    def __getattr__(name: str) -> Any:
        if name not in module_of:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module_of[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *module_of})

    return __getattr__, __dir__
