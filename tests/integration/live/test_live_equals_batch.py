"""Live = batch: a clip replayed at real-time pace through live mode gives the events that
``Pipeline.process_video`` writes for the same file (same types and fields, times within one
sample period), and the WebSocket carries them with the documented type mapping."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from websockets.sync.client import connect

from framewise.config.pipeline import PipelineConfig
from framewise.events.log import read_event_log
from framewise.live.messages import to_message
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from framewise.pipeline.runner import Pipeline
from tests.integration.live.conftest import EXPECTED


@pytest.mark.parametrize("speed", [1.0, 4.0])
def test_replay_through_live_mode_gives_the_batch_events(
    workspace: Path, pipeline: PipelineConfig, tmp_path: Path, speed: float
) -> None:
    batch_pipeline = Pipeline(pipeline)
    try:
        run = batch_pipeline.process_video(workspace / "colours.mkv", tmp_path / "batch")
    finally:
        batch_pipeline.close()
    batch = read_event_log(run.log_path).events
    assert [e.type for e in batch] == [kind for kind, _ in EXPECTED]
    assert [e.video_offset_seconds for e in batch] == pytest.approx(
        [seconds for _, seconds in EXPECTED], abs=0.11
    )

    # Every frame paced, none dropped: how many frames a busy machine would drop (each can
    # split an episode) is not repeatable, and dropping is tested with the sources.
    spec = replace(
        parse_source(str(workspace / "colours.mkv"), replay=True, speed=speed), keep_newest=False
    )
    with (
        LiveService(pipeline, spec, ServiceOptions(port=0)) as service,
        connect(service.ws_url) as ws,
    ):
        service.start_pipeline()
        messages = [json.loads(ws.recv(timeout=30)) for _ in range(len(EXPECTED))]
        assert service.runner.join(30)
    live = [item.event for item in service.runner.events]

    period = 1 / pipeline.source.detection_fps
    assert len(live) == len(batch)
    for ours, theirs in zip(live, batch, strict=True):
        assert ours.type == theirs.type
        assert ours.data == theirs.data
        assert ours.event_id == theirs.event_id
        assert abs(ours.video_offset_seconds - theirs.video_offset_seconds) <= period + 1e-6
        assert abs((ours.timestamp - theirs.timestamp).total_seconds()) <= period + 1e-6
        assert ours.confidence == pytest.approx(theirs.confidence, abs=0.05)
    # What the WebSocket carried is the batch events, mapped.
    evidence = {"state_transition": "", "raid_start": "", "kill": "", "raid_end": ""}
    wanted = [to_message(e, evidence[e.type]) for e in batch]
    assert [m["type"] for m in messages] == [w["type"] for w in wanted if w is not None]
    for got, want in zip(messages, wanted, strict=True):
        assert want is not None
        assert got["data"] == want["data"]
        assert got["timestamp"] == pytest.approx(want["timestamp"], abs=period + 1e-6)
