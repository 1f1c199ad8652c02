"""Rendered sessions: the video and its ground truth agree frame by frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framewise.core.errors import ConfigError, InputError
from framewise.core.frames import Frame
from framewise.sources.file import FileSource
from framewise.sources.probe import probe
from framewise.synth import GroundTruth, RenderSettings, groundtruth_path, render_session


@pytest.fixture(scope="module")
def cfr(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    path = tmp_path_factory.mktemp("synth") / "cfr.mkv"
    settings = RenderSettings(
        seconds=30.0, seed=1, width=640, height=360, fps=30.0, start_in_raid=True
    )
    return path, render_session(path, settings)


@pytest.fixture(scope="module")
def vfr(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    path = tmp_path_factory.mktemp("synth") / "vfr.mkv"
    settings = RenderSettings(
        seconds=24.0, seed=4, width=480, height=270, fps=30.0, vfr=True, start_in_raid=True
    )
    return path, render_session(path, settings)


def decoded(path: Path, size: tuple[int, int] | None = (160, 90)) -> list[Frame]:
    """Every frame, scaled down (the times are what these tests read)."""
    with FileSource(path, prefetch=0, size=size) as source:
        return list(source.read())


def frames_at(path: Path, truth: GroundTruth, indices: list[int]) -> dict[int, Frame]:
    """Full-size frames ``indices`` (each found by seeking to its time)."""
    found = {}
    for index in indices:
        with FileSource(path, start=truth.frame_times[index], prefetch=0) as source:
            frame = next(iter(source.read()))
        assert truth.frame_at(frame.seconds) == index
        found[index] = frame
    return found


def test_ground_truth_file_is_written_and_reads_back(cfr: tuple[Path, GroundTruth]) -> None:
    path, truth = cfr
    assert GroundTruth.load(groundtruth_path(path)) == truth
    assert groundtruth_path(path).name == "cfr.groundtruth.json"


def test_video_duration_rate_and_frames_match(cfr: tuple[Path, GroundTruth]) -> None:
    path, truth = cfr
    info = probe(path)
    meta = truth.metadata
    assert info.codec == "h264"
    assert (info.width, info.height) == (meta.width, meta.height) == (640, 360)
    assert meta.frame_count == len(truth.frame_times) == 900
    assert info.duration_seconds == pytest.approx(meta.duration_seconds, abs=0.04)
    assert info.avg_fps == pytest.approx(30.0, abs=0.01)
    assert not info.vfr
    assert info.session_start.origin == "container"
    assert info.session_start.time == meta.session_start_time
    assert info.bit_rate is not None and info.bit_rate > 100_000
    frames = decoded(path)
    assert len(frames) == meta.frame_count
    times = [f.seconds for f in frames]
    assert times == pytest.approx(truth.frame_times, abs=1e-6)


def test_events_happen_on_frames_and_in_raids(cfr: tuple[Path, GroundTruth]) -> None:
    _, truth = cfr
    kinds = [e.type for e in truth.events]
    assert kinds[:2] == ["state_transition", "raid_start"]
    assert "raid_end" in kinds and kinds.count("kill") >= 3
    for event in truth.events:
        assert truth.frame_times[event.frame_number] == event.video_offset_seconds


def test_boxes_lie_inside_the_frame(cfr: tuple[Path, GroundTruth]) -> None:
    _, truth = cfr
    w, h = truth.metadata.width, truth.metadata.height
    for track in truth.elements:
        assert track.cls in truth.classes
        for span in track.spans:
            x1, y1, x2, y2 = span.box
            assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
            assert 0 <= span.first_frame <= span.last_frame < truth.metadata.frame_count


def test_a_kill_shows_a_feed_entry_at_its_time(cfr: tuple[Path, GroundTruth]) -> None:
    path, truth = cfr
    kills = [e for e in truth.events if e.type == "kill"][:3]
    frames = frames_at(path, truth, [kills[0].frame_number - 1] + [k.frame_number for k in kills])
    for kill in kills:
        index = kill.frame_number
        now = [b for b in truth.boxes_at([index])[index] if b.cls == "kill_notification"]
        before = truth.boxes_at([index - 1])[index - 1]
        assert now, f"no feed entry at frame {index}"
        newest = min(now, key=lambda b: b.box[1])  # the newest is on top, new at this frame
        assert newest.key not in {b.key for b in before}
        x1, y1, x2, y2 = newest.box
        crop = frames[index].image[y1:y2, x1:x2].astype(np.float32)
        assert crop.std() > 15.0  # text on a panel, not a uniform patch
    # The first entry appears on an empty feed: the picture changes exactly there.
    index = kills[0].frame_number
    feed = [b for b in truth.boxes_at([index])[index] if b.cls == "kill_notification"]
    assert len(feed) == 1
    x1, y1, x2, y2 = feed[0].box
    now_crop = frames[index].image[y1:y2, x1:x2].astype(np.float32)
    before_crop = frames[index - 1].image[y1:y2, x1:x2].astype(np.float32)
    assert np.abs(now_crop - before_crop).mean() > 8.0


def test_vfr_render_has_irregular_times_that_the_truth_knows(
    vfr: tuple[Path, GroundTruth],
) -> None:
    path, truth = vfr
    assert truth.metadata.vfr
    frames = decoded(path)
    times = [f.seconds for f in frames]
    assert times == pytest.approx(truth.frame_times, abs=1e-6)
    gaps = np.diff(times)
    assert gaps.max() > 1.8 * gaps.min()
    assert probe(path).vfr


def test_same_seed_same_ground_truth(tmp_path: Path) -> None:
    settings = RenderSettings(seconds=6.0, seed=9, width=320, height=180, start_in_raid=True)
    first = render_session(tmp_path / "a.mkv", settings)
    second = render_session(tmp_path / "b.mkv", settings)
    assert first.model_dump(exclude={"metadata"}) == second.model_dump(exclude={"metadata"})
    assert first.metadata.model_dump(exclude={"video"}) == second.metadata.model_dump(
        exclude={"video"}
    )
    assert first.events and first.elements
    other = render_session(
        tmp_path / "c.mkv",
        RenderSettings(seconds=6.0, seed=10, width=320, height=180, start_in_raid=True),
    )
    assert other.model_dump(exclude={"metadata"}) != first.model_dump(exclude={"metadata"})


def test_mp4_output_keeps_the_times(tmp_path: Path) -> None:
    path = tmp_path / "s.mp4"
    truth = render_session(
        path, RenderSettings(seconds=4.0, seed=2, width=320, height=180, vfr=True)
    )
    assert truth.metadata.container == "mp4"
    times = [f.seconds for f in decoded(path)]
    assert times == pytest.approx(truth.frame_times, abs=1e-6)


def test_bad_settings_are_refused_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"mkv or \.mp4"):
        render_session(tmp_path / "s.avi", RenderSettings(seconds=1.0))
    with pytest.raises(ConfigError, match="cannot render"):
        render_session(tmp_path / "s.mkv", RenderSettings(seconds=1.0, width=321, height=180))
    assert not list(tmp_path.iterdir())


def test_a_bad_ground_truth_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "x.groundtruth.json"
    bad.write_text('{"metadata": {}}')
    with pytest.raises(InputError, match="not a synthetic ground truth"):
        GroundTruth.load(bad)
    with pytest.raises(InputError, match="cannot read"):
        GroundTruth.load(tmp_path / "missing.groundtruth.json")
