"""A live session from two real network streams on 127.0.0.1, one dying mid-episode."""

from __future__ import annotations

import json
import shutil
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest

from framewise.config.loader import load_config
from framewise.core.net import LOOPBACK, free_port
from framewise.record.config import RecordConfig
from framewise.record.pairing import Camera
from framewise.record.session import Recorder
from framewise.record.verify import verify_session
from framewise.sources.live import LiveSource
from framewise.synth.stereo import calibration_of
from framewise.synth.stereo_render import StereoSettings, render_stereo
from framewise.testing.ffmpeg import X264_LOW_LATENCY, FFmpegServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command"),
]


def _serve(video: Path, port: int) -> FFmpegServer:
    """``video`` streamed at its own pace as MPEG-TS to one client on ``port``."""
    return FFmpegServer(
        ["-re", "-i", str(video)],
        [*X264_LOW_LATENCY, "-g", "15", "-f", "mpegts"],
        f"tcp://{LOOPBACK}:{port}?listen=1",
        client_url=f"tcp://{LOOPBACK}:{port}",
        listen_port=port,
    )


def test_two_streams_record_episodes_and_a_dying_stream_closes_its_episode(
    tmp_path: Path,
) -> None:
    rig = tmp_path / "rig"
    truth = render_stereo(
        rig,
        StereoSettings(seed=2, pitches=2, fps=30, width=640, height=360, calibration_poses=4),
    )
    episodes = truth["episodes"]
    assert isinstance(episodes, list)
    config = load_config(rig / "rec.yaml", RecordConfig)
    left_server = _serve(rig / "left.mp4", free_port())
    right_server = _serve(rig / "right.mp4", free_port())
    with left_server, right_server:
        left_server.start()
        right_server.start()
        cameras = [
            Camera(name, LiveSource(server.url, reconnect=False, read_timeout_s=2.0))
            for name, server in (("left", left_server), ("right", right_server))
        ]
        folder = tmp_path / "session-live_001"
        rig_truth = truth["rig"]
        assert isinstance(rig_truth, dict)
        recorder = Recorder(config, cameras, calibration_of(rig_truth), folder, Fraction(30))
        # The streams start when the recorder connects: stop the right one 0.3 s into the
        # second pitch (plus a margin for connecting).
        kill_at = float(episodes[1]["start_seconds"]) + 0.3 + 0.4
        killer = threading.Timer(kill_at, right_server.stop)
        began = time.monotonic()
        killer.start()
        try:
            report = recorder.run()
        finally:
            killer.cancel()
        assert time.monotonic() - began < 60
    manifests = [
        json.loads((p / "manifest.json").read_text())
        for p in sorted(folder.iterdir())
        if (p / "manifest.json").is_file()
    ]
    assert len(manifests) == 2, [m["closed_by"] for m in manifests]
    first, second = manifests
    assert first["closed_by"] == "gap" and first["cameras_lost"] == []
    assert first["performance_metrics"]["detection_quality"]["left_camera_detections"] >= 8
    assert first["performance_metrics"]["detection_quality"]["right_camera_detections"] >= 8
    assert second["closed_by"] in {"camera_ended", "camera_lost"}
    assert second["cameras_lost"] == ["right"]
    assert next(lost.camera for lost in report.lost) == "right"
    assert report.observations > 0
    assert report.latency_p95_ms() is not None
    assert verify_session(folder).ok
