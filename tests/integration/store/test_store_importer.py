"""The importer against a real server: atomic and single endpoints, duplicates, refusals,
dry runs, and a server that goes away in the middle of an import."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from framewise.core.events import EventLog
from framewise.importer.runner import Importer, ImportMode
from framewise.importer.summary import ImportSummary
from framewise.importer.synthetic import synthetic_log
from framewise.store.client import RetryPolicy, StoreClient
from tests.integration.store.store_live import LiveServer

T0 = datetime(2026, 3, 1, 19, 30, 0, 500000, tzinfo=UTC)
FAST_RETRY = RetryPolicy(attempts=40, initial=0.05, factor=2.0, maximum=0.4)


def _write_logs(folder: Path, count: int, raids: int = 3, kills: int = 4) -> list[EventLog]:
    folder.mkdir(parents=True, exist_ok=True)
    logs = []
    for index in range(count):
        log = synthetic_log(
            raids=raids,
            kills_per_raid=kills,
            start=T0 + timedelta(days=index),
            video_path=f"/recordings/2026-03-{index + 1:02d}.mkv",
        )
        # Names in reverse time order: the importer must sort by session start, not name.
        (folder / f"{count - index:02d}.json").write_text(log.model_dump_json())
        logs.append(log)
    return logs


def _run(
    server: LiveServer, paths: list[Path], mode: ImportMode = "auto", lines: list[str] | None = None
) -> ImportSummary:
    echo = lines.append if lines is not None else (lambda _line: None)
    with StoreClient(server.url, retry=FAST_RETRY, timeout=5) as client:
        return Importer(client, mode=mode, echo=echo).run(paths)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path / "store") as live:
        yield live


@pytest.mark.parametrize("mode", ["atomic", "single"])
def test_import_is_chronological_exact_and_idempotent(
    server: LiveServer, tmp_path: Path, mode: ImportMode
) -> None:
    _write_logs(tmp_path / "logs", 3)
    first = _run(server, [tmp_path / "logs"], mode)
    assert first.ok, first.render()
    assert (first.sessions.created, first.raids.created, first.kills.created) == (3, 9, 36)
    counts = server.counts()
    assert counts == {"stream_sessions": 3, "raids": 9, "raid_state_transitions": 36, "kills": 36}
    starts = server.rows("SELECT started_at FROM stream_sessions ORDER BY session_id")
    assert starts == [(f"2026-03-0{d} 19:30:00.500000",) for d in (1, 2, 3)]
    open_raids = server.rows("SELECT COUNT(*) FROM raids WHERE ended_at IS NULL")
    assert open_raids == [(0,)]

    again = _run(server, [tmp_path / "logs"], mode)
    assert again.ok
    assert (again.sessions.created, again.sessions.skipped, again.kills.skipped) == (0, 3, 36)
    assert server.counts() == counts


def test_both_modes_store_the_same_rows(tmp_path: Path) -> None:
    _write_logs(tmp_path / "logs", 2)
    query = (
        "SELECT s.started_at, s.ended_at, s.import_key, r.started_at, r.ended_at, r.map_name,"
        " r.game_mode, r.current_state, r.extract_location,"
        " (SELECT COUNT(*) FROM kills k WHERE k.raid_id = r.raid_id),"
        " (SELECT GROUP_CONCAT(t.from_state || '>' || t.to_state || '@' || t.transitioned_at)"
        "  FROM raid_state_transitions t WHERE t.raid_id = r.raid_id)"
        " FROM raids r JOIN stream_sessions s USING (session_id) ORDER BY r.started_at"
    )
    stored = {}
    for mode in ("atomic", "single"):
        with LiveServer(tmp_path / mode) as live:
            assert _run(live, [tmp_path / "logs"], mode).ok
            stored[mode] = live.rows(query)
    assert stored["atomic"] == stored["single"]
    assert len(stored["atomic"]) == 6


def test_dry_run_prints_every_call_and_sends_nothing(server: LiveServer, tmp_path: Path) -> None:
    _write_logs(tmp_path / "logs", 1, raids=2, kills=1)
    lines: list[str] = []
    summary = Importer(None, dry_run=True, echo=lines.append).run([tmp_path / "logs"])
    calls = [line for line in lines if line.startswith("POST ")]
    # session + 2 × (raid + 3 transitions + 1 kill + end) + session end
    assert len(calls) == 1 + 2 * 6 + 1
    assert calls[0].startswith("POST /api/session {")
    assert calls[2].startswith("POST /api/raid/<raid 1>/transition")
    assert (summary.dry_run, summary.sessions.created, summary.kills.created) == (True, 1, 2)
    assert server.counts()["stream_sessions"] == 0


def test_unfinished_logs_are_refused(server: LiveServer, tmp_path: Path) -> None:
    log = synthetic_log(raids=1, kills_per_raid=1, start=T0)
    log.metadata.complete = False
    path = tmp_path / "partial.json"
    path.write_text(log.model_dump_json())
    summary = _run(server, [path])
    (failure,) = summary.failures
    assert "unfinished run" in failure.message
    assert server.counts()["stream_sessions"] == 0


def _log_with_bad_raid(folder: Path) -> tuple[Path, str]:
    log = synthetic_log(raids=3, kills_per_raid=2, start=T0, video_path="bad.mkv")
    bad = next(e for e in log.events if e.type == "raid_start" and e.data["map_name"] == "Woods")
    bad.data["character_type"] = "bear"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bad.json"
    path.write_text(log.model_dump_json())
    return path, bad.event_id


def test_atomic_refusal_names_the_event_and_stores_nothing(
    server: LiveServer, tmp_path: Path
) -> None:
    path, event_id = _log_with_bad_raid(tmp_path / "logs")
    summary = _run(server, [path], "atomic")
    assert not summary.ok
    (failure,) = summary.failures
    assert failure.event_id == event_id and "character_type" in failure.message
    assert (summary.sessions.failed, summary.raids.failed, summary.kills.failed) == (1, 3, 6)
    assert server.counts() == dict.fromkeys(server.counts(), 0)


def test_single_refusal_names_the_event_and_keeps_the_rest(
    server: LiveServer, tmp_path: Path
) -> None:
    path, event_id = _log_with_bad_raid(tmp_path / "logs")
    summary = _run(server, [path], "single")
    (failure,) = summary.failures
    assert failure.event_id == event_id
    assert (summary.raids.created, summary.raids.failed) == (2, 1)
    assert (summary.kills.created, summary.kills.failed) == (4, 2)
    counts = server.counts()
    assert (counts["stream_sessions"], counts["raids"], counts["kills"]) == (1, 2, 4)


class FlakyNetwork(httpx.HTTPTransport):
    """The real network, plus two real-world failures at chosen POSTs.

    Before POST number ``stop_before`` the server is stopped (and restarted shortly after),
    so the request meets a refused connection. After each POST in ``drop_after`` the server
    has really stored the write, but the answer is thrown away, as when a connection dies
    after the commit: the client cannot know whether its write happened.
    """

    def __init__(self, server: LiveServer, stop_before: int, drop_after: set[int]) -> None:
        super().__init__()
        self.server = server
        self.stop_before = stop_before
        self.drop_after = drop_after
        self.posts = 0
        self.restarter: threading.Thread | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts += 1
            if self.posts == self.stop_before:
                self.server.stop()
                self.restarter = threading.Thread(target=self._restart, daemon=True)
                self.restarter.start()
        response = super().handle_request(request)
        if request.method == "POST" and self.posts in self.drop_after:
            response.read()
            response.close()
            raise httpx.ReadError("connection dropped after the server answered")
        return response

    def _restart(self) -> None:
        time.sleep(0.5)
        self.server.start()


@pytest.mark.parametrize(
    ("mode", "stop_before", "drop_after"),
    [
        ("atomic", 2, {4}),
        # single: 42 POSTs per log; 11 ends a raid, 25 is a transition, 42 ends the session,
        # 44 creates a raid, 85 creates a session.
        ("single", 30, {11, 25, 42, 44, 85}),
    ],
)
def test_server_restarted_mid_import_ends_with_exactly_one_copy(
    server: LiveServer, tmp_path: Path, mode: ImportMode, stop_before: int, drop_after: set[int]
) -> None:
    _write_logs(tmp_path / "logs", 5, raids=4, kills=5)
    lines: list[str] = []
    network = FlakyNetwork(server, stop_before, drop_after)
    with StoreClient(
        server.url,
        retry=FAST_RETRY,
        timeout=5,
        transport=network,
        on_retry=lambda what, _d, why: lines.append(f"{what}: {why}"),
    ) as client:
        summary = Importer(client, mode=mode, echo=lines.append).run([tmp_path / "logs"])
    assert network.restarter is not None
    network.restarter.join(timeout=30)
    assert summary.ok, summary.render()
    assert any("cannot connect" in line for line in lines), lines
    assert server.counts() == {
        "stream_sessions": 5,
        "raids": 20,
        "raid_state_transitions": 80,
        "kills": 100,
    }
    assert server.rows("SELECT COUNT(DISTINCT import_key) FROM stream_sessions") == [(5,)]
    assert server.rows("SELECT COUNT(*) FROM stream_sessions WHERE ended_at IS NULL") == [(0,)]
