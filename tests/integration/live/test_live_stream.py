"""A stream served by ffmpeg on 127.0.0.1 as the live source: events flow, and the service
survives the stream vanishing (it reopens it) with its WebSocket clients still connected."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from framewise.config.pipeline import PipelineConfig
from framewise.core.net import LOOPBACK, free_port
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import SourceSpec
from framewise.testing.ffmpeg import X264_LOW_LATENCY, FFmpegServer


@pytest.fixture
def server(workspace: Path, ffmpeg: str) -> Iterator[FFmpegServer]:
    """The colour clip, looped forever, as MPEG-TS over TCP in real time."""
    port = free_port()
    served = FFmpegServer(
        ["-re", "-stream_loop", "-1", "-i", str(workspace / "colours.mkv")],
        [*X264_LOW_LATENCY, "-g", "25", "-f", "mpegts"],
        f"tcp://{LOOPBACK}:{port}?listen=1",
        client_url=f"tcp://{LOOPBACK}:{port}",
        listen_port=port,
        ffmpeg=ffmpeg,
    )
    with served:
        yield served


def until(check: Any, timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout_s} s")
        time.sleep(0.1)  # polling /health: the service offers nothing to wait on
    return found


def test_stream_source_events_and_reopen_after_the_server_vanishes(
    server: FFmpegServer, pipeline: PipelineConfig
) -> None:
    # The source gives up after 1.5 s without frames; the runner then opens it again.
    spec = SourceSpec(server.url, max_reconnect_wait_s=1.5)
    with (
        LiveService(pipeline, spec, ServiceOptions(port=0)) as service,
        connect(service.ws_url) as ws,
    ):

        def health() -> dict[str, Any]:
            answer: dict[str, Any] = httpx.get(f"{service.url}/health").json()
            return answer

        service.start_pipeline()
        first = json.loads(ws.recv(timeout=20))
        assert first["type"] in {"state_transition", "raid_start", "kill", "death"}
        assert abs(first["timestamp"] - time.time()) < 10  # live: arrival time, not file time
        until(lambda: health()["status"] == "ok" and health()["fps"] > 5, 10, "frames flowing")
        before = service.runner.last_seconds
        assert before is not None

        server.stop()
        until(lambda: health()["status"] in {"stalled", "reconnecting"}, 10, "loss noticed")
        until(lambda: health()["status"] == "reconnecting", 10, "source given up and reopened")
        server.start()
        until(lambda: health()["status"] == "ok", 20, "stream back")
        frames = service.runner.frames
        until(lambda: service.runner.frames > frames + 10, 10, "frames after the reopen")
        assert health()["clients_connected"] == 1
        after = service.runner.last_seconds
        assert after is not None and after > before + 1.0  # time went on across the gap
        assert ws.ping().wait(5)  # the client's connection lived through it
        stats = httpx.get(f"{service.url}/stats").json()
    assert stats["source_reopened"] >= 1
    assert stats["error"] is None
