"""Clear errors for bad arguments: the argument, what was expected, what was received.

Standard library only (the command lines import it before JAX)."""

from __future__ import annotations

from typing import Any


class ArgumentError(ValueError):
    """A ``ValueError`` that names its argument, the value expected and the one received.

    A command line catches it and names its own option for ``argument`` (``--top-k`` for
    ``top_k``), so the message a user reads names what they typed.
    """

    def __init__(self, argument: str, expected: Any, received: Any):
        super().__init__(f"{argument}: expected {expected}, received {received}")
        self.argument, self.expected, self.received = argument, expected, received

    def renamed(self, argument: str) -> str:
        """The message with ``argument`` in place of the library's name."""
        return f"{argument}: expected {self.expected}, received {self.received}"


def bad_argument(argument: str, expected: Any, received: Any) -> ArgumentError:
    """Returns an ``ArgumentError`` naming ``argument`` with the expected and the received value."""
    return ArgumentError(argument, expected, received)
