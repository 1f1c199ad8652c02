"""A uvicorn server in a background thread.

The event store, the review app and the live service all run their FastAPI apps this way
(CLI, demo, tests, notebooks).

Example:
    >>> thread = ServerThread(uvicorn.Config(app, port=8787), name="store",  # doctest: +SKIP
    ...                       failure=lambda: StoreError("did not start")).start()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import uvicorn

from framewise.core.errors import FramewiseError

START_TIMEOUT_S = 15.0
"""How long a server may take to accept connections, or to stop."""


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
