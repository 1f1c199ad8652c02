"""Repository rules on a real SQLite file: one active session and raid, exact times, import."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from framewise.store.api.deps import Store
from framewise.store.db import create_store_engine, migrate, session_factory
from framewise.store.errors import ConflictError, NotFoundError
from framewise.store.repository import NewKill
from framewise.store.schemas import ImportSessionRequest

T0 = datetime(2026, 1, 15, 18, 5, 23, 654321, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'events.sqlite3'}")
    revision = migrate(engine)
    yield Store(session_factory(engine), revision)
    engine.dispose()


def test_one_active_session_and_one_active_raid(store: Store) -> None:
    with store.write() as repo:
        with pytest.raises(NotFoundError):
            repo.create_raid(map_name="Woods", character_type="pmc", game_mode="pve", started_at=T0)
        repo.create_session(session_type="stream", notes=None, started_at=T0)
        with pytest.raises(ConflictError):
            repo.create_session(session_type="casual", notes=None, started_at=T0)
        raid = repo.create_raid(
            map_name="Woods", character_type="pmc", game_mode="pve", started_at=T0
        )
        with pytest.raises(ConflictError, match="already active"):
            repo.create_raid(map_name="Labs", character_type="pmc", game_mode="pvp", started_at=T0)
        repo.end_raid(raid.raid_id, final_state="survived", extract_location="ZB-1011", at=T0)
        with pytest.raises(ConflictError, match="already ended"):
            repo.transition(raid.raid_id, "raid_active", T0)


def test_times_come_back_exactly_and_transitions_chain(store: Store) -> None:
    later = T0 + timedelta(minutes=3, microseconds=7)
    with store.write() as repo:
        session = repo.create_session(session_type="stream", notes="n", started_at=T0)
        raid = repo.create_raid(
            map_name="Customs", character_type="scav", game_mode="pvp", started_at=later
        )
        repo.transition(raid.raid_id, "queuing", later)
        repo.add_kills(raid.raid_id, [NewKill("pmc", "M4A1", True, later)])
        repo.end_raid(raid.raid_id, final_state="survived", extract_location=None, at=later)
        ids = (session.session_id, raid.raid_id)
    with store.read() as repo:
        assert repo.get_session(ids[0]).started_at == T0
        assert repo.get_raid(ids[1]).started_at == later
        assert [k.killed_at for k in repo.kills_for_raid(ids[1])] == [later]
        chain = [(t.from_state, t.to_state) for t in repo.transitions_for_raid(ids[1])]
        assert chain == [("stash_management", "queuing"), ("queuing", "survived")]
        assert repo.get_raid(ids[1]).current_state == "survived"


def test_failed_write_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(ConflictError), store.write() as repo:
        repo.create_session(session_type="stream", notes=None, started_at=T0)
        repo.create_session(session_type="stream", notes=None, started_at=T0)
    with store.read() as repo:
        assert repo.find_sessions() == []


def _import_body(key: str) -> ImportSessionRequest:
    return ImportSessionRequest.model_validate(
        {
            "session": {"started_at": T0, "ended_at": T0 + timedelta(hours=1), "import_key": key},
            "raids": [
                {
                    "map_name": "Woods",
                    "character_type": "pmc",
                    "game_mode": "pve",
                    "started_at": T0 + timedelta(minutes=1),
                    "transitions": [
                        {"to_state": "raid_active", "transitioned_at": T0 + timedelta(minutes=3)},
                        {"to_state": "queuing", "transitioned_at": T0 + timedelta(minutes=2)},
                    ],
                    "kills": [{"enemy_type": "scav", "timestamp": T0 + timedelta(minutes=4)}],
                    "end": {"final_state": "survived", "ended_at": T0 + timedelta(minutes=9)},
                }
            ],
        }
    )


def test_import_orders_transitions_and_refuses_a_duplicate_key(store: Store) -> None:
    with store.write() as repo:
        created = repo.import_session(_import_body("k1"))
    assert (len(created.raid_ids), created.transitions, created.kills) == (1, 3, 1)
    with store.read() as repo:
        chain = [t.to_state for t in repo.transitions_for_raid(created.raid_ids[0])]
        assert chain == ["queuing", "raid_active", "survived"]
        assert repo.get_raid(created.raid_ids[0]).current_state == "survived"
    with pytest.raises(ConflictError) as caught, store.write() as repo:
        repo.import_session(_import_body("k1"))
    assert caught.value.code == "duplicate"
