"""Errors the event store server answers with: each has an HTTP status and a stable code.

They are raised by the repository (business rules live next to the SQL that enforces them)
and turned into ``{"error": {"code", "message"}}`` bodies by :mod:`framewise.store.api.errors`.
A client sees the same codes in :class:`framewise.store_api.errors.StoreRequestError`.
"""

from __future__ import annotations

from framewise.store_api.constants import DUPLICATE_CODE

__all__ = [
    "DUPLICATE_CODE",
    "ApiError",
    "BadRequestError",
    "ConflictError",
    "NotFoundError",
    "PayloadTooLargeError",
    "UnauthorizedError",
    "ValidationFailedError",
]


class ApiError(Exception):
    """An error answered to the client.

    Args:
        message: One sentence for a human.
        code: A stable identifier for programs (``not_found``, ``conflict``, ...).
    """

    status_code = 400
    default_code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class BadRequestError(ApiError):
    """The request cannot be read (malformed JSON, wrong content type)."""


class UnauthorizedError(ApiError):
    """A write came without the right token."""

    status_code = 401
    default_code = "unauthorized"


class NotFoundError(ApiError):
    """The session or raid does not exist, or nothing is active."""

    status_code = 404
    default_code = "not_found"


class ConflictError(ApiError):
    """The request contradicts the stored state (a raid already active, a duplicate import)."""

    status_code = 409
    default_code = "conflict"


class PayloadTooLargeError(ApiError):
    """The body is larger than the server accepts."""

    status_code = 413
    default_code = "payload_too_large"


class ValidationFailedError(ApiError):
    """The body is well-formed JSON but breaks the contract."""

    status_code = 422
    default_code = "validation_error"
