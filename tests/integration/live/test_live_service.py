"""The live service with real clients: WebSocket events of a replayed clip, health, config."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from framewise.config.pipeline import PipelineConfig
from framewise.core.errors import ConfigError
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from tests.integration.live.conftest import EXPECTED

WIRE_TYPES = {"state_transition", "raid_start", "kill", "death"}


def receive(ws: ClientConnection, count: int, timeout_s: float = 20.0) -> list[dict[str, Any]]:
    """``count`` messages, failing after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    out: list[dict[str, Any]] = []
    while len(out) < count:
        out.append(json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic()))))
    return out


def wait_for(condition: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.05)  # polling an HTTP endpoint: there is nothing to wait on


def test_clients_receive_the_replayed_clip_and_survive_one_dropping(
    replay_service: LiveService,
) -> None:
    service = replay_service
    with connect(service.ws_url) as first, connect(service.ws_url) as second:
        health = httpx.get(f"{service.url}/health").json()
        assert health["clients_connected"] == 2
        assert health["status"] == "starting"
        service.start_pipeline()
        got = receive(first, 2)
        second.close()  # one client leaves mid-stream; the other goes on
        got += receive(first, len(EXPECTED) - 2)
        assert service.runner.join(20)
        wait_for(lambda: httpx.get(f"{service.url}/health").json()["clients_connected"] == 1)
    types = [m["type"] for m in got]
    assert types == [
        "state_transition",
        "raid_start",
        "kill",
        "state_transition",
        "death",
        "state_transition",
        "raid_start",
        "kill",
    ]
    start = got[1]
    assert start["data"] == {"map_name": "customs", "character_type": "pmc", "game_mode": "pve"}
    assert set(start) == {"type", "timestamp", "confidence", "data"}
    # Epoch seconds of the file's own times: creation_time 2026-01-15T18:00:00Z + 0 s / 3 s.
    assert start["timestamp"] == pytest.approx(1768500000.0, abs=0.1)
    assert got[4]["timestamp"] == pytest.approx(1768500003.0, abs=0.1)
    assert got[4]["data"]["outcome"] == "killed"
    assert 0.5 < start["confidence"] <= 1.0
    stats = httpx.get(f"{service.url}/stats").json()
    assert stats["status"] == "ended"
    assert stats["events_by_type"] == {
        "kill": 2,
        "raid_end": 1,
        "raid_start": 2,
        "state_transition": 3,
    }
    assert stats["tally"] == {
        "state": "raid",
        "map_name": "customs",
        "in_raid": True,
        "raid_kills": 1,
        "kills": 2,
        "deaths": 1,
        "extractions": 0,
        "raids": 2,
        "kd": 2.0,
    }
    latency = stats["latency_ms"]["event_arrival_to_broadcast"]
    assert latency["count"] == len(EXPECTED)
    assert 0 < latency["p50"] < 1000
    source = stats["source"]
    assert stats["frames_processed"] == source["kept"], source
    assert 85 <= source["kept"] + source["dropped"] <= 91, source  # 9 s at 10 fps


def test_a_config_change_applies_while_running(workspace: Path, pipeline: PipelineConfig) -> None:
    spec = parse_source(str(workspace / "colours.mkv"), replay=True, speed=2.0)
    with (
        LiveService(pipeline, spec, ServiceOptions(port=0, token="s3cret")) as service,
        connect(service.ws_url) as ws,
    ):
        url = f"{service.url}/config"
        assert httpx.get(url).json()["filters"][0]["hits"] == 3
        assert httpx.post(url, json={"filters": [{"index": 0, "hits": 50}]}).status_code == 401
        auth = {"Authorization": "Bearer s3cret"}
        service.start_pipeline()
        assert receive(ws, 1)[0]["type"] == "state_transition"  # the first raid began
        answer = httpx.post(url, json={"filters": [{"index": 0, "hits": 50}]}, headers=auth)
        assert answer.status_code == 200, answer.text
        assert answer.json()["filters"][0]["hits"] == 50
        # Validated: out of range, unknown keys and missing filters are refused.
        for body in ({"confidence": 1.5}, {"hitz": 2}, {"filters": [{"index": 7, "hits": 2}]}):
            refused = httpx.post(url, json=body, headers=auth)
            assert refused.status_code == 422, (body, refused.text)
        assert httpx.post(url, json={"confidence": 0.6}, headers=auth).status_code == 200
        assert service.runner.join(20)
        config = httpx.get(url).json()
    # 50 hits in 50 periods cannot happen in 2 s segments: the green screen (3 s) and the
    # second red one (6 s) are never confirmed, so no death and no second raid.
    assert service.runner.counts["raid_start"] == 1
    assert service.runner.counts["raid_end"] == 0
    assert service.runner.counts["kill"] == 1  # the red screen on show when it changed
    assert config["filters"][0]["hits"] == 50
    assert config["filters"][0]["period_seconds"] == pytest.approx(0.1)  # 1 / detection_fps
    assert config["detectors"] == [{"name": "colour", "confidence": 0.6, "iou": 0.7}]


def test_off_loopback_needs_a_token(workspace: Path, pipeline: PipelineConfig) -> None:
    spec = parse_source(str(workspace / "colours.mkv"), replay=True)
    with pytest.raises(ConfigError, match="needs a token"):
        LiveService(pipeline, spec, ServiceOptions(host="0.0.0.0", port=0))


def test_overlay_page_is_transparent_and_follows_the_websocket(
    replay_service: LiveService,
) -> None:
    page = httpx.get(f"{replay_service.url}/overlay")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "background: transparent" in page.text
    assert '<script src="/overlay.js">' in page.text
    script = httpx.get(f"{replay_service.url}/overlay.js")
    assert script.status_code == 200
    assert "/ws" in script.text and "/stats" in script.text
    for kind in ("raid_start", "kill", "death", "state_transition"):
        assert f'"{kind}"' in script.text
