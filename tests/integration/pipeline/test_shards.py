"""Long videos split by time: sharded detection gives a whole-file run's frames and events.

Real files that seek differently — a variable-frame-rate MP4, an MKV, an AVI whose frames are
timed by DTS (B-frames without PTS) — are processed whole and in shards on two worker
processes; the shards' frames (true index and time) equal an uninterrupted read's, and the
event logs, thumbnails and journals are the same. A run killed in the middle of a shard
resumes with its finished shards kept, and shards that do not join are refused.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from framewise.config.pipeline import PipelineConfig, load_pipeline
from framewise.core.errors import ConfigError, InputError
from framewise.events.journal import read_journal
from framewise.executors import make_executor
from framewise.pipeline.rundir import SHARDS_DIR
from framewise.pipeline.runner import Pipeline
from framewise.pipeline.shards import (
    ShardDetector,
    ShardSpec,
    ShardWorkers,
    plan_shards,
    shard_folder,
    sharding_fps,
)
from framewise.pipeline.shards_replay import merge_shards
from framewise.pipeline.shards_run import ShardOptions, process_sharded
from framewise.sources.file import DecodeOptions, FileSource
from framewise.sources.probe import probe
from framewise.testing.ffmpeg import colour_segments_clip
from framewise.testing.models import COLOUR_SEGMENTS, colour_model
from tests.integration.pipeline.test_process import PIPELINE

LOW = 0.25
"""A confidence at which the colour model sees episodes in ordinary footage too."""

REAL = [
    ("pyscenedetect/goldeneye-vfr-drop3.mp4", 2.0),  # VFR: PTS times are not index / fps
    ("intel-sample-videos/asl_gestures_walk.mkv", 1.0),  # MKV: no frame count in the header
    ("opencvtutorial-vtest/vtest.avi", 20.0),  # B-frames without PTS: timed by DTS
]

KILLED_IN_A_SHARD = """
import os, signal, sys, threading, time
from pathlib import Path
from framewise.config.pipeline import load_pipeline
from framewise.executors import make_executor
from framewise.pipeline.shards_run import ShardOptions, process_sharded

root, out = Path(sys.argv[1]), Path(sys.argv[2])
shards = out / "shards"

def watch() -> None:  # SIGKILL while a shard is half written, after three have finished
    while True:
        names = [p.name for p in shards.iterdir()] if shards.is_dir() else []
        finished = [n for n in names if not n.startswith(".")]
        if len(finished) >= 3 and len(names) > len(finished):
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.001)

threading.Thread(target=watch, daemon=True).start()
with make_executor("local", 1) as executor:
    process_sharded(load_pipeline(root / "pipeline.yaml"), root / "colours.mkv", out,
                    ShardOptions(1.0, executor))
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    root = tmp_path_factory.mktemp("shards")
    colour_model(root / "colour.onnx")
    (root / "pipeline.yaml").write_text(PIPELINE)
    colour_segments_clip(ffmpeg, root / "colours.mkv", COLOUR_SEGMENTS)
    return root


def _log(folder: Path) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((folder / "events.json").read_text())
    payload["metadata"].pop("processed_at")
    return payload


def _frames(folder: Path) -> list[tuple[int, float]]:
    return [(e.index, e.seconds) for e in read_journal(folder / "journal.jsonl")]


def _assert_same_run(whole: Path, sharded: Path) -> None:
    """Same events and log, same journal, same thumbnails (byte for byte)."""
    a, b = _log(whole), _log(sharded)
    assert b["events"] == a["events"]
    stats_a, stats_b = a["metadata"].pop("source_stats"), b["metadata"].pop("source_stats")
    assert b["metadata"] == a["metadata"]
    # Kept and gaps are a whole-file read's; decoded counts the shards' overlap too.
    assert (stats_b["kept"], stats_b["gaps"]) == (stats_a["kept"], stats_a["gaps"])
    assert stats_b["decoded"] >= stats_a["decoded"]
    ja, jb = read_journal(whole / "journal.jsonl"), read_journal(sharded / "journal.jsonl")
    assert [(e.index, e.seconds) for e in jb] == [(e.index, e.seconds) for e in ja]
    assert [e.detections.class_name for e in jb] == [e.detections.class_name for e in ja]
    assert [e.detections.confidence.tolist() for e in jb] == [
        e.detections.confidence.tolist() for e in ja
    ]
    thumbs = sorted(p.name for p in (whole / "thumbnails").glob("*.jpg"))
    assert thumbs == sorted(p.name for p in (sharded / "thumbnails").glob("*.jpg"))
    for name in thumbs:
        assert (sharded / "thumbnails" / name).read_bytes() == (
            whole / "thumbnails" / name
        ).read_bytes()
    manifest_a = json.loads((whole / "manifest.json").read_text())
    manifest_b = json.loads((sharded / "manifest.json").read_text())
    assert manifest_b["config_hash"] == manifest_a["config_hash"]
    assert manifest_b["status"] == "complete"
    assert not (sharded / SHARDS_DIR).exists()  # merged, then removed


