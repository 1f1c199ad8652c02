"""``POST /api/import/session`` is all or nothing, even when the database fails mid-way."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from framewise.importer.plan import plan_log
from framewise.importer.synthetic import DEFAULT_START, synthetic_log
from tests.integration.store.store_live import LiveServer


def _body(raids: int, day: int) -> dict[str, Any]:
    log = synthetic_log(
        raids=raids,
        kills_per_raid=3,
        start=DEFAULT_START.replace(day=day),
        video_path=f"day{day}.mkv",
    )
    return plan_log(log, Path(f"day{day}.json")).to_payload()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path / "store") as live:
        yield live


def test_one_invalid_item_deep_inside_rejects_the_whole_session(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        assert http.post("/api/import/session", json=_body(2, 1)).status_code == 201
        before = server.counts()
        body = _body(4, 2)
        del body["raids"][3]["kills"][2]["enemy_type"]
        answer = http.post("/api/import/session", json=body)
    assert answer.status_code == 422
    assert "raids.3.kills.2.enemy_type" in answer.json()["error"]["message"]
    assert server.counts() == before


def test_a_database_failure_after_partial_inserts_rolls_everything_back(
    server: LiveServer,
) -> None:
    # A real constraint inside SQLite fires on the last kill, after the session, the raids
    # and the transitions of this import were already inserted in the transaction.
    with sqlite3.connect(server.db_path) as db:
        db.execute(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON kills WHEN NEW.enemy_type = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
        )
    body = _body(3, 3)
    body["raids"][2]["kills"][2]["enemy_type"] = "boom"
    with httpx.Client(base_url=server.url) as http:
        answer = http.post("/api/import/session", json=body)
        assert answer.status_code == 409
        assert answer.json()["error"]["code"] == "conflict"
        assert server.counts() == dict.fromkeys(server.counts(), 0)
        body["raids"][2]["kills"][2]["enemy_type"] = "scav"
        assert http.post("/api/import/session", json=body).status_code == 201
    assert server.counts() == {
        "stream_sessions": 1,
        "raids": 3,
        "raid_state_transitions": 12,
        "kills": 9,
    }


def test_a_duplicate_import_key_is_a_409_duplicate(server: LiveServer) -> None:
    body = _body(1, 4)
    with httpx.Client(base_url=server.url) as http:
        assert http.post("/api/import/session", json=body).status_code == 201
        again = http.post("/api/import/session", json=body)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "duplicate")
    assert server.counts()["stream_sessions"] == 1
