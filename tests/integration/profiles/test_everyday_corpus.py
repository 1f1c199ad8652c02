"""The scenes and motion profiles run on every video of the real corpus without an error: each
run completes with a valid event log whose events lie inside the video, in time order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from framewise.cli.options import load_pipeline_option
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline

VIDEO_SUFFIXES = {".mp4", ".mkv", ".avi"}


@pytest.mark.slow
def test_every_corpus_video_runs_through_both_profiles(
    real_data: Path, manifest: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    videos = sorted(p for p in manifest if Path(p).suffix in VIDEO_SUFFIXES)
    assert len(videos) >= 18
    # One decode per video: the scenes profile's pipeline (every frame) with the motion
    # profile's stage added; each stage's frame rule makes its own events.
    scenes = load_pipeline_option("scenes", None, None, None)
    motion = load_pipeline_option("motion", None, None, None)
    both = scenes.model_copy(update={"detectors": [*scenes.detectors, *motion.detectors]})
    pipeline = Pipeline(both)
    try:
        for i, relative in enumerate(videos):
            pipeline.process_video(real_data / relative, tmp_path / str(i))
            log = read_event_log(tmp_path / str(i) / "events.json")
            assert log.metadata.complete, relative
            times = [e.video_offset_seconds for e in log.events]
            assert times == sorted(times), relative
            end = log.metadata.video_duration_seconds + 0.5
            assert all(0 <= t <= end for t in times), (relative, times)
            assert {e.type for e in log.events} <= {"scene_cut", "motion"}, relative
            if relative.startswith("pyscenedetect/goldeneye"):
                assert {e.type for e in log.events} == {"scene_cut", "motion"}
    finally:
        pipeline.close()