@pytest.mark.parametrize(("relative", "shard_seconds"), REAL, ids=[r[0] for r in REAL])
def test_sharded_frames_and_events_equal_a_whole_file_run(
    workspace: Path, real_data: Path, tmp_path: Path, relative: str, shard_seconds: float
) -> None:
    video = real_data / relative
    config = load_pipeline(workspace / "pipeline.yaml")
    pipeline = Pipeline(config, confidence=LOW)
    try:
        whole = pipeline.process_video(video, tmp_path / "whole")
    finally:
        pipeline.close()
    with make_executor("local", 2) as executor:
        sharded = process_sharded(
            config,
            video,
            tmp_path / "sharded",
            ShardOptions(shard_seconds, executor),
            confidence=LOW,
        )
    assert whole.events >= 1  # something for the temporal step to decide
    assert sharded.counts == whole.counts and sharded.frames == whole.frames
    manifest = json.loads((tmp_path / "sharded" / "manifest.json").read_text())
    assert manifest["summary"]["shards"]["count"] >= 3
    _assert_same_run(tmp_path / "whole", tmp_path / "sharded")
    # The shards' frames are an uninterrupted read's: true indices and PTS times.
    with FileSource(
        video, sample_fps=config.source.sample_fps, decode=DecodeOptions.from_config(config.source)
    ) as source:
        read = [(frame.index, frame.seconds) for frame in source.read()]
    assert _frames(tmp_path / "sharded") == read


def test_a_run_killed_inside_a_shard_keeps_the_finished_ones(
    workspace: Path, tmp_path: Path
) -> None:
    config = load_pipeline(workspace / "pipeline.yaml")
    video = workspace / "colours.mkv"
    pipeline = Pipeline(config)
    try:
        pipeline.process_video(video, tmp_path / "whole")
    finally:
        pipeline.close()
    cut = tmp_path / "cut"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_IN_A_SHARD, str(workspace), str(cut)],
        check=False,
        timeout=120,
    )
    assert killed.returncode == -9  # SIGKILL: nothing was cleaned up
    names = [p.name for p in (cut / SHARDS_DIR).iterdir()]
    finished = sorted(n for n in names if not n.startswith("."))
    assert len(finished) >= 3 and any(n.endswith(".partial") for n in names)
    assert not (cut / "events.json").exists()
    with make_executor("local", 2) as executor:
        resumed = process_sharded(config, video, cut, ShardOptions(1.0, executor))
    summary = json.loads((cut / "manifest.json").read_text())["summary"]
    assert summary["shards"]["reused"] == len(finished)  # not redone
    assert summary["legs"] == 2
    assert resumed.replayed == sum(
        1 for entry in _frames(cut) if entry[1] < len(finished) * 1.0 - 0.05
    )
    _assert_same_run(tmp_path / "whole", cut)


def test_shards_that_do_not_join_are_refused(workspace: Path, tmp_path: Path) -> None:
    config = load_pipeline(workspace / "pipeline.yaml")
    video = workspace / "colours.mkv"
    info = probe(video)
    fps = sharding_fps(config)
    plan = plan_shards(info.duration_seconds, fps, 3.0)
    specs = [
        ShardSpec(str(video), shard, str(tmp_path), config, None, info.session_start)
        for shard in plan
    ]
    detector = ShardDetector(config, None)
    try:
        dones = [detector(spec) for spec in specs]
    finally:
        detector.close()
    assert [d.shard for d in dones] == plan and sum(d.frames for d in dones) == 91
    assert merge_shards(tmp_path, dones, fps, video).source_stats["kept"] == 91
    # Each shard read, just past its end, the frame the next one starts with ...
    assert dones[0].after == _first_frame(tmp_path, 1)
    # ... so a shard that read another frame next (a file that seeks inexactly) is refused.
    index, seconds = _first_frame(tmp_path, 1)
    bad = dataclasses.replace(dones[0], after=(index + 3, seconds + 0.1))
    with pytest.raises(InputError, match="shards do not join"):
        merge_shards(tmp_path, [bad, *dones[1:]], fps, video)


def _first_frame(run: Path, number: int) -> tuple[int, float]:
    entries = read_journal(shard_folder(run, number) / "journal.jsonl")
    return entries[0].index, entries[0].seconds


def test_the_plan_follows_the_sampling_grid_and_refuses_what_cannot_split(
    workspace: Path,
) -> None:
    plan = plan_shards(155.0, 10.0, 60.0)
    assert [(s.first_tick, s.end_tick) for s in plan] == [(0, 600), (600, 1200), (1200, None)]
    # A remainder under half a shard joins the last one instead of making a tiny shard.
    assert [(s.first_tick, s.end_tick) for s in plan_shards(125.0, 10.0, 60.0)] == [
        (0, 600),
        (600, None),
    ]
    assert [(s.first_tick, s.end_tick) for s in plan_shards(0.0, 10.0, 60.0)] == [(0, None)]
    assert plan_shards(10.0, 3.0, 0.1)[1].first_tick == 1  # at least one tick per shard
    for bad in (0.0, -5.0, float("nan"), float("inf")):
        with pytest.raises(ConfigError, match="not a shard length"):
            plan_shards(60.0, 10.0, bad)
    config = load_pipeline(workspace / "pipeline.yaml")
    every_frame = config.model_copy(
        update={"source": config.source.model_copy(update={"read": "all"})}
    )
    with pytest.raises(ConfigError, match="reads every frame"):
        sharding_fps(every_frame)
    # What a Ray actor or a worker process receives pickles and comes back equal.
    spec = ShardSpec(
        "v.mkv", plan[1], "out", config, 0.5, probe(workspace / "colours.mkv").session_start
    )
    assert pickle.loads(pickle.dumps(spec)) == spec
    factory = ShardWorkers(config, None)
    assert isinstance(pickle.loads(pickle.dumps(factory)).config, PipelineConfig)
