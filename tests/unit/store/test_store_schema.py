"""The migrations build exactly the ORM's schema: the original's tables, constraints, indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError

from framewise.store.db import create_store_engine, head_revision, migrate
from framewise.store.models import Base


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'data' / 'events.sqlite3'}")
    migrate(engine)
    return engine


def test_migrated_schema_equals_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_original_indexes_and_foreign_keys_exist(engine: Engine) -> None:
    inspector = inspect(engine)
    indexes = {
        index["name"]
        for table in ("stream_sessions", "raids", "raid_state_transitions", "kills")
        for index in inspector.get_indexes(table)
    }
    assert {
        "idx_sessions_started_at",
        "idx_raids_session_id",
        "idx_raids_started_at",
        "idx_raids_current_state",
        "idx_raids_games_mode",
        "idx_transitions_raid_id",
        "idx_transitions_to_state",
        "idx_transitions_time",
        "idx_kills_raid_id",
        "idx_kills_enemy_type",
    } <= indexes
    actions = {
        (fk["referred_table"], fk["options"].get("ondelete"))
        for table in ("raids", "kills", "raid_state_transitions")
        for fk in inspector.get_foreign_keys(table)
    }
    assert actions == {("stream_sessions", "SET NULL"), ("raids", "CASCADE")}


def test_migrate_is_idempotent_and_reports_head(engine: Engine) -> None:
    # 0002 (the generic core's events and artefacts, issue 13) is the head now.
    assert migrate(engine) == head_revision() == "0002"


def test_sqlite_runs_in_wal_mode_with_enforced_constraints(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "data" / "events.sqlite3"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO stream_sessions (session_id, started_at, session_type) "
            "VALUES (1, '2026-01-01 00:00:00.000000', 'stream')"
        )
        connection.exec_driver_sql(
            "INSERT INTO raids (raid_id, session_id, started_at, map_name, character_type, "
            "game_mode) VALUES (1, 1, '2026-01-01 00:01:00.000000', 'Woods', 'pmc', 'pve')"
        )
        connection.exec_driver_sql(
            "INSERT INTO kills (raid_id, killed_at, enemy_type) "
            "VALUES (1, '2026-01-01 00:02:00.000000', 'scav')"
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO raids (session_id, started_at, map_name, character_type, game_mode) "
            "VALUES (1, '2026-01-01 00:01:00.000000', 'Woods', 'bear', 'pve')"
        )
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM stream_sessions WHERE session_id = 1")
        assert connection.exec_driver_sql("SELECT session_id FROM raids").scalar() is None
        connection.exec_driver_sql("DELETE FROM raids WHERE raid_id = 1")
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM kills").scalar() == 0
