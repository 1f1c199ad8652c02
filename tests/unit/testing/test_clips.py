"""The clip maker makes what it says: frame count, times, rate, GOP, creation_time, VFR."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError, OutputError
from framewise.sources.file import DecodeOptions, FileSource
from framewise.sources.probe import probe
from framewise.testing.clips import ClipInfo, frame_schedule, make_clip, read_stamp

W, H = 160, 96
START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
VFR = [(1.0, 1.0), (1.0, 60.0), (1.0, 1.0)]


def vfr_times() -> list[float]:
    return [0.0] + [1.0 + k / 60 for k in range(60)] + [2.0]


@pytest.fixture(scope="module")
def cfr_clip(tmp_path_factory: pytest.TempPathFactory) -> ClipInfo:
    path = tmp_path_factory.mktemp("clips") / "cfr.mkv"
    return make_clip(
        path, seconds=2, fps=30, gop_seconds=0.5, creation_time=START, width=W, height=H
    )


def test_cfr_clip_probes_as_asked(cfr_clip: ClipInfo) -> None:
    assert cfr_clip.frame_count == 60
    assert cfr_clip.duration_seconds == pytest.approx(2.0)
    info = probe(cfr_clip.path)
    assert info.codec == "h264"
    assert (info.width, info.height) == (W, H)
    assert info.frame_count == 60
    assert info.duration_seconds == pytest.approx(2.0, abs=1 / 30)
    assert info.avg_fps == pytest.approx(30.0, abs=0.05)
    assert not info.vfr
    assert info.session_start.origin == "container"
    assert info.session_start.time == START
    assert cfr_clip.creation_time == START


def test_every_frame_shows_its_number_and_time(cfr_clip: ClipInfo) -> None:
    with FileSource(cfr_clip.path) as source:
        frames = list(source.read())
    assert len(frames) == cfr_clip.frame_count
    for frame, expected in zip(frames, cfr_clip.frame_times, strict=True):
        assert frame.seconds == pytest.approx(expected, abs=1e-3)
        stamp = read_stamp(frame.image)
        assert stamp.index == frame.index
        assert stamp.seconds == pytest.approx(frame.seconds, abs=1e-3)


def test_keyframes_fall_every_gop(cfr_clip: ClipInfo) -> None:
    assert cfr_clip.gop_frames == 15
    options = DecodeOptions(keyframes_only=True)
    with FileSource(cfr_clip.path, decode=options) as source:
        stamps = [read_stamp(frame.image).index for frame in source.read()]
    assert stamps == [0, 15, 30, 45]
    assert tuple(stamps) == cfr_clip.keyframe_indices


@pytest.mark.parametrize("suffix", [".mkv", ".mp4"])
def test_vfr_segments_give_those_times(tmp_path: Path, suffix: str) -> None:
    clip = make_clip(tmp_path / f"vfr{suffix}", vfr_segments=VFR, width=W, height=H)
    assert clip.frame_times == pytest.approx(vfr_times(), abs=1e-9)
    assert clip.duration_seconds == pytest.approx(3.0)
    info = probe(clip.path)
    assert info.vfr
    assert info.frame_count == 62
    assert info.duration_seconds == pytest.approx(3.0, abs=0.02)
    with FileSource(clip.path) as source:
        frames = list(source.read())
    assert [f.seconds for f in frames] == pytest.approx(vfr_times(), abs=1e-3)
    assert [read_stamp(f.image).millis for f in frames] == [round(t * 1000) for t in vfr_times()]


def test_fractional_rate_keeps_exact_times(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "ntsc.mp4", seconds=1, fps=30000 / 1001, width=W, height=H)
    assert clip.frame_count == 30
    assert clip.frame_times[-1] == pytest.approx(float(29 * Fraction(1001, 30000)))
    assert probe(clip.path).avg_fps == pytest.approx(29.97, abs=0.01)


def test_without_creation_time_the_session_start_is_the_mtime(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "plain.mp4", seconds=0.5, width=W, height=H)
    assert clip.creation_time is None
    assert probe(clip.path).session_start.origin == "mtime"


def test_noise_and_bitrate_control_the_size(tmp_path: Path) -> None:
    flat = make_clip(tmp_path / "flat.mkv", seconds=1, noise=0.0, crf=23, width=W, height=H)
    grainy = make_clip(tmp_path / "grainy.mkv", seconds=1, noise=1.0, crf=23, width=W, height=H)
    assert grainy.bit_rate > 1.5 * flat.bit_rate
    capped = make_clip(
        tmp_path / "capped.mkv", seconds=2, noise=1.0, bitrate=150_000, width=W, height=H
    )
    assert capped.bit_rate == pytest.approx(150_000, rel=0.35)


def test_schedule_counts_partial_frames() -> None:
    schedule = frame_schedule(0.25, 10)
    assert [float(t) for t, _ in schedule] == pytest.approx([0.0, 0.1, 0.2])
    assert all(period == Fraction(1, 10) for _, period in schedule)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("odd.mkv", {"width": 161, "height": 96}),
        ("tiny.mkv", {"width": 64, "height": 96}),
        ("clip.avi", {}),
        ("both.mkv", {"bitrate": 1_000_000, "crf": 20}),
        ("noise.mkv", {"noise": 1.5}),
        ("empty.mkv", {"vfr_segments": []}),
        ("zero.mkv", {"vfr_segments": [(1.0, 0.0)]}),
        ("gop.mkv", {"gop_seconds": 0}),
    ],
)
def test_bad_arguments_are_config_errors(
    tmp_path: Path, name: str, kwargs: dict[str, object]
) -> None:
    args: dict[str, object] = {"width": W, "height": H, **kwargs}
    with pytest.raises(ConfigError):
        make_clip(tmp_path / name, **args)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_x264_refusal_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="x264 refused"):
        make_clip(tmp_path / "clip.mkv", preset="no-such-preset", width=W, height=H)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        make_clip(tmp_path / "missing" / "clip.mkv", width=W, height=H)


def test_read_stamp_rejects_a_picture_too_small(cfr_clip: ClipInfo) -> None:
    with FileSource(cfr_clip.path, size=(W // 2, H // 2)) as source:
        frame = next(iter(source.read()))
    with pytest.raises(ValueError, match="too small"):
        read_stamp(frame.image)
