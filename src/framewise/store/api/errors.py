"""Every error leaves the server as ``{"error": {"code", "message"}}``.

Malformed JSON is a 400, a body that breaks the contract a 422, unknown ids 404, state
conflicts 409; nothing the client sends should produce a 5xx.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from framewise.store.errors import ApiError
from framewise.store_api.schemas import ErrorResponse

log = logging.getLogger(__name__)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed request"},
    401: {"model": ErrorResponse, "description": "Missing or wrong write token"},
    404: {"model": ErrorResponse, "description": "Not found, or nothing active"},
    409: {"model": ErrorResponse, "description": "Conflicts with the stored state"},
    413: {"model": ErrorResponse, "description": "Body too large"},
    422: {"model": ErrorResponse, "description": "Body breaks the contract"},
}
"""The documented error answers, shared by every route."""

_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def error_body(code: str, message: str) -> dict[str, Any]:
    """The JSON body of an error."""
    return {"error": {"code": code, "message": message}}


def _describe(errors: list[Any]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, ApiError):
        raise exc
    return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status_code)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    errors = list(exc.errors())
    for error in errors:
        if error.get("type") != "json_invalid":
            continue
        reason = str((error.get("ctx") or {}).get("error", ""))
        if _NOT_FINITE in reason:
            # Well-formed JSON but for a NaN or Infinity (the strict reader's refusal, see
            # StrictJSONRoute): the number breaks the contract, as a 422 says.
            return JSONResponse(error_body("validation_error", f"body: {reason}"), 422)
        return JSONResponse(error_body("bad_request", "the body is not valid JSON"), 400)
    return JSONResponse(error_body("validation_error", _describe(errors)), 422)


_NOT_FINITE = "is not a finite number"
"""How :func:`framewise.core.jsonfile.strict_loads` words a NaN or Infinity it refused."""

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    # Starlette's 405 lists only the first route whose path matched; when GET and POST of
    # one path are two routes (GET and POST /api/sessions/{id}/events), Allow must name both.
    # Asking every route whether it fully matches each method works through included routers.
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers or None
    )


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, IntegrityError):
        raise exc
    # A constraint the repository's checks did not foresee (e.g. another process writing the
    # same import key at the same moment): the transaction was rolled back.
    log.warning("write refused by a database constraint: %s", exc.orig)
    message = "the write conflicts with stored data (a database constraint refused it)"
    return JSONResponse(error_body("conflict", message), 409)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # Logged with its traceback for the operator; the client gets no internals.
    log.error("unhandled error in the event store", exc_info=exc)
    return JSONResponse(error_body("internal_error", "internal server error"), 500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that shape every error answer."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(Exception, _unexpected)
