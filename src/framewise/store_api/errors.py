"""What the store client raises: each is a :class:`~framewise.core.errors.StoreError` (exit 6).

A 4xx is permanent (:class:`StoreRequestError`, with the server's stable error code); a store
that stays unreachable through every retry is :class:`StoreUnavailableError`; a write that may
have reached the server before the connection failed is :class:`StoreAmbiguousError`.
"""

from __future__ import annotations

from framewise.core.errors import StoreError
from framewise.store_api.constants import DUPLICATE_CODE

__all__ = [
    "DUPLICATE_CODE",
    "StoreAmbiguousError",
    "StoreRequestError",
    "StoreUnavailableError",
]


class StoreRequestError(StoreError):
    """The store refused a request (4xx): retrying will not help.

    Attributes:
        status: The HTTP status.
        code: The server's error code (``not_found``, ``conflict``, ``duplicate``, ...).
    """

    def __init__(self, message: str, *, status: int, code: str, subject: str) -> None:
        super().__init__(message, subject=subject, hint=f"HTTP {status} {code}")
        self.status = status
        self.code = code


class StoreUnavailableError(StoreError):
    """The store stayed unreachable or failing through every retry."""


class StoreAmbiguousError(StoreError):
    """A write failed after it may have reached the server; check before repeating it."""
