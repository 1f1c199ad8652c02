"""What request handlers depend on, handed to them with FastAPI's ``Depends``.

Routers are built by factory functions that receive one :class:`StoreDeps`; its bound methods
are the dependencies. Nothing is hung on ``app.state``: two apps in one process (tests run
several) never share a database or a token.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Header
from sqlalchemy.orm import Session, sessionmaker

from framewise.store.errors import UnauthorizedError
from framewise.store.repository import Repository


class Store:
    """Opens read and write transactions on the database.

    Writes are serialised by a lock: the rules "one active session", "one active raid" and
    "import key unique" are checked and written in the same transaction, and two concurrent
    writers must not both pass the check. The lock is taken and released inside one handler
    call (never across an ``await``), so waiting writers never starve the one holding it.
    """

    def __init__(self, factory: sessionmaker[Session], schema_revision: str) -> None:
        self._factory = factory
        self._write_lock = threading.Lock()
        self.schema_revision = schema_revision

    @contextmanager
    def read(self) -> Iterator[Repository]:
        """A read-only unit of work (rolled back at the end)."""
        with self._factory() as session:
            yield Repository(session)

    @contextmanager
    def write(self) -> Iterator[Repository]:
        """A unit of work committed when the block ends without an exception."""
        with self._write_lock, self._factory() as session, session.begin():
            yield Repository(session)


class StoreDeps:
    """The dependencies of every router of one app.

    Args:
        store: The database access of this app.
        token: When set, writes need ``Authorization: Bearer <token>``.
    """

    def __init__(self, store: Store, token: str | None) -> None:
        self._store = store
        self._token = token

    def store(self) -> Store:
        """Dependency: the app's :class:`Store`."""
        return self._store

    def authorize(self, authorization: str | None = Header(default=None)) -> None:
        """Dependency of every write: check the bearer token when one is configured.

        Raises:
            UnauthorizedError: The token is missing or wrong.
        """
        if not self._token:
            return
        scheme, _, given = (authorization or "").partition(" ")
        # compare_digest: the time taken must not tell how many leading characters matched.
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self._token.encode()
        ):
            raise UnauthorizedError("this event store needs Authorization: Bearer <token>")
