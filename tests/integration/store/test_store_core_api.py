"""The generic core over HTTP: a real server and SQLite file, through the typed client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from framewise.store_api.client import StoreClient
from framewise.store_api.errors import StoreRequestError
from framewise.store_api.records import ArtefactCreate, EventCreate
from framewise.store_api.schemas import CreateRaidRequest, CreateSessionRequest, KillRequest
from tests.integration.store.store_live import LiveServer

T0 = datetime(2025, 12, 24, 17, 3, 9, 250001, tzinfo=UTC)
CORE_PATHS = {
    "/api/sessions/{session_id}/events",
    "/api/events/{event_id}",
    "/api/sessions/{session_id}/artefacts",
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path / "store", max_body_bytes=256 * 1024) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[StoreClient]:
    with StoreClient(server.url) as store_client:
        yield store_client


def _count(server: LiveServer, table: str) -> object:
    return server.rows(f"SELECT COUNT(*) FROM {table}")[0][0]


def test_events_and_artefacts_round_trip(server: LiveServer, client: StoreClient) -> None:
    assert client.paths() >= CORE_PATHS
    session_id = client.create_session(CreateSessionRequest(session_type="practice", started_at=T0))
    east = (T0 + timedelta(seconds=5)).astimezone(timezone(timedelta(hours=-5)))
    ids = client.add_events(
        session_id,
        [
            EventCreate(
                type="label",
                timestamp=east,
                video_offset_seconds=5.0,
                confidence=0.75,
                payload={"label": "cat", "boxes": [[1, 2, 3, 4]], "extra": {"k": None}},
                source="tagger",
            ),
            EventCreate(type="scene_cut", timestamp=T0),
        ],
    )
    one = client.add_event(session_id, EventCreate(type="label", payload={"label": "dog"}))
    events = client.events(session_id)
    assert [e.event_id for e in events] == [ids[1], ids[0], one]
    first = client.get_event(ids[0])
    assert first.timestamp == T0 + timedelta(seconds=5) and first.timestamp.tzinfo is not None
    assert first.payload == {"label": "cat", "boxes": [[1, 2, 3, 4]], "extra": {"k": None}}
    assert (first.confidence, first.video_offset_seconds, first.source) == (0.75, 5.0, "tagger")
    assert [e.event_id for e in client.events(session_id, event_type="label", limit=1)] == [ids[0]]
    assert [e.event_id for e in client.events(session_id, offset=2)] == [one]
    # Stored as naive UTC with microseconds, like every other time of the store.
    assert server.rows(f"SELECT timestamp FROM events WHERE event_id = {ids[1]}") == [
        ("2025-12-24 17:03:09.250001",)
    ]

    artefact_id = client.add_artefact(
        session_id,
        ArtefactCreate(
            kind="thumbnail",
            uri="thumbnails/evt_00001.jpg",
            media_type="image/jpeg",
            event_id=ids[0],
            payload={"width": 64},
        ),
    )
    (artefact,) = client.artefacts(session_id, kind="thumbnail")
    assert (artefact.artefact_id, artefact.event_id, artefact.payload) == (
        artefact_id,
        ids[0],
        {"width": 64},
    )
    assert client.artefacts(session_id, kind="clip") == []


def test_errors_follow_the_store_conventions(server: LiveServer, client: StoreClient) -> None:
    with pytest.raises(StoreRequestError) as missing:
        client.add_event(7, EventCreate(type="a"))
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    with pytest.raises(StoreRequestError) as no_event:
        client.get_event(1)
    assert no_event.value.status == 404

    first = client.create_session(CreateSessionRequest(session_type="stream", started_at=T0))
    (event_id,) = client.add_events(first, [EventCreate(type="a", timestamp=T0)])
    with httpx.Client(base_url=server.url) as http:
        http.post("/api/session/end", json={})
        second = http.post("/api/session", json={"session_type": "stream"}).json()["session_id"]
        path = f"/api/sessions/{first}/events"
        nan = http.post(
            path,
            content=b'{"events": [{"type": "a"}, {"type": "b", "payload": {"x": NaN}}]}',
            headers={"content-type": "application/json"},
        )
        malformed = http.post(
            path, content=b'{"events": [', headers={"content-type": "application/json"}
        )
        big = http.post(path, json={"events": [{"type": "a", "payload": {"s": "x" * 70_000}}]})
        too_large = http.post(path, json={"events": [{"type": "a"}] * 40_000})
        foreign = http.post(
            f"/api/sessions/{second}/artefacts",
            json={"kind": "t", "uri": "u", "media_type": "image/png", "event_id": event_id},
        )
        bad_id = http.get("/api/events/0")
        beyond = http.post(
            f"/api/sessions/{first}/artefacts",
            json={"kind": "t", "uri": "u", "media_type": "image/png", "event_id": 2**64},
        )
    assert (nan.status_code, nan.json()["error"]["code"]) == (422, "validation_error")
    assert "finite" in nan.json()["error"]["message"]
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, "bad_request")
    assert big.status_code == 422 and "bytes" in big.json()["error"]["message"]
    assert (too_large.status_code, too_large.json()["error"]["code"]) == (413, "payload_too_large")
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (409, "conflict")
    assert bad_id.status_code == 422
    assert (beyond.status_code, beyond.json()["error"]["code"]) == (404, "not_found")
    # All or nothing: the batch with one bad event stored neither.
    assert _count(server, "events") == 1
    assert _count(server, "artefacts") == 0


def test_writes_need_the_token_and_reads_do_not(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "store", token="s3cret") as server:
        with StoreClient(server.url, token="s3cret") as writer:
            session_id = writer.create_session(CreateSessionRequest(session_type="stream"))
            writer.add_event(session_id, EventCreate(type="a"))
        with StoreClient(server.url) as anonymous:
            with pytest.raises(StoreRequestError) as denied:
                anonymous.add_event(session_id, EventCreate(type="b"))
            with pytest.raises(StoreRequestError) as denied_artefact:
                anonymous.add_artefact(
                    session_id, ArtefactCreate(kind="k", uri="u", media_type="text/plain")
                )
            assert [e.type for e in anonymous.events(session_id)] == ["a"]
            assert anonymous.artefacts(session_id) == []
    assert (denied.value.status, denied.value.code) == (401, "unauthorized")
    assert denied_artefact.value.status == 401


def test_raids_and_kills_are_unchanged_beside_the_core(
    server: LiveServer, client: StoreClient
) -> None:
    session_id = client.create_session(CreateSessionRequest(session_type="stream", started_at=T0))
    raid_id = client.create_raid(
        CreateRaidRequest(map_name="Woods", character_type="pmc", game_mode="pve", started_at=T0)
    )
    client.add_kill(raid_id, KillRequest(enemy_type="scav", timestamp=T0))
    client.add_event(session_id, EventCreate(type="kill", timestamp=T0, payload={"raid": raid_id}))
    assert server.counts() == {
        "stream_sessions": 1,
        "raids": 1,
        "raid_state_transitions": 0,
        "kills": 1,
    }
    assert [k.enemy_type for k in client.kills(raid_id)] == ["scav"]
    assert client.events(session_id)[0].payload == {"raid": raid_id}


def test_a_wrong_method_names_every_method_of_the_path(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        events = http.delete("/api/sessions/1/events")
        raid = http.delete("/api/raid/1/kills")
    assert events.status_code == 405
    assert events.json()["error"]["code"] == "method_not_allowed"
    assert {m.strip() for m in events.headers["allow"].split(",")} >= {"GET", "POST"}
    assert "GET" in raid.headers["allow"] and "POST" not in raid.headers["allow"]
