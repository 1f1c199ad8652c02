"""Settings of the event store server: where the database lives, where to bind, who may write.

Every field can come from the environment (``FRAMEWISE_STORE_<FIELD>``) or from the CLI.
SQLite in a data directory is the default; any SQLAlchemy URL (PostgreSQL, ...) works too.

Example:
    >>> s = StoreSettings(data_dir=Path("/tmp/fw"))
    >>> s.resolved_database_url()
    'sqlite:////tmp/fw/events.sqlite3'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from framewise.config.env import from_environment, is_loopback_host
from framewise.core.errors import ConfigError

ENV_PREFIX = "FRAMEWISE_STORE_"
DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "framewise" / "store"
SQLITE_FILE_NAME = "events.sqlite3"


class StoreSettings(BaseModel):
    """How the event store runs.

    Attributes:
        data_dir: Folder of the default SQLite database.
        database_url: Any SQLAlchemy URL; when empty, a SQLite file in ``data_dir``.
        host: Interface to bind; loopback by default.
        port: TCP port.
        token: Write token. Required (non-empty) whenever ``host`` is not loopback; when set,
            every write must send ``Authorization: Bearer <token>``.
        max_body_bytes: Largest request body accepted (HTTP 413 above it).
        sqlite_wal: Put SQLite in write-ahead-log mode (readers never block the writer).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8787, ge=0, le=65535)
    token: str | None = None
    max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    sqlite_wal: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> StoreSettings:
        """Build settings from ``FRAMEWISE_STORE_*`` variables, then explicit overrides.

        Args:
            environ: The environment to read (``os.environ`` when omitted).
            **overrides: Values that win over the environment; ``None`` values are ignored.

        Raises:
            ConfigError: A value is invalid; the message names the variable.
        """
        return from_environment(cls, ENV_PREFIX, "event store", environ, overrides)

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL to connect to (a SQLite file in ``data_dir`` by default)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / SQLITE_FILE_NAME}"

    def is_loopback(self) -> bool:
        """Whether ``host`` only accepts connections from this machine."""
        return is_loopback_host(self.host)

    def check_security(self) -> None:
        """Refuse to serve writes to the network without a token.

        Raises:
            ConfigError: ``host`` is not loopback and no token is set.
        """
        if not self.is_loopback() and not self.token:
            raise ConfigError(
                f"binding the event store to {self.host} needs a write token",
                subject="--host",
                hint="pass --token T (or set FRAMEWISE_STORE_TOKEN), or bind to 127.0.0.1",
            )
