"""The store keeps to its contract, through a real server (issue 14, item 7).

Strict types where the schema says boolean or string (no ``headshot: 0``, no empty weapon),
times inside their raid for single writes, batches and the atomic import alike (a 422 that
says the raid's span), and strict JSON bodies (NaN/Infinity → 422) on every store router.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.store.store_live import LiveServer

T0 = datetime(2026, 1, 7, 18, 30, tzinfo=UTC)
JSON = {"content-type": "application/json"}


def _at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path / "store") as live:
        yield live


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        yield client


def _raid(http: httpx.Client, *, ended: bool) -> int:
    """A session with one raid from T0+5 min, ended at T0+7 min when ``ended``."""
    assert http.post(
        "/api/session", json={"session_type": "stream", "started_at": _at(0)}
    ).is_success
    raid = http.post(
        "/api/raid",
        json={
            "map_name": "Customs",
            "character_type": "pmc",
            "game_mode": "pve",
            "started_at": _at(5),
        },
    )
    raid_id: int = raid.json()["raid_id"]
    if ended:
        done = http.post(
            f"/api/raid/{raid_id}/end", json={"final_state": "survived", "ended_at": _at(7)}
        )
        assert done.status_code == 200
    return raid_id


def _refusal(answer: httpx.Response) -> tuple[int, str, str]:
    error = answer.json()["error"]
    return answer.status_code, error["code"], error["message"]


KILL = {"enemy_type": "scav", "weapon": "AK-74M", "headshot": True, "timestamp": _at(6)}

WRONG_TYPES: dict[str, dict[str, Any]] = {
    "integer headshot": {**KILL, "headshot": 0},
    "text headshot": {**KILL, "headshot": "true"},
    "empty weapon": {**KILL, "weapon": ""},
    "numeric weapon": {**KILL, "weapon": 74},
    "empty enemy": {**KILL, "enemy_type": ""},
    "boolean enemy": {**KILL, "enemy_type": True},
}


@pytest.mark.parametrize("body", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_kills_of_the_wrong_type_are_refused_everywhere(
    http: httpx.Client, server: LiveServer, body: dict[str, Any]
) -> None:
    raid_id = _raid(http, ended=False)
    single = http.post(f"/api/raid/{raid_id}/kill", json=body)
    batch = http.post("/api/raid/current/kills/batch", json={"kills": [KILL, body]})
    imported = http.post(
        "/api/import/session",
        json={
            "session": {"started_at": _at(100), "ended_at": _at(200)},
            "raids": [
                {
                    "map_name": "Woods",
                    "character_type": "scav",
                    "game_mode": "pvp",
                    "started_at": _at(110),
                    "kills": [{**body, "timestamp": _at(111)}],
                }
            ],
        },
    )
    for answer in (single, batch, imported):
        assert _refusal(answer)[:2] == (422, "validation_error"), answer.text
    assert server.counts()["kills"] == 0
    assert server.counts()["stream_sessions"] == 1


def test_a_kill_outside_its_raid_is_refused_with_the_raids_span(
    http: httpx.Client, server: LiveServer
) -> None:
    raid_id = _raid(http, ended=True)
    year_one = http.post(
        f"/api/raid/{raid_id}/kill", json={**KILL, "timestamp": "0001-01-01T00:00:00Z"}
    )
    after = http.post(f"/api/raid/{raid_id}/kill", json={**KILL, "timestamp": _at(8)})
    undated = http.post(f"/api/raid/{raid_id}/kill", json={"enemy_type": "scav"})  # now: after
    inside = http.post(f"/api/raid/{raid_id}/kill", json={**KILL, "timestamp": _at(7)})
    status, code, message = _refusal(year_one)
    assert (status, code) == (422, "validation_error")
    assert message == (
        f"kill at 0001-01-01T00:00:00Z is outside raid {raid_id}, which ran "
        "from 2026-01-07T18:35:00Z to 2026-01-07T18:37:00Z"
    )
    assert _refusal(after)[0] == _refusal(undated)[0] == 422
    assert inside.status_code == 201  # the end itself is inside (a kill on the last frame)
    assert server.rows("SELECT killed_at FROM kills") == [("2026-01-07 18:37:00.000000",)]


def test_transitions_batches_and_ends_keep_inside_the_raid(
    http: httpx.Client, server: LiveServer
) -> None:
    raid_id = _raid(http, ended=False)
    early = http.post(
        f"/api/raid/{raid_id}/transition", json={"to_state": "queuing", "transitioned_at": _at(4)}
    )
    kept = http.post(f"/api/raid/{raid_id}/kill", json={**KILL, "timestamp": _at(9)})
    batch = http.post(
        "/api/raid/current/kills/batch", json={"kills": [KILL, {**KILL, "timestamp": _at(1)}]}
    )
    before_start = http.post(
        f"/api/raid/{raid_id}/end", json={"final_state": "x", "ended_at": _at(4)}
    )
    before_kill = http.post(
        f"/api/raid/{raid_id}/end", json={"final_state": "x", "ended_at": _at(8)}
    )
    assert (
        "outside raid" in _refusal(early)[2]
        and "from 2026-01-07T18:35:00Z (open)" in _refusal(early)[2]
    )
    assert kept.status_code == 201
    status, _, message = _refusal(batch)
    assert status == 422 and message.startswith("kills.1: kill at 2026-01-07T18:31:00Z")
    assert _refusal(before_start)[0] == _refusal(before_kill)[0] == 422
    assert "up to 2026-01-07T18:39:00Z" in _refusal(before_kill)[2]
    assert server.counts()["kills"] == 1  # the batch is all or nothing
    assert server.rows("SELECT ended_at FROM raids") == [(None,)]


def test_the_atomic_import_names_the_item_outside_its_raid(
    http: httpx.Client, server: LiveServer
) -> None:
    raid: dict[str, Any] = {
        "map_name": "Woods",
        "character_type": "scav",
        "game_mode": "pvp",
        "started_at": _at(10),
        "transitions": [{"to_state": "queuing", "transitioned_at": _at(11)}],
        "kills": [{**KILL, "timestamp": _at(12)}, {**KILL, "timestamp": "0001-01-01T00:00:00Z"}],
        "end": {"final_state": "survived", "ended_at": _at(20)},
    }
    session = {"started_at": _at(0), "ended_at": _at(60)}
    bad_kill = http.post("/api/import/session", json={"session": session, "raids": [raid, raid]})
    early_step = {**raid, "transitions": [{"to_state": "queuing", "transitioned_at": _at(9)}]}
    bad_step = http.post(
        "/api/import/session", json={"session": session, "raids": [{**early_step, "kills": []}]}
    )
    backwards = {**raid, "kills": [], "end": {"final_state": "survived", "ended_at": _at(9)}}
    bad_end = http.post("/api/import/session", json={"session": session, "raids": [backwards]})
    assert _refusal(bad_kill)[:2] == (422, "validation_error")
    assert _refusal(bad_kill)[2].startswith(
        "raids.0.kills.1.timestamp: kill at 0001-01-01T00:00:00Z is outside its raid, which ran "
        "from 2026-01-07T18:40:00Z to 2026-01-07T18:50:00Z"
    )
    assert _refusal(bad_step)[2].startswith("raids.0.transitions.0.transitioned_at: transition")
    assert _refusal(bad_end)[2].startswith("raids.0.end.ended_at:")
    assert server.counts() == dict.fromkeys(server.counts(), 0)
    good = http.post(
        "/api/import/session",
        json={"session": session, "raids": [{**raid, "kills": raid["kills"][:1]}]},
    )
    assert good.status_code == 201


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/session", b'{"session_type": "stream", "notes": NaN}'),
        ("/api/raid", b'{"map_name": "Customs", "character_type": "pmc", "game_mode": Infinity}'),
        ("/api/import/session", b'{"session": {"started_at": -Infinity}}'),
        ("/api/sessions/1/events", b'{"events": [{"type": "a", "confidence": NaN}]}'),
    ],
)
def test_non_finite_numbers_are_refused_as_such(http: httpx.Client, path: str, body: bytes) -> None:
    http.post("/api/session", json={"session_type": "stream"})
    http.post("/api/session/end", json={})
    status, code, message = _refusal(http.post(path, content=body, headers=JSON))
    assert (status, code) == (422, "validation_error")
    assert "is not a finite number" in message, message


def test_a_sessions_raids_are_listed_in_time_order(http: httpx.Client) -> None:
    raid_id = _raid(http, ended=True)
    second = http.post(
        "/api/raid",
        json={
            "map_name": "Woods",
            "character_type": "scav",
            "game_mode": "pvp",
            "started_at": _at(9),
        },
    ).json()["raid_id"]
    listed = http.get("/api/session/1/raids")
    assert [(r["raid_id"], r["ended_at"]) for r in listed.json()] == [
        (raid_id, "2026-01-07T18:37:00Z"),
        (second, None),
    ]
    assert _refusal(http.get("/api/session/2/raids"))[:2] == (404, "not_found")
