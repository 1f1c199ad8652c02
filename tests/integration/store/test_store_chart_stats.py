"""The chart figures over real HTTP, and ``framewise stats``, for a store filled from known logs
(``known_logs``: two imported sessions with hand-computed figures)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

from framewise.cli.main import main
from tests.integration.store import known_logs
from tests.integration.store.known_logs import T0
from tests.integration.store.store_live import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("charts")
    with LiveServer(root / "store") as live:
        logs = [known_logs.session_a(), known_logs.session_b()]
        known_logs.import_logs(live.url, root / "logs", logs)
        yield live


def _get(server: LiveServer, path: str, **params: str) -> Any:
    response = httpx.get(f"{server.url}/api/stats/{path}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"  # the overlay reads them
    return response.json()


def test_figures_match_the_known_logs(server: LiveServer) -> None:
    sessions = _get(server, "sessions")["sessions"]
    fields = ("raids", "survived", "kills", "deaths", "kd_ratio", "survival_rate")
    got = [(*(s[f] for f in fields), s["avg_raid_duration_seconds"]) for s in sessions]
    assert [tuple(round(v, 6) for v in row) for row in got] == [
        tuple(round(v, 6) for v in row) for row in known_logs.EXPECTED_SESSIONS
    ]
    maps = _get(server, "maps")["maps"]
    assert [
        (m["map_name"], m["raids"], m["survived"], m["kills"], m["kd_ratio"]) for m in maps
    ] == known_logs.EXPECTED_MAPS
    kills = _get(server, "kills")
    assert [(g["name"], g["kills"], g["headshots"]) for g in kills["by_weapon"]] == (
        known_logs.EXPECTED_WEAPONS
    )
    assert [(g["name"], g["kills"], g["headshots"]) for g in kills["by_enemy"]] == (
        known_logs.EXPECTED_ENEMIES
    )
    assert (kills["headshots"], kills["headshot_known"]) == known_logs.EXPECTED_HEADSHOTS
    durations = _get(server, "durations")
    raids, gaps = durations["raid_durations"], durations["between_raids"]
    # 4 raids of 20 min and 3 of 30 min in 1-min bins; gaps 3 × 5 min and 2 × 10 min.
    assert (raids["count"], raids["bin_seconds"], len(raids["bins"])) == (7, 60, 11)
    assert (raids["bins"][0]["count"], raids["bins"][-1]["count"]) == (4, 3)
    assert (raids["bins"][0]["start_seconds"], raids["bins"][-1]["start_seconds"]) == (1200, 1800)
    assert sum(b["count"] for b in raids["bins"]) == 7
    assert (gaps["count"], gaps["min_seconds"], gaps["max_seconds"]) == (5, 300, 600)
    assert [b["count"] for b in gaps["bins"] if b["count"]] == [3, 2]


def test_filters_and_the_timeline(server: LiveServer) -> None:
    pvp = _get(server, "sessions", game_mode="pvp")["sessions"]
    assert [s["kd_ratio"] for s in pvp] == known_logs.EXPECTED_PVP_KD
    later = (T0 + timedelta(hours=12)).isoformat()
    assert [s["session_id"] for s in _get(server, "sessions", since=later)["sessions"]] == [2]
    assert [s["session_id"] for s in _get(server, "sessions", until=later)["sessions"]] == [1]
    assert _get(server, "maps", game_mode="pve", until=later)["maps"][0]["map_name"] == "Customs"
    bad = httpx.get(f"{server.url}/api/stats/maps", params={"since": "yesterday"})
    assert bad.status_code == 422 and "since" in bad.json()["error"]["message"]

    timeline = _get(server, "timeline")  # the latest session: B
    assert timeline["session_id"] == 2
    bands = timeline["bands"]
    assert len(bands) == known_logs.EXPECTED_TIMELINE_SPANS
    assert [b["band"] for b in bands[:7]] == [
        "menu", "menu", "queue", "queue", "raid", "terminal", "menu",
    ]  # fmt: skip
    assert bands[5]["state"] == "survived" and bands[5]["start"] == bands[5]["end"]
    assert all(a["end"] == b["start"] for a, b in pairwise(bands))
    assert (bands[0]["start"], bands[-1]["end"]) == (timeline["started_at"], timeline["ended_at"])
    assert len(timeline["kills"]) == 6
    assert _get(server, "timeline", session_id="1")["bands"][1]["state"] == "stash_management"
    missing = httpx.get(f"{server.url}/api/stats/timeline", params={"session_id": 99})
    assert missing.status_code == 404


def test_stats_command_tables_and_json(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--data-dir", str(server.settings.data_dir)]) == 0
    tables = capsys.readouterr().out
    for title in ("All time", "Sessions", "Maps", "Kills by weapon", "Kills by enemy", "Durations"):
        assert title in tables
    assert "Interchange" in tables and "M4A1" in tables and "unknown" in tables
    assert "headshots: 39% (7 of 18 kills with a headshot flag)" in tables

    # Through the API, in a process of its own (the exit code a script sees).
    answer = subprocess.run(
        [sys.executable, "-m", "framewise", "stats", "--api", server.url, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    report = json.loads(answer.stdout)
    assert report["all_time"]["total_raids"] == 7
    assert [m["map_name"] for m in report["maps"]] == [m[0] for m in known_logs.EXPECTED_MAPS]
    assert report["kills"]["total_kills"] == 18


def test_stats_command_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--data-dir", str(tmp_path)]) == 3
    assert "no event store database here" in capsys.readouterr().err
    assert main(["stats", "--data-dir", str(tmp_path), "--api", "http://127.0.0.1:1"]) == 2
    assert main(["stats", "--data-dir", str(tmp_path), "--game-mode", "arena"]) == 2
