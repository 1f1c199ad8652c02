"""Write tokens off loopback, and the ``serve`` / ``import`` commands end to end."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from framewise.cli.store_commands import register
from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.importer.synthetic import synthetic_log
from framewise.store.api import create_app
from framewise.store.client import RetryPolicy, StoreClient, StoreUnavailableError
from framewise.store.schemas import CreateSessionRequest
from framewise.store.settings import StoreSettings
from tests.integration.store.store_live import LiveServer

SESSION = {"session_type": "stream", "started_at": "2026-01-01T10:00:00Z"}


def _cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_non_loopback_bind_needs_a_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="write token"):
        create_app(StoreSettings(data_dir=tmp_path, host="0.0.0.0"))
    result = CliRunner().invoke(_cli(), ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert isinstance(result.exception, ConfigError)
    assert result.exception.exit_code == 2
    assert "needs a write token" in str(result.exception)


def test_token_guards_writes_but_not_reads(tmp_path: Path) -> None:
    with LiveServer(tmp_path / "store", host="0.0.0.0", token="s3cret") as server:
        with httpx.Client(base_url=server.url) as http:
            missing = http.post("/api/session", json=SESSION)
            wrong = http.post(
                "/api/session", json=SESSION, headers={"Authorization": "Bearer nope"}
            )
            right = http.post(
                "/api/session", json=SESSION, headers={"Authorization": "Bearer s3cret"}
            )
            read = http.get("/api/session/current")
        assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 201)
        assert missing.json()["error"]["code"] == "unauthorized"
        assert read.status_code == 200
        assert server.counts()["stream_sessions"] == 1


def test_import_command_with_token_and_stats(tmp_path: Path) -> None:
    log = tmp_path / "session.json"
    log.write_text(synthetic_log(raids=2, kills_per_raid=3).model_dump_json())
    with LiveServer(tmp_path / "store", token="t0ken") as server:
        denied = CliRunner().invoke(
            _cli(), ["import", str(log), "--api", server.url, "--retries", "1"]
        )
        assert isinstance(denied.exception, ConfigError)
        assert "refused the write token" in str(denied.exception)
        args = ["import", str(log), "--api", server.url, "--token", "t0ken", "--stats"]
        result = CliRunner().invoke(_cli(), args)
        assert result.exit_code == 0, result.output
        assert "session 1 created (2 raids, 6 kills)" in result.output
        assert '"total_kills": 6' in result.output
        dry = CliRunner().invoke(_cli(), ["import", str(log), "--dry-run"])
        assert dry.exit_code == 0
        assert "dry run: nothing sent" in dry.output
        assert server.counts()["kills"] == 6


def test_import_command_reports_an_unreachable_store(tmp_path: Path) -> None:
    log = tmp_path / "session.json"
    log.write_text(synthetic_log(raids=1, kills_per_raid=1).model_dump_json())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"  # bound, never listening
        result = CliRunner().invoke(
            _cli(), ["import", str(log), "--api", url, "--retries", "2"], env=dict(os.environ)
        )
    assert isinstance(result.exception, StoreUnavailableError)
    assert result.exception.exit_code == 6
    assert "check that the event store is running" in str(result.exception)
    missing = CliRunner().invoke(_cli(), ["import", str(tmp_path / "nope.json"), "--dry-run"])
    assert isinstance(missing.exception, InputNotFoundError)
    assert missing.exception.exit_code == 3


def test_serve_command_runs_a_store_in_its_own_process(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = (
        "import typer; from framewise.cli.store_commands import register; "
        "app = typer.Typer(); register(app); app()"
    )
    args = [
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path / "d"),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen([sys.executable, "-c", script, *args])
    try:
        with StoreClient(f"http://127.0.0.1:{port}", retry=RetryPolicy(40, 0.05, 1.5, 0.5)) as c:
            assert c.health()
            c.create_session(CreateSessionRequest(session_type="casual"))
            current = c.current_session()
            assert current is not None and current.session_type == "casual"
    finally:
        process.terminate()
        process.wait(timeout=30)
    with sqlite3.connect(tmp_path / "d" / "events.sqlite3") as db:
        assert db.execute("SELECT session_type FROM stream_sessions").fetchall() == [("casual",)]
