"""The tasks profile: a real video gives the same task_segment events from `process` and from
a paced live replay, and the WebSocket carries task_prediction / task_confidence messages."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from framewise.cli.options import load_pipeline_option
from framewise.datasets.task_predict import PredictRun
from framewise.events.journal import read_journal
from framewise.events.log import read_event_log
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from framewise.pipeline.runner import Pipeline
from tests.integration.cli.cli_run import framewise
from tests.integration.walk import FPS, VIDEO

pytest.importorskip("mediapipe")
pytest.importorskip("sklearn")

KILLED_AT_60S = """
import os, signal, sys
from pathlib import Path
from framewise.cli.options import load_pipeline_option
from framewise.pipeline.runner import Pipeline

def die(seconds: float) -> None:
    if seconds >= 60.0:
        os.kill(os.getpid(), signal.SIGKILL)

model, video, out = (Path(arg) for arg in sys.argv[1:4])
config = load_pipeline_option("tasks", None, 2.0, model)
Pipeline(config, checkpoint_seconds=0.0).process_video(video, out / "cut", on_progress=die)
"""


@pytest.fixture
def model(walk_model: Path) -> Path:
    """The task model the feature tests train (2 fps pose features of the walking video)."""
    return walk_model


def _drain(ws: ClientConnection, service: LiveService) -> list[dict[str, Any]]:
    """Every message until the replay has ended and nothing more comes."""
    messages: list[dict[str, Any]] = []
    ended = False
    while True:
        try:
            messages.append(json.loads(ws.recv(timeout=2.0 if ended else 60.0)))
        except (TimeoutError, ConnectionClosed):
            if ended:
                return messages
        ended = ended or service.runner.join(0)


@pytest.mark.slow
def test_process_and_live_replay_give_the_same_task_segments(
    real_data: Path, model: Path, walk_predictions: PredictRun, tmp_path: Path
) -> None:
    config = load_pipeline_option("tasks", None, FPS, model / "model.onnx")
    assert [d.kind for d in config.detectors] == ["pose", "hands", "task_classifier"]
    video = real_data / VIDEO
    pipeline = Pipeline(config)
    try:
        run = pipeline.process_video(video, tmp_path / "batch")
    finally:
        pipeline.close()
    batch = [e for e in read_event_log(run.log_path).events if e.type == "task_segment"]
    assert [e.type for e in read_event_log(run.log_path).events] == ["task_segment"] * len(batch)
    # The person walks in, works at the table and leaves, three times (docs/task-labels).
    labels = [e.data["label"] for e in batch]
    assert labels.count("work") >= 2 and "absent" in labels
    spans = [
        (e.data["label"], float(str(e.data["start"])), float(str(e.data["end"]))) for e in batch
    ]
    assert any(label == "work" and start < 12 < end for label, start, end in spans)
    for before, after in pairwise(batch):
        assert after.data["start"] == before.data["end"]
        assert after.data["label"] != before.data["label"]
    # The span open at the end of the input is closed at the last frame.
    last_frame = read_journal(tmp_path / "batch" / "journal.jsonl")[-1].seconds
    assert batch[-1].data["end"] == pytest.approx(last_frame, abs=1e-6)
    # The same spans `features predict` finds with the same model on the same frames.
    predicted = walk_predictions
    assert [(s.label, s.predictions) for s in predicted.segments] == [
        (e.data["label"], e.data["predictions"]) for e in batch
    ]
    assert [s.end for s in predicted.segments] == pytest.approx([e.data["end"] for e in batch])

    # Killed (SIGKILL) a minute in, after a checkpoint, and run again: the journal replays
    # what was done and the run goes on. The stages start afresh at the resume point (the task
    # window empty, MediaPipe tracking anew), so the spans from there on may count other
    # predictions and confidences; on this video no label or boundary moves.
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AT_60S, str(model / "model.onnx"), str(video), str(tmp_path)],
        check=False,
        timeout=300,
        capture_output=True,
    )
    assert killed.returncode == -9
    pipeline = Pipeline(config)
    try:
        resumed = pipeline.process_video(video, tmp_path / "cut")
    finally:
        pipeline.close()
    cut_at = resumed.resumed_at
    assert cut_at is not None and cut_at >= 59
    again = read_event_log(resumed.log_path).events
    assert [(e.event_id, e.data["label"], e.data["start"], e.data["end"]) for e in again] == [
        (e.event_id, e.data["label"], e.data["start"], e.data["end"]) for e in batch
    ]
    ended_before = [i for i, e in enumerate(batch) if float(str(e.data["end"])) <= cut_at]
    assert ended_before and all(again[i].data == batch[i].data for i in ended_before)

    spec = replace(parse_source(str(video), replay=True, speed=20.0), keep_newest=False)
    options = ServiceOptions(port=0, out_dir=tmp_path / "live")
    with LiveService(config, spec, options) as service, connect(service.ws_url) as ws:
        service.start_pipeline()
        messages = _drain(ws, service)
        tally = service.runner.tally_now()
    live = read_event_log(tmp_path / "live" / "events.json")
    assert live.metadata.complete
    assert [(e.event_id, e.type, e.data) for e in live.events] == [
        (e.event_id, e.type, e.data) for e in batch
    ]
    # The WebSocket: each prediction as it is made, each tagged frame's confidence, the spans.
    kinds = [m["type"] for m in messages]
    made = [m for m in messages if m["type"] == "task_prediction"]
    assert [(m["t"], m["label"]) for m in made] == [
        (pytest.approx(p.seconds), p.label) for p in predicted.predictions
    ]
    confidences = [m for m in messages if m["type"] == "task_confidence"]
    tagged = [e for e in read_journal(tmp_path / "live" / "journal.jsonl") if e.output.tags]
    assert len(confidences) == len(tagged)
    assert all(0 < m["confidence"] <= 1 and m["timestamp"] > 0 for m in confidences)
    sent = [m for m in messages if m["type"] == "task_segment"]
    assert [m["data"] for m in sent] == [e.data for e in batch]
    assert kinds.index("task_prediction") < kinds.index("task_segment")
    assert tally["task"] == batch[-1].data["label"]
    assert sum(tally["segments"].values()) == len(batch)


def test_the_profile_without_a_model_is_one_line(real_data: Path, tmp_path: Path) -> None:
    done = framewise(
        "process", "--video", real_data / VIDEO, "--profile", "tasks", "--output", tmp_path
    )
    assert done.returncode == 5, done.stderr
    # MediaPipe's own native log lines (pose and hands load first) may come before it.
    ours = [line for line in done.stderr.splitlines() if line.startswith("framewise:")]
    assert len(ours) == 1 and ours[0] == done.stderr.strip().splitlines()[-1]
    assert "no task model" in ours[0] and "--model" in ours[0]
    assert not list(tmp_path.rglob("events.json"))


@pytest.mark.slow
def test_live_runs_the_profile_with_the_model_it_is_given(
    real_data: Path, model: Path, tmp_path: Path
) -> None:
    signer = real_data / "intel-sample-videos/asl_gestures_walk.mkv"
    done = framewise("live", "--source", signer, "--replay", "--profile", "tasks", "--model",
                     model / "model.onnx", "--detection-fps", str(FPS), "--port", "0",
                     "--exit-at-end", "--output", tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "{'task_segment': 1}" in done.stdout and "status ended" in done.stdout
    (log,) = tmp_path.glob("live-*/events.json")
    (segment,) = read_event_log(log).events
    assert segment.type == "task_segment" and segment.data["label"] in {"walk", "work"}
