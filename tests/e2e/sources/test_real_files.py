"""FileSource and probe on the real third-party corpus in ../shared/data/real."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from framewise.core.frames import Frame
from framewise.sources.file import FileSource
from framewise.sources.probe import probe
from tests.conftest import ground_truth


def gray(frame: Frame, size: tuple[int, int] = (160, 120)) -> np.ndarray[Any, Any]:
    small = cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)


def cut_times(frames: list[Frame], count: int) -> list[float]:
    """Times of the ``count`` largest frame-to-frame changes (a content detector)."""
    diffs = [float(np.mean(np.abs(gray(b) - gray(a)))) for a, b in itertools.pairwise(frames)]
    top = sorted(np.argsort(diffs)[-count:])
    return [frames[i + 1].seconds for i in top]


def test_vfr_scene_cuts_fall_at_their_true_times(real_data: Path) -> None:
    relative = "pyscenedetect/goldeneye-vfr-drop3.mp4"
    truth = ground_truth(real_data, relative)
    frames = list(FileSource(real_data / relative, size=(320, 136)).read())
    assert len(frames) == truth["source_tests"]["frame_count_asserted"]
    found = cut_times(frames, 2)
    assert [round(t, 3) for t in found] == truth["cuts_seconds"] == [3.754, 8.759]
    # index / fps would put the second cut at 140 / 23.976 = 5.84 s; PTS puts it right.
    assert probe(real_data / relative).vfr is True


def test_delayed_start_begins_at_zero(real_data: Path, manifest: dict[str, Any]) -> None:
    relative = "pyscenedetect/delayed_start.mp4"
    assert manifest[relative]["ffprobe"]["start_time_s"] > 1.0  # the container delays it
    source = FileSource(real_data / relative)
    first = next(iter(source.read()))
    assert first.seconds < 0.1
    assert first.index == 0


def test_counter_pts_on_screen_equals_our_time(real_data: Path) -> None:
    rapidocr = pytest.importorskip("rapidocr")
    relative = "pyscenedetect/counter.mp4"
    rule = ground_truth(real_data, relative)["ocr_per_frame"]["rule"]
    assert "PTS = {i/10:.1f}s" in rule
    engine = rapidocr.RapidOCR(params={"Global.log_level": "error"})
    frames = list(FileSource(real_data / relative, size=(960, 540)).read())
    assert len(frames) == 30
    for frame in frames:
        texts = engine(frame.image).txts or ()
        shown = [t for t in texts if t.replace(" ", "").startswith("PTS=")]
        assert shown, f"no PTS text read on frame {frame.index}: {texts}"
        value = float(shown[0].replace(" ", "")[4:].rstrip("s"))
        assert value == pytest.approx(frame.seconds, abs=1e-6), frame.index
        assert f"Frame = {frame.index + 1}" in texts


def test_rotation_metadata_is_honoured(real_data: Path) -> None:
    rotated = FileSource(real_data / "pyscenedetect/issue-134-rotate.mp4").seek(1.001)
    upright = FileSource(real_data / "pyscenedetect/goldeneye-vfr-drop3.mp4").seek(1.001)
    frame = next(iter(rotated.read()))
    reference = next(iter(upright.read()))
    assert frame.seconds == pytest.approx(reference.seconds, abs=1e-3)
    assert frame.image.shape == (1280, 544, 3)  # portrait, as the display matrix says
    assert probe(real_data / "pyscenedetect/issue-134-rotate.mp4").rotation == -90

    def distance(image: np.ndarray[Any, Any]) -> float:
        a = cv2.resize(image, (256, 109)).astype(np.float32)
        b = cv2.resize(reference.image, (256, 109)).astype(np.float32)
        return float(np.mean(np.abs(a - b)))

    undone = distance(cv2.rotate(frame.image, cv2.ROTATE_90_COUNTERCLOCKWISE))
    wrong_way = distance(cv2.rotate(frame.image, cv2.ROTATE_90_CLOCKWISE))
    assert undone < 12 < wrong_way


@pytest.mark.parametrize(
    "relative",
    ["pyscenedetect/issue-236-split-copy.mkv", "intel-sample-videos/asl_gestures_walk.mkv"],
)
def test_mkv_files_read_in_full(real_data: Path, manifest: dict[str, Any], relative: str) -> None:
    expected = manifest[relative]["ffprobe"]
    source = FileSource(real_data / relative, size=(320, 180))
    frames = list(source.read())
    assert len(frames) == expected["frame_count"]
    assert source.stats.decoded == expected["frame_count"]
    assert source.stats.corrupt_packets == 0
    assert not source.stats.truncated
    steps = np.diff([f.seconds for f in frames])
    assert np.all(steps > 0)
    assert frames[-1].seconds == pytest.approx(
        (expected["frame_count"] - 1) / expected["fps"], abs=0.02
    )
    info = probe(real_data / relative)
    assert info.frame_count == expected["frame_count"]


@pytest.mark.parametrize(
    "relative",
    [
        "pyscenedetect/counter.mp4",
        "pyscenedetect/fades.mp4",
        "masa-oa-mot15/TUD-Campus.mp4",
        "opencvtutorial-vtest/vtest.avi",
        "go-snake/gameplay.mp4",
        "ekhanchin-tetris/gameplay.mp4",
    ],
)
def test_probe_agrees_with_the_manifest(
    real_data: Path, manifest: dict[str, Any], relative: str
) -> None:
    expected = manifest[relative]["ffprobe"]
    info = probe(real_data / relative)
    assert (info.width, info.height) == (expected["width"], expected["height"])
    assert info.codec == expected["codec"]
    assert info.frame_count == expected["frame_count"]
    assert info.avg_fps == pytest.approx(expected["fps"], rel=2e-3)
    assert info.vfr is expected["variable_frame_rate"]
    assert info.duration_seconds == pytest.approx(expected["duration_s"], abs=0.1)


def test_sampling_a_60fps_file_at_10fps(real_data: Path) -> None:
    source = FileSource(real_data / "tetrigo/gameplay.mp4", sample_fps=10, size=(320, 180))
    frames = list(source.read())
    seconds = [f.seconds for f in frames]
    assert source.stats.gaps == 0
    # Every sample within half a sample period of its tick; at 60 fps, within half a frame
    # (except the last tick, 43.2 s, past the last frame at 43.167 s).
    assert all(abs(t - k / 10) <= 0.05 for k, t in enumerate(seconds))
    assert all(abs(t - k / 10) < 1 / 120 for k, t in enumerate(seconds[:-1]))
    assert source.stats.kept + source.stats.skipped == source.stats.decoded == 2591
