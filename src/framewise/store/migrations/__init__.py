"""Alembic migrations of the event store, shipped in the package.

Alembic finds them as ``framewise.store:migrations``.
"""
