"""``kill -9`` of the store in the middle of a 40-log single-endpoint import (issue 14, item 2).

The real commands in subprocesses: ``framewise serve`` on 127.0.0.1 with a temporary data
folder, and ``framewise import LOGS --mode single``. The server is killed with SIGKILL at
seeded random points (when the store holds a chosen number of rows), restarted on the same
data folder, and the import run again until it exits 0. Then the store is compared with the
logs: every kill of every raid of every log once, nothing missing, nothing twice, no session
or raid left open.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from framewise.core.events import EventLog
from framewise.core.net import free_port
from framewise.importer.logs import read_log
from framewise.importer.plan import import_key, source_name
from framewise.importer.synthetic import synthetic_log

LOGS = 40
RAIDS, KILLS = 2, 3
CRASHES = 3
SEED = 14
T0 = datetime(2026, 2, 1, 21, 0, 0, 654321, tzinfo=UTC)
ROWS_PER_LOG = 1 + RAIDS * (1 + 4 + KILLS)  # session; raid, 3 transitions + end's, kills
COUNT_ROWS = (
    "SELECT (SELECT COUNT(*) FROM stream_sessions) + (SELECT COUNT(*) FROM raids)"
    " + (SELECT COUNT(*) FROM raid_state_transitions) + (SELECT COUNT(*) FROM kills)"
)
KILL_ROWS = (
    "SELECT s.import_key, r.started_at, k.killed_at, k.enemy_type, k.weapon_used, k.headshot"
    " FROM kills k JOIN raids r USING (raid_id) JOIN stream_sessions s USING (session_id)"
    " ORDER BY 1, 2, 3"
)


def _framewise(*args: str) -> list[str]:
    return [sys.executable, "-m", "framewise", *args]


def _write_logs(folder: Path) -> list[EventLog]:
    """The logs, as the importer reads them back from disk (times as the files hold them)."""
    folder.mkdir()
    for index in range(LOGS):
        log = synthetic_log(
            raids=RAIDS,
            kills_per_raid=KILLS,
            start=T0 + timedelta(hours=12 * index),
            video_path=f"/recordings/{index:02d}.mkv",
        )
        (folder / f"{index:02d}.json").write_text(log.model_dump_json())
    return [read_log(path) for path in sorted(folder.glob("*.json"))]


def _db_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _expected_kills(logs: list[EventLog]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for log in logs:
        key = import_key(source_name(log.metadata.video_path), log.metadata.session_start_time)
        raid_start = ""
        for event in sorted(log.events, key=lambda e: e.timestamp):
            if event.type == "raid_start":
                raid_start = _db_time(event.timestamp)
            elif event.type == "kill":
                data = event.data
                rows.append(
                    (
                        key,
                        raid_start,
                        _db_time(event.timestamp),
                        data["enemy_type"],
                        data["weapon"],
                        int(bool(data["headshot"])),
                    )
                )
    return sorted(rows, key=lambda row: (str(row[0]), str(row[1]), str(row[2])))


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db, timeout=10)) as connection:
        return list(connection.execute(sql).fetchall())


def _count(db: Path) -> int:
    """Rows of the four tables: how far the import got."""
    return int(str(_rows(db, COUNT_ROWS)[0][0]))


@contextmanager
def _serve(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``framewise serve`` in a subprocess; SIGKILLed (if still alive) on the way out."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ("serve", "--data-dir", str(data_dir), "--port", str(port), "--log-level", "warning")
    log = data_dir.parent / "serve.log"  # what the server said, for a failure's message
    with log.open("ab") as sink:
        process = subprocess.Popen(_framewise(*args), stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"framewise serve exited: {log.read_text()[-2000:]}"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "framewise serve did not answer in 60 s"
            time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _start_import(url: str, logs: Path) -> subprocess.Popen[str]:
    args = ("import", str(logs), "--api", url, "--mode", "single", "--retries", "2")
    return subprocess.Popen(
        _framewise(*args, "--timeout", "10"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
def test_store_killed_during_a_single_import_ends_with_every_log_once(tmp_path: Path) -> None:
    logs = _write_logs(tmp_path / "logs")
    data_dir = tmp_path / "store"
    db = data_dir / "events.sqlite3"
    total = LOGS * ROWS_PER_LOG
    rng = random.Random(SEED)
    outputs: list[str] = []
    stored = 0
    for _ in range(CRASHES):
        # A kill point somewhere in what is left: any call of any log, mid-session mostly.
        target = rng.randint(stored + 1, stored + (total - stored) // 2)
        with _serve(data_dir) as (url, server):
            importer = _start_import(url, tmp_path / "logs")
            while importer.poll() is None and _count(db) < target:
                time.sleep(0.01)
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
            output, _ = importer.communicate(timeout=120)
        outputs.append(output)
        assert importer.returncode == 6, output  # the store went away: aborted, says so
        assert "aborted" in output
        stored = _count(db)
        assert stored < total
    for _ in range(3):
        with _serve(data_dir) as (url, _server):
            importer = _start_import(url, tmp_path / "logs")
            output, _ = importer.communicate(timeout=300)
        outputs.append(output)
        if importer.returncode == 0:
            break
    assert importer.returncode == 0, "\n---\n".join(outputs)
    assert "repaired session" in "".join(outputs)
    assert _rows(db, "SELECT COUNT(*), COUNT(DISTINCT import_key) FROM stream_sessions") == [
        (LOGS, LOGS)
    ]
    assert _rows(db, "SELECT COUNT(*) FROM stream_sessions WHERE ended_at IS NULL") == [(0,)]
    assert _rows(db, "SELECT COUNT(*), COUNT(DISTINCT started_at) FROM raids") == [
        (LOGS * RAIDS, LOGS * RAIDS)
    ]
    assert _rows(db, "SELECT COUNT(*) FROM raids WHERE ended_at IS NULL") == [(0,)]
    assert _rows(db, KILL_ROWS) == _expected_kills(logs)
    # 3 transitions a raid and its end's, once each.
    transitions = "SELECT raid_id, to_state, transitioned_at, COUNT(*) FROM raid_state_transitions"
    per_raid = _rows(db, f"{transitions} GROUP BY raid_id, to_state, transitioned_at")
    assert len(per_raid) == LOGS * RAIDS * 4 and {row[3] for row in per_raid} == {1}
