"""Clear errors for bad arguments: the argument, what was expected, what was received."""

from __future__ import annotations

from typing import Any


def bad_argument(argument: str, expected: Any, received: Any) -> ValueError:
    """Returns a ``ValueError`` naming ``argument`` with the expected and the received value."""
    return ValueError(f"{argument}: expected {expected}, received {received}")
