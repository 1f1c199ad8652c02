"""Run the event store in a background thread of this process (demos, tests, notebooks).

Example:
    >>> with BackgroundStore(StoreSettings(data_dir=Path("demo-output/store"), port=0)) as store:
    ...     print(store.url)  # doctest: +SKIP
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import uvicorn

from framewise.core.errors import StoreError
from framewise.core.net import free_port
from framewise.serving import ServerThread
from framewise.store.api import create_app
from framewise.store.settings import StoreSettings


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
        self._thread: ServerThread | None = None

    @property
    def url(self) -> str:
        """Base URL, through loopback whatever the bind address."""
        return f"http://127.0.0.1:{self.settings.port}"

    def start(self) -> Self:
        """Migrate, build the app and serve it; returns once it accepts connections.

        Raises:
            StoreError: The server did not start (port taken, database unusable).
        """
        config = uvicorn.Config(
            create_app(self.settings),
            host=self.settings.host,
            port=self.settings.port,
            log_level="warning",
            lifespan="off",
        )
        self._thread = ServerThread(
            config,
            name="event-store",
            failure=lambda: StoreError(
                "the event store did not start",
                subject=self.url,
                hint="is the port already taken?",
            ),
        ).start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread (idle connections are closed)."""
        thread, self._thread = self._thread, None
        if thread is not None and not thread.stop():
            raise StoreError("the event store did not stop", subject=self.url)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
