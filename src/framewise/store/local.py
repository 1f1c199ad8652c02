"""Run the event store in a background thread of this process (demos, tests, notebooks).

Example:
    >>> with BackgroundStore(StoreSettings(data_dir=Path("demo-output/store"), port=0)) as store:
    ...     print(store.url)  # doctest: +SKIP
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn

from framewise.core.errors import StoreError
from framewise.store.api import create_app
from framewise.store.settings import StoreSettings

START_TIMEOUT_S = 15.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class BackgroundStore:
    """The event store served by uvicorn in a daemon thread; stoppable and restartable.

    Args:
        settings: As for ``framewise serve``; port 0 picks a free port once, and restarts
            reuse it.
    """

    def __init__(self, settings: StoreSettings) -> None:
        if settings.port == 0:
            settings = settings.model_copy(update={"port": free_port()})
        self.settings = settings
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, through loopback whatever the bind address."""
        return f"http://127.0.0.1:{self.settings.port}"

    def start(self) -> Self:
        """Migrate, build the app and serve it; returns once it accepts connections.

        Raises:
            StoreError: The server did not start (port taken, database unusable).
        """
        app = create_app(self.settings)
        config = uvicorn.Config(
            app,
            host=self.settings.host,
            port=self.settings.port,
            log_level="warning",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="event-store", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise StoreError(
                    "the event store did not start",
                    subject=self.url,
                    hint="is the port already taken?",
                )
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread (idle connections are closed)."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=START_TIMEOUT_S)
            if self._thread.is_alive():
                raise StoreError("the event store did not stop", subject=self.url)
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
