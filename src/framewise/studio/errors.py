"""Every studio error leaves the server as ``{"error": {"code", "message", "hint"}}``.

Bad input is a 4xx whose message says what is wrong and whose hint says what to do; nothing
a client sends should produce a 5xx. Library errors (:mod:`framewise.core.errors`) raised
while a request is checked map to their 4xx here: a file that is not a video is a 415, bad
labels or settings a 422.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from framewise.core.errors import (
    ConfigError,
    CorruptVideoError,
    FramewiseError,
    InputError,
    NotAVideoError,
    OutputError,
)
from framewise.serving import validation_detail

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    416: "range_not_satisfiable",
}


class StudioError(FramewiseError):
    """A request the studio refuses, with its HTTP status and short code.

    Args:
        status: HTTP status (4xx).
        code: Short machine-readable code (``bad_video``, ``bad_labels``, ...).
        message: What is wrong, one line.
        hint: What to do about it.
    """

    def __init__(self, status: int, code: str, message: str, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code


def not_found(what: str, name: str, hint: str = "") -> StudioError:
    """A 404 naming the kind of thing and the name asked for."""
    return StudioError(404, "not_found", f"no {what} {name!r}", hint or f"list the {what}s first")


def error_body(code: str, message: str, hint: str = "") -> dict[str, Any]:
    """The JSON body of an error."""
    return {"error": {"code": code, "message": message, "hint": hint}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description}
    for status, description in {
        400: "Malformed request",
        401: "Missing or wrong write token",
        404: "Not found",
        409: "Conflicts with queued work",
        413: "Upload too large",
        415: "Not a video",
        422: "Bad input (labels, settings, names)",
    }.items()
}
"""The documented error answers, shared by every route."""


def library_error(error: FramewiseError) -> StudioError:
    """The 4xx of a library error raised while a request was checked."""
    if isinstance(error, StudioError):
        return error
    if isinstance(error, NotAVideoError | CorruptVideoError):
        return StudioError(415, "bad_video", error.one_line(), "upload a video file")
    if isinstance(error, InputError | ConfigError):
        return StudioError(422, "bad_input", error.one_line(), error.hint)
    if isinstance(error, OutputError):
        # The data root cannot be written: the server's fault, said plainly.
        return StudioError(507, "storage", error.one_line(), error.hint)
    return StudioError(422, "bad_input", error.one_line(), error.hint)


def _describe(errors: list[Any]) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:5]]
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


async def _studio_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, FramewiseError):
        raise exc
    error = library_error(exc)
    return JSONResponse(error_body(error.code, error.message, error.hint), error.status)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    errors = validation_detail(list(exc.errors()))
    if any(e["type"] == "json_invalid" for e in errors):
        return JSONResponse(error_body("bad_request", _describe(errors), "send valid JSON"), 400)
    hint = "see /docs for the fields of this endpoint"
    return JSONResponse(error_body("bad_request", _describe(errors), hint), 422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), exc.status_code, headers=dict(exc.headers or {}) or None
    )


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # Logged with its traceback for the operator; the client gets no internals.
    log.error("unhandled error in the studio", exc_info=exc)
    return JSONResponse(error_body("internal_error", "internal server error"), 500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that shape every error answer."""
    app.add_exception_handler(FramewiseError, _studio_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
