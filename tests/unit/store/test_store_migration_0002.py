"""An existing 0001 database upgrades to 0002 at startup with every row intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from framewise.store.db import MIGRATIONS_LOCATION, create_store_engine, migrate

ROWS = [
    "INSERT INTO stream_sessions (session_id, started_at, ended_at, session_type, notes, "
    "source_video, import_key) VALUES (1, '2026-01-01 10:00:00.123456', "
    "'2026-01-01 12:00:00.000000', 'stream', 'old', 'v.mp4', 'k1')",
    "INSERT INTO raids (raid_id, session_id, started_at, ended_at, map_name, character_type, "
    "game_mode, current_state, extract_location) VALUES (1, 1, '2026-01-01 10:05:00.000000', "
    "'2026-01-01 10:40:00.000000', 'Woods', 'pmc', 'pve', 'survived', 'ZB-016')",
    "INSERT INTO raid_state_transitions (raid_id, from_state, to_state, transitioned_at) "
    "VALUES (1, 'stash_management', 'survived', '2026-01-01 10:40:00.000000')",
    "INSERT INTO kills (raid_id, killed_at, enemy_type, weapon_used, headshot) "
    "VALUES (1, '2026-01-01 10:20:00.000000', 'scav', 'AK-74', 1)",
]
TABLES = ("stream_sessions", "raids", "raid_state_transitions", "kills")


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def test_a_0001_database_upgrades_with_its_rows_intact(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    engine = create_store_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_LOCATION)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for row in ROWS:
            connection.exec_driver_sql(row)
    assert "events" not in inspect(engine).get_table_names()
    before = _dump(path)
    assert all(len(rows) == 1 for rows in before.values())

    assert migrate(engine) == "0002"

    assert _dump(path) == before
    inspector = inspect(engine)
    assert {"events", "artefacts"} <= set(inspector.get_table_names())
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO events (session_id, type, timestamp, payload) "
            "VALUES (1, 'kill', '2026-01-01 10:20:00.000000', '{}')"
        )
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM events").scalar() == 1
    engine.dispose()
