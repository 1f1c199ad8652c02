"""The generic core's events and artefacts, both belonging to a session.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Adds tables only: an existing 0001 database keeps every row, and the original's four tables
(the Tarkov profile's extension) are not touched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from framewise.store.models import UtcDateTime

revision = "0002"
down_revision: str | None = "0001"
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None


def upgrade() -> None:
    """Create ``events`` and ``artefacts`` and their indexes."""
    now = sa.func.current_timestamp()
    op.create_table(
        "events",
        sa.Column("event_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("stream_sessions.session_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("timestamp", UtcDateTime(), nullable=False),
        sa.Column("video_offset_seconds", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False, server_default=now),
    )
    op.create_index("idx_events_session_time", "events", ["session_id", "timestamp"])
    op.create_index("idx_events_type", "events", ["type"])

    op.create_table(
        "artefacts",
        sa.Column("artefact_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("stream_sessions.session_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "event_id",
            sa.Integer(),
            sa.ForeignKey("events.event_id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False, server_default=now),
    )
    op.create_index("idx_artefacts_session_id", "artefacts", ["session_id"])
    op.create_index("idx_artefacts_event_id", "artefacts", ["event_id"])


def downgrade() -> None:
    """Drop the core's tables, children first; the original's tables stay."""
    op.drop_table("artefacts")
    op.drop_table("events")
