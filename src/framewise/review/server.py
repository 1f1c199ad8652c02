"""Serve the review app with uvicorn in a background thread (the CLI, tests, notebooks).

Example:
    >>> session, settings = open_review("run/events.json")  # doctest: +SKIP
    >>> with ReviewServer(session, settings, port=0) as server:  # doctest: +SKIP
    ...     print(server.url)
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn

from framewise.core.errors import ConfigError, OutputError
from framewise.review.app import create_app
from framewise.review.deps import ReviewSettings
from framewise.review.session import ReviewSession

HOST = "127.0.0.1"
"""The review app binds loopback only: it edits files on this machine."""

START_TIMEOUT_S = 15.0


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _check_port(port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            raise ConfigError(
                f"port {port} on {HOST} is already in use",
                subject="--port",
                hint="pick another with --port, or --port 0 for any free one",
            ) from None


class ReviewServer:
    """The review app served by uvicorn in a daemon thread, on 127.0.0.1.

    Args:
        session: The log under review.
        settings: Threshold, video and vocabularies.
        port: TCP port; 0 picks a free one.
    """

    def __init__(self, session: ReviewSession, settings: ReviewSettings, port: int = 0) -> None:
        if port == 0:
            port = free_port()
        elif not 0 < port < 65536:
            raise ConfigError(f"port {port} is not a TCP port", subject="--port", hint="1–65535")
        self.session = session
        self.settings = settings
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Address of the review page."""
        return f"http://{HOST}:{self.port}/"

    @property
    def bound_addresses(self) -> list[str]:
        """The addresses the server's sockets listen on (``127.0.0.1`` only)."""
        if self._server is None:
            return []
        return [str(sock.getsockname()[0]) for srv in self._server.servers for sock in srv.sockets]

    @property
    def running(self) -> bool:
        """The server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        """Serve; returns once the server accepts connections.

        Raises:
            ConfigError: The port is taken.
            OutputError: The server did not start.
        """
        _check_port(self.port)
        config = uvicorn.Config(
            create_app(self.session, self.settings),
            host=HOST,
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="review", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise OutputError("the review server did not start", subject=self.url)
            time.sleep(0.01)
        return self

    def wait(self, poll_s: float = 0.5) -> None:
        """Block until the server stops (Ctrl+C raises ``KeyboardInterrupt`` here)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(poll_s)

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=START_TIMEOUT_S)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
