"""What the event store, the review app and the live service share as HTTP servers.

* :class:`ServerThread`: a uvicorn server in a background thread (CLI, demo, tests, notebooks);
* :class:`BodySizeLimit`: request bodies above a limit answered 413 before a handler reads them;
* :class:`StrictJSONRoute`: request bodies read as strict JSON: ``NaN``, ``Infinity`` and
  ``1e999`` (which Python's reader takes) are refused with 422 like any other bad JSON, so no
  non-finite number reaches a model, a file or a response;
* :func:`validation_detail`: a refused request's errors without the inputs they echo.

Example:
    >>> thread = ServerThread(uvicorn.Config(app, port=8787), name="store",  # doctest: +SKIP
    ...                       failure=lambda: StoreError("did not start")).start()
    >>> app.add_middleware(BodySizeLimit, max_bytes=DEFAULT_MAX_BODY_BYTES)  # doctest: +SKIP
    >>> router = APIRouter(route_class=StrictJSONRoute)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import uvicorn
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from framewise.core.errors import FramewiseError
from framewise.core.jsonfile import strict_loads

START_TIMEOUT_S = 15.0
"""How long a server may take to accept connections, or to stop."""

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""Largest request body the servers read by default (16 MiB; 413 above it)."""

ErrorBody = Callable[[str, str], dict[str, Any]]
"""Builds an app's JSON error body from a short code and a one-line message."""


def error_body(code: str, message: str) -> dict[str, Any]:
    """The event store's error body: ``{"error": {"code": ..., "message": ...}}``."""
    return {"error": {"code": code, "message": message}}


class ServerThread:
    """Serves ``config`` in a thread; :meth:`start` returns once connections are accepted.

    Args:
        config: The uvicorn configuration (app, host, port, log level).
        name: Thread name.
        failure: Builds the error raised when the server does not start (it names the URL
            and what to do; the error class is the caller's).
        daemon: Let the process exit without stopping the thread.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        name: str,
        failure: Callable[[], FramewiseError],
        daemon: bool = True,
    ) -> None:
        self.config = config
        self.name = name
        self.failure = failure
        self.daemon = daemon
        self.server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """The server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def bound_addresses(self) -> list[str]:
        """The addresses the server's sockets listen on."""
        if self.server is None:
            return []
        return [str(s.getsockname()[0]) for srv in self.server.servers for s in srv.sockets]

    def start(self) -> ServerThread:
        """Serve; returns once the server accepts connections.

        Raises:
            FramewiseError: ``failure()``, when the server did not start in time.
        """
        self.server = uvicorn.Server(self.config)
        self._thread = threading.Thread(target=self.server.run, name=self.name, daemon=self.daemon)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:  # uvicorn offers no event to wait on
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise self.failure()
            time.sleep(0.01)
        return self

    def wait(self, poll_s: float = 0.5) -> None:
        """Block until the server stops (Ctrl+C raises ``KeyboardInterrupt`` here)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(poll_s)

    def stop(self) -> bool:
        """Ask the server to exit and wait for its thread; ``False`` if it did not stop."""
        stopped = True
        if self.server is not None and self._thread is not None:
            self.server.should_exit = True
            self._thread.join(timeout=START_TIMEOUT_S)
            stopped = not self._thread.is_alive()
        self.server = None
        self._thread = None
        return stopped


class BodySizeLimit:
    """ASGI middleware answering 413 to bodies larger than ``max_bytes``.

    A declared ``Content-Length`` above the limit is refused at once; a chunked body is
    counted as it streams and refused as soon as it passes the limit.

    Args:
        app: The app it guards.
        max_bytes: Largest body accepted.
        advice: What to do instead, ending the 413's message.
        body: The app's JSON error body (the store's ``{"error": ...}`` by default).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        *,
        advice: str = "split the import",
        body: ErrorBody = error_body,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.advice = advice
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse oversized bodies, pass everything else through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self._refuse(send, 400, "bad_request", "invalid Content-Length")
                    return
                if declared > self.max_bytes:
                    await self._refuse(send, 413, "payload_too_large", self._message())
                    return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body read: FastAPI re-raises HTTPExceptions,
                    # and the app's handler turns it into the usual error body.
                    raise HTTPException(413, detail=self._message())
            return message

        await self.app(scope, counting_receive, send)

    def _message(self) -> str:
        return f"request body larger than {self.max_bytes} bytes; {self.advice}"

    async def _refuse(self, send: Send, status: int, code: str, message: str) -> None:
        body = json.dumps(self.body(code, message)).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class StrictJSONRequest(Request):
    """A request whose JSON body must be strict JSON (finite numbers only)."""

    async def json(self) -> Any:
        """The body, parsed once.

        Raises:
            json.JSONDecodeError: Not JSON, or ``NaN``/``Infinity``/a number past a float's
                range (FastAPI answers it 422 ``json_invalid``, with the reason).
        """
        if not hasattr(self, "_json"):
            self._json = strict_loads(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A FastAPI route that reads its JSON body with :class:`StrictJSONRequest`.

    Pass it as ``route_class`` to an ``APIRouter`` (or set ``app.router.route_class`` before
    adding routes): FastAPI itself reads bodies with ``json.loads``, which takes ``NaN``.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, given the strict request."""
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict


def validation_detail(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """A refused request's errors as ``{type, loc, msg}``: where and why, not the input.

    FastAPI's own answer echoes each bad input, which can be megabytes, or a value JSON
    cannot hold; a JSON syntax error's reason (``ctx.error``) is kept in ``msg``.
    """
    detail = []
    for error in errors:
        message = str(error.get("msg", ""))
        reason = (error.get("ctx") or {}).get("error")
        if error.get("type") == "json_invalid" and reason:
            message = f"{message}: {reason}"
        detail.append(
            {"type": error.get("type"), "loc": list(error.get("loc", ())), "msg": message}
        )
    return detail
