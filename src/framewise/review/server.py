"""Serve the review app with uvicorn in a background thread (the CLI, tests, notebooks).

Example:
    >>> session, settings = open_review("run/events.json")  # doctest: +SKIP
    >>> with ReviewServer(session, settings, port=0) as server:  # doctest: +SKIP
    ...     print(server.url)
"""

from __future__ import annotations

import socket
from types import TracebackType
from typing import Self

import uvicorn

from framewise.core.errors import ConfigError, OutputError
from framewise.core.net import free_port
from framewise.review.app import create_app
from framewise.review.deps import ReviewSettings
from framewise.review.session import ReviewSession
from framewise.serving import ServerThread

HOST = "127.0.0.1"
"""The review app binds loopback only: it edits files on this machine."""


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
            port = free_port(HOST)
        elif not 0 < port < 65536:
            raise ConfigError(f"port {port} is not a TCP port", subject="--port", hint="1–65535")
        self.session = session
        self.settings = settings
        self.port = port
        self._thread: ServerThread | None = None

    @property
    def url(self) -> str:
        """Address of the review page."""
        return f"http://{HOST}:{self.port}/"

    @property
    def bound_addresses(self) -> list[str]:
        """The addresses the server's sockets listen on (``127.0.0.1`` only)."""
        return self._thread.bound_addresses if self._thread is not None else []

    @property
    def running(self) -> bool:
        """The server thread is serving."""
        return self._thread is not None and self._thread.running

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
        self._thread = ServerThread(
            config,
            name="review",
            failure=lambda: OutputError("the review server did not start", subject=self.url),
        ).start()
        return self

    def wait(self, poll_s: float = 0.5) -> None:
        """Block until the server stops (Ctrl+C raises ``KeyboardInterrupt`` here)."""
        if self._thread is not None:
            self._thread.wait(poll_s)

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._thread is not None:
            self._thread.stop()
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
