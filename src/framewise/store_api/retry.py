"""Exponential backoff for the store client's transient failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: ``initial``, ``initial × factor``, ... capped at ``maximum``.

    Attributes:
        attempts: Tries in all (1 means no retry).
        initial: First delay in seconds.
        factor: Growth of each next delay.
        maximum: Longest delay in seconds.
    """

    attempts: int = 8
    initial: float = 0.2
    factor: float = 2.0
    maximum: float = 5.0

    def delays(self) -> Iterator[float]:
        """The waits between attempts (one fewer than ``attempts``)."""
        delay = self.initial
        for _ in range(self.attempts - 1):
            yield min(delay, self.maximum)
            delay *= self.factor


RetryHook = Callable[[str, float, str], None]
"""Called before each retry with (request, delay in seconds, reason)."""
