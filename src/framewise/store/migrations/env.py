"""Alembic environment: runs migrations on the connection that :mod:`framewise.store.db` passes.

framewise never runs Alembic from an ``alembic.ini``; :func:`framewise.store.db.migrate` builds
the config in code and hands its open connection over in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from framewise.store.models import Base


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise TypeError(
            "framewise migrations run through framewise.store.db.migrate(), not the alembic CLI"
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_run()
