"""A single-endpoint import cut short is repaired by the next one (issue 14, item 2).

The store goes away in the middle of a log (every connection refused from a chosen POST on,
as when the server was killed); the import aborts and leaves a partial session open. The next
import finds it by the log's import key, compares the store with the log, adds what is
missing, ends it and says so, instead of counting it as imported and jamming every later log
with "session N is already active".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from framewise.importer.runner import Importer
from framewise.importer.summary import ImportSummary
from framewise.importer.synthetic import synthetic_log
from framewise.store.client import RetryPolicy, StoreClient
from tests.integration.store.store_live import LiveServer

T0 = datetime(2026, 4, 2, 20, 15, 0, 250000, tzinfo=UTC)
FAST = RetryPolicy(attempts=2, initial=0.01)
ROWS = ("stream_sessions", "raids", "raid_state_transitions", "kills")


class DeadAfter(httpx.HTTPTransport):
    """The real network until POST number ``last``; after it, every connection is refused."""

    def __init__(self, last: int) -> None:
        super().__init__()
        self.last = last
        self.posts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.posts >= self.last:
            raise httpx.ConnectError("connection refused (the store was killed)")
        self.posts += request.method == "POST"
        return super().handle_request(request)


def _logs(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        log = synthetic_log(
            raids=2,
            kills_per_raid=3,
            start=T0 + timedelta(days=index),
            video_path=f"/rec/{index}.mkv",
        )
        (folder / f"{index:02d}.json").write_text(log.model_dump_json())
    return folder


def _import(
    server: LiveServer, folder: Path, lines: list[str], transport: httpx.BaseTransport | None = None
) -> ImportSummary:
    with StoreClient(server.url, retry=FAST, timeout=5, transport=transport) as client:
        return Importer(client, mode="single", echo=lines.append).run([folder])


def _stored(server: LiveServer) -> list[tuple[object, ...]]:
    """Every kill with its session and raid start: what a duplicate or a loss would change."""
    return server.rows(
        "SELECT s.import_key, r.started_at, k.killed_at, k.enemy_type, k.weapon_used, k.headshot"
        " FROM kills k JOIN raids r USING (raid_id) JOIN stream_sessions s USING (session_id)"
        " ORDER BY 1, 2, 3"
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path / "store") as live:
        yield live


def test_a_partial_session_is_completed_ended_and_reported(
    server: LiveServer, tmp_path: Path
) -> None:
    folder = _logs(tmp_path / "logs", 3)
    with LiveServer(tmp_path / "truth") as truth:
        assert _import(truth, folder, []).ok
        expected = _stored(truth)
    # Log 1: 18 POSTs; log 2's 14th is its second raid's first kill: that raid stays open
    # with 1 of 3 kills, and the session open.
    aborted = _import(server, folder, [], DeadAfter(18 + 14))
    assert aborted.aborted and aborted.exit_code == 6
    assert server.rows("SELECT session_id FROM stream_sessions WHERE ended_at IS NULL") == [(2,)]
    assert server.counts()["kills"] == 3 + 3 + 3 + 1

    lines: list[str] = []
    again = _import(server, folder, lines)
    assert again.ok, again.render()
    assert lines == [
        "00.json: skipped, already imported as session 1",
        "01.json: repaired session 2: 2 kills added, 1 raid ended, ended",
        "02.json: imported through single endpoints",
    ]
    assert (again.sessions.created, again.sessions.skipped) == (2, 1)
    assert (again.raids.created, again.raids.skipped) == (2, 2 + 2)
    assert (again.kills.created, again.kills.skipped) == (2 + 6, 6 + 4)
    assert _stored(server) == expected
    assert server.counts() == {
        "stream_sessions": 3,
        "raids": 6,
        "raid_state_transitions": 24,
        "kills": 18,
    }
    assert server.rows("SELECT COUNT(*) FROM stream_sessions WHERE ended_at IS NULL") == [(0,)]

    third: list[str] = []
    assert _import(server, folder, third).ok
    assert all("skipped, already imported" in line for line in third)


@pytest.mark.parametrize("last", [1, 2, 5, 9, 17])
def test_every_cut_of_a_log_is_repaired_to_one_copy(
    server: LiveServer, tmp_path: Path, last: int
) -> None:
    """Cut after the session, the raid, a transition, a raid's end, the last raid's end."""
    folder = _logs(tmp_path / "logs", 1)
    assert _import(server, folder, [], DeadAfter(last)).aborted
    lines: list[str] = []
    assert _import(server, folder, lines).ok
    (line,) = lines
    assert line.startswith("00.json: repaired session 1: ") and line.endswith("ended")
    assert server.counts() == {
        "stream_sessions": 1,
        "raids": 2,
        "raid_state_transitions": 8,
        "kills": 6,
    }


def test_a_refused_kill_is_refused_again_not_counted_as_imported(
    server: LiveServer, tmp_path: Path
) -> None:
    log = synthetic_log(raids=1, kills_per_raid=3, start=T0)
    bad = next(e for e in log.events if e.type == "kill")
    bad.data["weapon"] = ""  # the contract wants a weapon's name, or none at all
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "one.json").write_text(log.model_dump_json())
    first = _import(server, tmp_path / "logs", [])
    assert (first.kills.created, first.kills.failed) == (2, 1)
    lines: list[str] = []
    second = _import(server, tmp_path / "logs", lines)
    assert not second.ok and second.exit_code == 6
    assert (second.kills.created, second.kills.skipped, second.kills.failed) == (0, 2, 1)
    assert lines == [
        "one.json: repaired session 1: nothing added; 1 item(s) refused (see failures)"
    ]
    (failure,) = second.failures
    assert failure.event_id == bad.event_id and "weapon" in failure.message
    assert server.counts()["kills"] == 2


def test_another_log_of_the_same_recording_is_not_merged_into_its_session(
    server: LiveServer, tmp_path: Path
) -> None:
    """Same video and start (so the same import key), other kills: a second run over it."""
    first = synthetic_log(raids=1, kills_per_raid=3, start=T0)
    rerun = synthetic_log(raids=1, kills_per_raid=3, start=T0)
    moved = next(e for e in rerun.events if e.type == "kill")
    moved.timestamp += timedelta(seconds=2)
    for name, log in (("first", first), ("rerun", rerun)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "events.json").write_text(log.model_dump_json())
    assert _import(server, tmp_path / "first", []).ok
    lines: list[str] = []
    second = _import(server, tmp_path / "rerun", lines)
    assert second.ok and lines == ["events.json: skipped, already imported as session 1"]
    (warning,) = second.warnings
    assert "session 1 of the same recording holds events this log does not" in warning
    assert server.counts()["kills"] == 3
