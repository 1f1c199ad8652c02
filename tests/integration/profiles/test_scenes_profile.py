"""The scenes profile on every PySceneDetect corpus file: cut accuracy against the ground truth
(VFR and rotated files included), the scene list as CSV, EDL and OTIO, and `split` at the scenes."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from framewise.cli.options import load_pipeline_option
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.profiles import PROFILES
from framewise.profiles.scenes.accuracy import CutScore, match_cuts, truth_cuts
from framewise.profiles.scenes.export import scene_list
from framewise.sources.probe import probe
from tests.integration.cli.cli_run import framewise

VIDEOS = {
    name: f"pyscenedetect/{name}"
    for name in (
        "counter.mp4",
        "delayed_start.mp4",
        "fades.mp4",
        "goldeneye-vfr-drop3.mp4",
        "issue-134-rotate.mp4",
        "issue-195-aspect-ratio.mp4",
        "issue-236-split-copy.mkv",
    )
} | {"1.mp4": "rapidvideocr/1.mp4"}
"""Every video of the corpus's pyscenedetect folder, and the subtitled clip whose three cuts
were each checked by eye (rapidvideocr/3.mp4's ground truth lists 2 of its 6 cuts: bench only)."""

MEASURED_F1 = 1.0
"""Cut F1 over these files when this test was written (17 of 17 cuts, none false; PySceneDetect
0.6.7's ContentDetector 0.833 and AdaptiveDetector 0.880 on the pyscenedetect folder, and each
3 of 3 on 1.mp4: bench/scenes.py)."""

MAX_TIME_ERROR = 0.005
"""Seconds: every matched cut is on the true frame (PTS times, never index / fps)."""


@pytest.fixture(scope="module")
def runs(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each corpus video processed with `--profile scenes`: name → its events.json."""
    out = tmp_path_factory.mktemp("scenes")
    pipeline = Pipeline(load_pipeline_option("scenes", None, None, None))
    try:
        for name, relative in VIDEOS.items():
            pipeline.process_video(real_data / relative, out / name)
    finally:
        pipeline.close()
    return {name: out / name / "events.json" for name in VIDEOS}


def _cuts(log: Path) -> list[float]:
    return [e.video_offset_seconds for e in read_event_log(log).events if e.type == "scene_cut"]


def test_cut_accuracy_on_the_corpus_stays_at_what_was_measured(
    real_data: Path, runs: dict[str, Path]
) -> None:
    total = CutScore(0, 0, 0, 0.0)
    for name, log in runs.items():
        truth = json.loads((real_data / f"{VIDEOS[name]}.groundtruth.json").read_text())
        score = match_cuts(_cuts(log), truth_cuts(truth))
        total += score
        assert score.time_error <= MAX_TIME_ERROR, (name, score)
    assert total.hits + total.missed == 17  # the corpus's cuts, read from every format
    assert total.f1 >= MEASURED_F1, total


def test_events_carry_the_scene_list_and_the_vfr_times(runs: dict[str, Path]) -> None:
    log = read_event_log(runs["goldeneye-vfr-drop3.mp4"])
    cuts = [e for e in log.events if e.type == "scene_cut"]
    # On this VFR file index / fps would put the second cut at 5.84 s.
    assert [round(e.video_offset_seconds, 3) for e in cuts] == [3.754, 8.759]
    assert [e.frame_number for e in cuts] == [60, 140]
    assert [e.data["scene"] for e in cuts] == [2, 3]
    assert cuts[1].data["previous_seconds"] == pytest.approx(5.005, abs=1e-3)
    fades = read_event_log(runs["fades.mp4"]).events
    assert [e.data["kind"] for e in fades] == ["fade", "fade"]
    assert all(e.thumbnail for e in cuts + fades)


def test_scenes_writes_pyscenedetect_csv_and_an_edl(runs: dict[str, Path], tmp_path: Path) -> None:
    log = runs["issue-195-aspect-ratio.mp4"]
    done = framewise("scenes", log, "--csv", tmp_path / "s.csv", "--edl", tmp_path / "s.edl")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader((tmp_path / "s.csv").read_text().splitlines()))
    assert rows[0] == [
        "Timecode List:",
        *(f"00:00:{t}" for t in ("02.800", "06.800", "12.040", "16.840", "19.360")),
    ]
    assert rows[1][0] == "Scene Number" and len(rows) == 2 + 6
    assert rows[2][:4] == ["1", "1", "00:00:00.000", "0.000"]
    assert rows[3][1] == "71"  # PySceneDetect's frame numbers are 1-based
    edl = (tmp_path / "s.edl").read_text().splitlines()
    assert edl[0] == "TITLE: issue-195-aspect-ratio"
    assert "00:00:02:20 00:00:06:20" in edl[6]  # scene 2 at 25 fps
    # A scenes log has no lines of text: SRT export says so in one line (bad input, exit 3).
    srt = framewise("export", log, "--format", "srt", "--out", tmp_path / "s.srt")
    assert srt.returncode == 3 and "not a text run's log" in srt.stderr, srt.stderr
    assert not (tmp_path / "s.srt").exists()


def test_scenes_writes_an_otio_timeline_of_the_scene_list(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    otio = pytest.importorskip("opentimelineio")
    for name, whole_frames in (
        ("goldeneye-vfr-drop3.mp4", False),
        ("issue-195-aspect-ratio.mp4", True),
    ):
        log = runs[name]
        path = tmp_path / f"{name}.otio"
        done = framewise("scenes", log, "--otio", path)
        assert done.returncode == 0, done.stderr
        timeline = otio.adapters.read_from_file(str(path))  # OTIO's own reader
        clips = list(timeline.find_clips())
        scenes = scene_list(read_event_log(log))
        assert [c.name for c in clips] == [
            f"{Path(name).stem}-Scene-{s.number:03d}" for s in scenes
        ]
        for clip, scene in zip(clips, scenes, strict=True):
            source = clip.source_range
            assert source.start_time.to_seconds() == pytest.approx(scene.start, abs=1e-6)
            assert source.duration.to_seconds() == pytest.approx(scene.seconds, abs=1e-6)
            # Clips follow each other on the track as the scenes do in the video.
            placed = clip.range_in_parent().start_time.to_seconds()
            assert placed == pytest.approx(scene.start, abs=1e-6)
            assert clip.media_reference.target_url.endswith(f"/pyscenedetect/{name}")
            assert source.start_time.value == round(source.start_time.value) or not whole_frames
    # The VFR file keeps its true cut times (3.754 s, not frame 60 at the average rate).
    vfr = otio.adapters.read_from_file(str(tmp_path / "goldeneye-vfr-drop3.mp4.otio"))
    starts = [round(c.source_range.start_time.to_seconds(), 3) for c in vfr.find_clips()]
    assert starts == [0.0, 3.754, 8.759]


def test_split_cuts_the_video_at_the_scenes(
    real_data: Path, runs: dict[str, Path], tmp_path: Path, ffmpeg: str
) -> None:
    video = real_data / "pyscenedetect" / "goldeneye-vfr-drop3.mp4"
    log = runs["goldeneye-vfr-drop3.mp4"]
    done = framewise("split", video, "--scenes", log, "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    files = sorted(tmp_path.glob("*.mp4"))
    assert [f.name for f in files] == [f"goldeneye-vfr-drop3-Scene-00{i}.mp4" for i in (1, 2, 3)]
    scenes = scene_list(read_event_log(log))
    for path, scene in zip(files, scenes, strict=True):
        assert probe(path).duration_seconds == pytest.approx(scene.seconds, abs=0.15)
    # Re-encoding, on the smallest clip: fades.mp4's three scenes at 480 px.
    fades = real_data / "pyscenedetect" / "fades.mp4"
    encoded = framewise(
        "split", fades, "--scenes", runs["fades.mp4"], "--out", tmp_path / "e", "--mode", "encode"
    )
    assert encoded.returncode == 0, encoded.stderr
    assert "3 scene(s)" in encoded.stdout and "0 stream-copied" in encoded.stdout


def test_profiles_lists_each_profile_on_one_line() -> None:
    done = framewise("profiles")
    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert {"scenes", "motion", "tarkov"} <= set(names)
    assert "process" not in done.stdout and all(
        len(line) < 120 for line in done.stdout.splitlines()
    )
    # `process --help` names every registered profile (read from the registry).
    helped = framewise("process", "--help")
    assert helped.returncode == 0, helped.stderr
    words = set(re.findall(r"[a-z]+", helped.stdout))
    assert set(PROFILES) <= words and names == list(PROFILES), helped.stdout
    missing = framewise("split", "nope.mp4", "--scenes", "nope.json")
    assert missing.returncode == 3 and "nope.json" in missing.stderr
