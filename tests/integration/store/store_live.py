"""A real event store on 127.0.0.1 for tests: :class:`BackgroundStore` on a real SQLite file,
plus ways to look straight into that file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from framewise.store.local import BackgroundStore
from framewise.store.settings import StoreSettings

TABLES = ("stream_sessions", "raids", "raid_state_transitions", "kills")


class LiveServer(BackgroundStore):
    """The event store in a thread of the test process; stoppable and restartable."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        token: str | None = None,
        max_body_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        super().__init__(
            StoreSettings(
                data_dir=data_dir, host=host, port=0, token=token, max_body_bytes=max_body_bytes
            )
        )

    @property
    def db_path(self) -> Path:
        """The SQLite file."""
        return self.settings.data_dir / "events.sqlite3"

    def counts(self) -> dict[str, int]:
        """Rows per table, read straight from the SQLite file."""
        with sqlite3.connect(self.db_path) as db:
            return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        """Rows of a query on the SQLite file."""
        with sqlite3.connect(self.db_path) as db:
            return list(db.execute(sql).fetchall())
