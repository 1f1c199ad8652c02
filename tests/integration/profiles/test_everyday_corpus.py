"""The everyday profiles run on every video of the real corpus without an error: each run
completes with a valid event log whose events lie inside the video, in time order. Scenes and
motion share one decode; text (and any profile added to :data:`SWEEP_FPS`) runs on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from framewise.cli.options import load_pipeline_option
from framewise.events.journal import read_journal
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.profiles import PROFILES

VIDEO_SUFFIXES = {".mp4", ".mkv", ".avi"}

SWEEP_FPS: dict[str, float] = {"text": 0.05, "people": 0.05}
"""Profile → the rate it samples the corpus at in :func:`test_every_corpus_video_runs_through`.

The hook for the everyday profiles beyond scenes and motion (a new one joins with its entry,
timed over the corpus first). A low rate keeps the sweep cheap: a frame every 20 s is ~40 over
the 437 s corpus, each file at least once (its first frame); what it checks is that every file
(VFR, rotated, odd sizes, MKV/AVI) runs, while each profile's accuracy is tested at its own rate
on its ground truth (test_text_profile.py, ...). At every 8 s text took 190 s of the suite.
At this rate people's tracks never last the 1 s a person needs, so it makes no events here."""

SWEEP_NEEDS = {"text": "rapidocr", "people": "trackers"}
"""Profile → the package its stages import (its extra)."""

FOUND_SOMEWHERE = {"text": ("go-snake/gameplay.mp4", "SCORE")}
"""Profile → a corpus video and what its events must hold (the sweep is not blind)."""


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


@pytest.mark.slow
@pytest.mark.parametrize("profile", sorted(SWEEP_FPS))
def test_every_corpus_video_runs_through(
    profile: str, real_data: Path, manifest: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    if profile in SWEEP_NEEDS:
        pytest.importorskip(SWEEP_NEEDS[profile])
    assert profile in PROFILES, f"{profile} is in SWEEP_FPS but not registered"
    videos = sorted(p for p in manifest if Path(p).suffix in VIDEO_SUFFIXES)
    assert len(videos) >= 18
    pipeline = Pipeline(load_pipeline_option(profile, None, SWEEP_FPS[profile], None))
    found: dict[str, str] = {}
    try:
        for i, relative in enumerate(videos):
            pipeline.process_video(real_data / relative, tmp_path / str(i))
            log = read_event_log(tmp_path / str(i) / "events.json")
            assert log.metadata.complete and log.metadata.pipeline == profile, relative
            times = [e.video_offset_seconds for e in log.events]
            assert times == sorted(times), relative
            end = log.metadata.video_duration_seconds + 0.5
            assert all(0 <= t <= end for t in times), (relative, times)
            assert read_journal(tmp_path / str(i) / "journal.jsonl"), relative  # sampled
            found[relative] = " ".join(str(e.data) for e in log.events)
    finally:
        pipeline.close()
    if profile in FOUND_SOMEWHERE:
        video, needle = FOUND_SOMEWHERE[profile]
        assert needle in found[video], found[video]
