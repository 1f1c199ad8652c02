"""The whole lifecycle against a real server and SQLite file, through the typed client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from framewise.store.client import StoreClient, StoreRequestError
from framewise.store.schemas import (
    BatchKillsRequest,
    CreateRaidRequest,
    CreateSessionRequest,
    EndRaidRequest,
    EndSessionRequest,
    KillRequest,
    TransitionRequest,
)
from tests.integration.store.store_live import LiveServer

T0 = datetime(2025, 12, 24, 17, 3, 9, 250001, tzinfo=UTC)
OPENAPI_FILE = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path / "store", max_body_bytes=64 * 1024) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[StoreClient]:
    with StoreClient(server.url) as store_client:
        yield store_client


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_lifecycle_with_historical_times_stored_exactly(
    server: LiveServer, client: StoreClient
) -> None:
    assert client.health()
    assert client.current_session() is None
    session_id = client.create_session(
        CreateSessionRequest(session_type="stream", notes="xmas", started_at=T0)
    )
    raid_id = client.create_raid(
        CreateRaidRequest(
            map_name="Customs", character_type="pmc", game_mode="pve", started_at=_at(5)
        )
    )
    # An offset time is stored as the same instant in UTC.
    east = _at(7).astimezone(timezone(timedelta(hours=3)))
    client.transition(raid_id, TransitionRequest(to_state="queuing", transitioned_at=east))
    client.transition(raid_id, TransitionRequest(to_state="raid_active", transitioned_at=_at(9)))
    kill_id = client.add_kill(
        raid_id, KillRequest(enemy_type="scav", weapon="AK-74M", headshot=True, timestamp=_at(12))
    )
    batch = client.add_kills_to_current(
        BatchKillsRequest(kills=[KillRequest(enemy_type="pmc", timestamp=_at(11))])
    )
    current = client.current_raid()
    assert current is not None and current.current_state == "raid_active"
    client.end_raid(
        raid_id,
        EndRaidRequest(final_state="survived", extract_location="ZB-1011", ended_at=_at(30)),
    )
    live = client.session_stats()  # the active session's
    assert (live.session_id, live.total_raids, live.survived_raids) == (session_id, 1, 1)
    client.end_session(EndSessionRequest(ended_at=_at(60)))

    assert client.current_raid() is None and client.current_session() is None
    detail = client.get_raid(raid_id)
    assert (detail.started_at, detail.ended_at) == (_at(5), _at(30))
    assert [(t.from_state, t.to_state, t.transitioned_at) for t in detail.transitions] == [
        ("stash_management", "queuing", _at(7)),
        ("queuing", "raid_active", _at(9)),
        ("raid_active", "survived", _at(30)),
    ]
    kills = client.kills(raid_id)
    assert [k.kill_id for k in kills] == [batch[0], kill_id]  # time order
    assert [k.killed_at for k in kills] == [_at(11), _at(12)]
    assert kills[1].weapon_used == "AK-74M" and kills[1].headshot is True
    found = client.find_sessions()
    assert [(s.session_id, s.started_at, s.ended_at) for s in found] == [(session_id, T0, _at(60))]
    stored = server.rows("SELECT started_at, ended_at FROM stream_sessions")
    assert stored == [("2025-12-24 17:03:09.250001", "2025-12-24 18:03:09.250001")]
    stats = client.session_stats(session_id)
    assert (stats.total_raids, stats.survived_raids, stats.total_kills) == (1, 1, 2)
    assert stats.time_before_first_raid_seconds == 300
    raid_stats = client.raid_stats(raid_id)
    assert {d.state: d.duration_seconds for d in raid_stats.state_durations} == {
        "queuing": 120,
        "raid_active": 1260,
    }


def test_errors_have_the_contract_shape(server: LiveServer, client: StoreClient) -> None:
    with httpx.Client(base_url=server.url) as http:
        answers = {
            "no session": http.post(
                "/api/raid", json={"map_name": "W", "character_type": "pmc", "game_mode": "pve"}
            ),
            "bad json": http.post(
                "/api/session", content=b"{nope", headers={"content-type": "application/json"}
            ),
            "bad enum": http.post("/api/session", json={"session_type": "party"}),
            "bad time": http.post(
                "/api/session", json={"session_type": "stream", "started_at": "yesterday"}
            ),
            "unknown raid": http.get("/api/raid/999/kills"),
            "too large": http.post(
                "/api/session",
                content=b" " * (65 * 1024),
                headers={"content-type": "application/json"},
            ),
        }
        http.post("/api/session", json={"session_type": "stream"})
        answers["second session"] = http.post("/api/session", json={"session_type": "casual"})
    expected = {
        "no session": (404, "not_found"),
        "bad json": (400, "bad_request"),
        "bad enum": (422, "validation_error"),
        "bad time": (422, "validation_error"),
        "unknown raid": (404, "not_found"),
        "too large": (413, "payload_too_large"),
        "second session": (409, "conflict"),
    }
    got = {k: (r.status_code, r.json()["error"]["code"]) for k, r in answers.items()}
    assert got == expected
    assert all(isinstance(r.json()["error"]["message"], str) for r in answers.values())
    client.create_raid(CreateRaidRequest(map_name="Woods", character_type="scav", game_mode="pvp"))
    with pytest.raises(StoreRequestError) as caught:
        client.create_raid(
            CreateRaidRequest(map_name="Labs", character_type="pmc", game_mode="pvp")
        )
    assert (caught.value.status, caught.value.code) == (409, "conflict")


def test_the_original_apps_paths_and_field_names_work(
    server: LiveServer, client: StoreClient
) -> None:
    client.create_session(CreateSessionRequest(session_type="practice"))
    # The kill below is dated: its raid must have started by then (issue 14: times fall
    # inside their raid).
    raid_id = client.create_raid(
        CreateRaidRequest(
            map_name="Factory",
            character_type="pmc",
            game_mode="pvp",
            started_at=datetime(2026, 1, 15, 18, 0, tzinfo=UTC),
        )
    )
    with httpx.Client(base_url=server.url) as http:
        kill = http.post(
            f"/api/raid/{raid_id}/kill",
            json={"enemy_type": "pmc", "weapon_used": "MP7", "killed_at": "2026-01-15T18:12:34Z"},
        )
        moved = http.post("/api/raid/transition", json={"to_state": "in_raid"})
        ended = http.post("/api/raid/end", json={"final_state": "survived"})
        again = http.post("/api/raid/end", json={"final_state": "survived"})
    assert (kill.status_code, moved.status_code, ended.status_code) == (201, 201, 200)
    assert again.status_code == 404
    (stored,) = client.kills(raid_id)
    assert (stored.weapon_used, stored.killed_at) == (
        "MP7",
        datetime(2026, 1, 15, 18, 12, 34, tzinfo=UTC),
    )
    detail = client.get_raid(raid_id)
    assert [t.to_state for t in detail.transitions] == ["in_raid", "survived"]
    assert detail.ended_at is not None


def test_dashboard_and_committed_openapi(server: LiveServer, client: StoreClient) -> None:
    client.create_session(CreateSessionRequest(session_type="stream"))
    client.create_raid(
        CreateRaidRequest(map_name="<Shoreline>", character_type="pmc", game_mode="pve")
    )
    with httpx.Client(base_url=server.url) as http:
        page = http.get("/")
        served = http.get("/openapi.json").json()
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "&lt;Shoreline&gt;" in page.text and "<Shoreline>" not in page.text
    assert "Current raid" in page.text and "All time PvP" in page.text
    assert json.loads(OPENAPI_FILE.read_text()) == served, (
        "docs/openapi.json is stale: regenerate it with "
        "python -m framewise.store.openapi docs/openapi.json"
    )


def test_chunked_body_over_the_limit_is_refused(server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"session_type": "stream", "notes": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    with httpx.Client(base_url=server.url) as http:
        answer = http.post(
            "/api/session", content=chunks(), headers={"content-type": "application/json"}
        )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"
    assert server.counts()["stream_sessions"] == 0
