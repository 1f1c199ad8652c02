"""The original's four tables, with source video and import key on sessions.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from framewise.store.models import UtcDateTime

revision = "0001"
down_revision: str | None = None
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None


def upgrade() -> None:
    """Create the four tables and their indexes."""
    now = sa.func.current_timestamp()
    op.create_table(
        "stream_sessions",
        sa.Column("session_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("started_at", UtcDateTime(), nullable=False, server_default=now),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("session_type", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source_video", sa.Text(), nullable=True),
        sa.Column("import_key", sa.String(64), nullable=True, unique=True),
        sa.CheckConstraint(
            "session_type IN ('stream', 'practice', 'casual')", name="ck_sessions_session_type"
        ),
    )
    op.create_index("idx_sessions_started_at", "stream_sessions", ["started_at"])
    op.create_index("idx_sessions_source_video", "stream_sessions", ["source_video"])

    op.create_table(
        "raids",
        sa.Column("raid_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("stream_sessions.session_id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("started_at", UtcDateTime(), nullable=False, server_default=now),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("map_name", sa.Text(), nullable=False),
        sa.Column("character_type", sa.Text(), nullable=False),
        sa.Column("game_mode", sa.Text(), nullable=False),
        sa.Column("current_state", sa.Text(), nullable=False, server_default="stash_management"),
        sa.Column("extract_location", sa.Text(), nullable=True),
        sa.CheckConstraint("character_type IN ('pmc', 'scav')", name="ck_raids_character_type"),
        sa.CheckConstraint("game_mode IN ('pve', 'pvp')", name="ck_raids_game_mode"),
    )
    op.create_index("idx_raids_session_id", "raids", ["session_id"])
    op.create_index("idx_raids_started_at", "raids", ["started_at"])
    op.create_index("idx_raids_current_state", "raids", ["current_state"])
    op.create_index("idx_raids_games_mode", "raids", ["game_mode"])

    op.create_table(
        "raid_state_transitions",
        sa.Column("transition_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "raid_id",
            sa.Integer(),
            sa.ForeignKey("raids.raid_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_state", sa.Text(), nullable=True),
        sa.Column("to_state", sa.Text(), nullable=False),
        sa.Column("transitioned_at", UtcDateTime(), nullable=False, server_default=now),
    )
    op.create_index("idx_transitions_raid_id", "raid_state_transitions", ["raid_id"])
    op.create_index("idx_transitions_to_state", "raid_state_transitions", ["to_state"])
    op.create_index("idx_transitions_time", "raid_state_transitions", ["transitioned_at"])

    op.create_table(
        "kills",
        sa.Column("kill_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "raid_id",
            sa.Integer(),
            sa.ForeignKey("raids.raid_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("killed_at", UtcDateTime(), nullable=False, server_default=now),
        sa.Column("enemy_type", sa.Text(), nullable=False),
        sa.Column("weapon_used", sa.Text(), nullable=True),
        sa.Column("headshot", sa.Boolean(), nullable=True),
    )
    op.create_index("idx_kills_raid_id", "kills", ["raid_id"])
    op.create_index("idx_kills_enemy_type", "kills", ["enemy_type"])


def downgrade() -> None:
    """Drop everything, children first."""
    op.drop_table("kills")
    op.drop_table("raid_state_transitions")
    op.drop_table("raids")
    op.drop_table("stream_sessions")
