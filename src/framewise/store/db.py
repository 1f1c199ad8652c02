"""Engines, connections and migrations of the event store database.

SQLite connections get foreign keys on (the schema's CASCADE / SET NULL rely on them), a busy
timeout, and write-ahead logging when asked, so a dashboard reading never blocks an import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from framewise.core.errors import ConfigError, StoreError

MIGRATIONS_LOCATION = "framewise.store:migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(wal: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
                # WAL makes NORMAL durable against application crashes; only power loss
                # can drop the last commits, which an import simply re-sends.
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return on_connect


def create_store_engine(url: str, *, sqlite_wal: bool = True) -> Engine:
    """Create an engine for ``url``; a SQLite file's folder is created when missing.

    Raises:
        ConfigError: The URL is not a SQLAlchemy URL, or names a driver that is not installed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"not a database URL: {url!r}",
            subject="--database-url",
            hint="write it like sqlite:////path/events.sqlite3 or postgresql+psycopg://host/db",
        ) from None
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args: dict[str, Any] = {"check_same_thread": False} if is_sqlite else {}
    try:
        engine = create_engine(parsed, connect_args=connect_args)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the database driver {exc.name!r} is not installed",
            subject=url,
            hint=f"pip install {exc.name}",
        ) from None
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_wal))
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_LOCATION)
    return config


def migrate(engine: Engine) -> str:
    """Bring the database schema up to the newest migration.

    Returns:
        The revision the database is at afterwards.

    Raises:
        StoreError: The database cannot be reached or migrated.
    """
    config = _alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            revision = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise StoreError(
            f"cannot migrate the event store database: {exc.orig}",
            subject=engine.url.render_as_string(hide_password=True),
            hint="check the path or URL and that the database is writable",
        ) from None
    return revision or ""


def head_revision() -> str:
    """The newest migration shipped with this framewise."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    return head or ""
