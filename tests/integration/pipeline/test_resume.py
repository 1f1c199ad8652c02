"""Resume keeps its work from the first second, and a resumed run's figures cover every leg.

A child process kills itself with SIGKILL in the middle of a run, before any checkpoint: the
journal lines it handed to the operating system survive, and the rerun resumes from them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from framewise.config.pipeline import load_pipeline
from framewise.events.log import read_event_log
from framewise.pipeline.batch import run_line
from framewise.pipeline.runner import Pipeline
from framewise.testing.ffmpeg import colour_segments_clip
from framewise.testing.models import COLOUR_SEGMENTS, colour_model
from tests.integration.pipeline.test_process import PIPELINE

KILLED_AT_5S = """
import os, signal, sys
from pathlib import Path
from framewise.config.pipeline import load_pipeline
from framewise.pipeline.runner import Pipeline

def die(seconds: float) -> None:
    if seconds >= 5.0:
        os.kill(os.getpid(), signal.SIGKILL)

root, out = Path(sys.argv[1]), Path(sys.argv[2])
pipeline = Pipeline(load_pipeline(root / "pipeline.yaml"), checkpoint_seconds=3600)
pipeline.process_video(root / "colours.mkv", out, on_progress=die)
"""


class StopRunError(Exception):
    """Stands in for a crash after a checkpoint."""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    root = tmp_path_factory.mktemp("resume")
    colour_model(root / "colour.onnx")
    (root / "pipeline.yaml").write_text(PIPELINE)
    colour_segments_clip(ffmpeg, root / "colours.mkv", COLOUR_SEGMENTS)
    return root


def _events(path: Path) -> list[tuple[str, str, float, int]]:
    log = read_event_log(path)
    return [(e.event_id, e.type, e.video_offset_seconds, e.frame_number) for e in log.events]


def test_a_kill_before_the_first_checkpoint_loses_nothing(workspace: Path, tmp_path: Path) -> None:
    pipeline = Pipeline(load_pipeline(workspace / "pipeline.yaml"))
    try:
        whole = pipeline.process_video(workspace / "colours.mkv", tmp_path / "whole")
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_AT_5S, str(workspace), str(tmp_path / "cut")],
            check=False,
            timeout=120,
        )
        assert killed.returncode == -9  # SIGKILL: nothing was cleaned up
        assert not (tmp_path / "cut" / "events.json").exists()  # no checkpoint was reached
        resumed = pipeline.process_video(workspace / "colours.mkv", tmp_path / "cut")
    finally:
        pipeline.close()
    assert resumed.resumed_at is not None and resumed.resumed_at >= 4.9
    assert resumed.replayed >= 45  # ~50 frames to 5 s at 10 fps
    assert resumed.frames == whole.frames
    assert _events(resumed.log_path) == _events(whole.log_path)  # ids, times, frame numbers
    assert "frames from the journal" in run_line(resumed)


def test_a_resumed_runs_figures_cover_every_leg(workspace: Path, tmp_path: Path) -> None:
    config = load_pipeline(workspace / "pipeline.yaml")
    pipeline = Pipeline(config, checkpoint_seconds=0.0)
    whole = pipeline.process_video(workspace / "colours.mkv", tmp_path / "whole")

    def stop_at_5s(seconds: float) -> None:
        if seconds >= 5.0:
            raise StopRunError

    with pytest.raises(StopRunError):
        pipeline.process_video(workspace / "colours.mkv", tmp_path / "cut", on_progress=stop_at_5s)
    first_leg = json.loads((tmp_path / "cut" / "manifest.json").read_text())["legs"]
    assert len(first_leg) == 1 and first_leg[0]["source_stats"]["kept"] >= 45
    resumed = pipeline.process_video(workspace / "colours.mkv", tmp_path / "cut")
    pipeline.close()
    # Both legs' work is counted: the first leg's frames, then the second's (which decoded
    # the frames around the resume point again for thumbnails).
    assert resumed.stats.kept >= whole.stats.kept
    assert resumed.stats.decoded >= whole.stats.decoded
    assert resumed.wall_seconds >= float(first_leg[0]["wall_seconds"])
    log = read_event_log(resumed.log_path)
    assert log.metadata.source_stats is not None
    assert log.metadata.source_stats["kept"] == resumed.stats.kept
    assert log.metadata.frames_processed == whole.frames
    manifest = json.loads((tmp_path / "cut" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["summary"]["legs"] == 2
