"""FileSource, probe and DirectorySource on clips made by the ffmpeg command in the test."""

from __future__ import annotations

import itertools
import math
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import av
import pytest

from framewise.core.errors import InputError
from framewise.sources.directory import DirectorySource
from framewise.sources.file import FileSource
from framewise.sources.probe import probe


def lavfi_clip(ffmpeg: str, out: Path, *args: str, source: str = "testsrc2") -> Path:
    spec = f"{source}=size=320x240:rate=25:duration=4"
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            spec,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            *args,
            str(out),
        ],
        check=True,
    )
    return out


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_creation_time_is_the_session_start(ffmpeg: str, tmp_path: Path, suffix: str) -> None:
    clip = lavfi_clip(
        ffmpeg, tmp_path / f"obs{suffix}", "-metadata", "creation_time=2026-01-15T18:00:00Z"
    )
    info = probe(clip)
    assert info.session_start.time == datetime(2026, 1, 15, 18, tzinfo=UTC)
    assert info.session_start.origin == "container"
    frames = list(FileSource(clip, sample_fps=1).read())
    assert frames[2].wall_time == datetime(2026, 1, 15, 18, 0, 2, tzinfo=UTC)


def test_without_creation_time_the_start_is_mtime_minus_duration(
    ffmpeg: str, tmp_path: Path
) -> None:
    clip = lavfi_clip(ffmpeg, tmp_path / "plain.mkv", "-fflags", "+bitexact")
    stopped = datetime(2026, 3, 1, 12, 0, 4, tzinfo=UTC).timestamp()
    os.utime(clip, (stopped, stopped))
    info = probe(clip)
    assert info.session_start.origin == "mtime"
    assert info.session_start.time.timestamp() == pytest.approx(stopped - 4.0, abs=0.1)
    given = datetime(2025, 5, 5, 5, tzinfo=UTC)
    assert probe(clip, start_time=given).session_start.time == given


def test_vfr_segments_sampled_at_10fps_are_within_half_a_period_or_gaps(
    ffmpeg: str, tmp_path: Path
) -> None:
    clip = tmp_path / "vfr.mkv"
    inputs = []
    for rate, length in ((1, 3), (60, 2), (1, 3)):
        inputs += ["-f", "lavfi", "-i", f"testsrc2=size=320x240:rate={rate}:duration={length}"]
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            *inputs,
            "-filter_complex",
            "[0:v][1:v][2:v]concat=n=3:v=1[v]",
            "-map",
            "[v]",
            "-fps_mode",
            "passthrough",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            str(clip),
        ],
        check=True,
    )
    info = probe(clip)
    assert info.vfr
    source = FileSource(clip, sample_fps=10)
    frames = list(source.read())
    seconds = [f.seconds for f in frames]
    assert len(set(seconds)) == len(seconds)  # no frame used twice
    last = seconds[-1]
    assert last == pytest.approx(7.0, abs=1e-3)
    for t in seconds:
        assert abs(t - round(t * 10) / 10) <= 0.05 + 1e-9
    ticks = math.floor(last * 10 + 0.5) + 1
    assert len(frames) + source.stats.gaps == ticks
    dense = [t for t in seconds if 3.0 <= t < 5.0]
    assert len(dense) == 20  # the 60 fps stretch yields every tick
    assert source.stats.gaps == ticks - len(frames) > 0
    assert source.stats.kept + source.stats.skipped == source.stats.decoded == 126


def complete_video_packets(path: Path, cut: int) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        return sorted(
            float(packet.pts * stream.time_base)
            for packet in container.demux(stream)
            if packet.size
            and packet.pos is not None
            and packet.pos + packet.size <= cut
            and packet.pts is not None
        )


def test_truncated_mkv_yields_every_frame_before_the_cut(ffmpeg: str, tmp_path: Path) -> None:
    whole = lavfi_clip(ffmpeg, tmp_path / "whole.mkv")
    data = whole.read_bytes()
    cut = len(data) // 2
    broken = tmp_path / "cut.mkv"
    broken.write_bytes(data[:cut])
    expected = complete_video_packets(whole, cut)
    assert len(expected) > 10
    source = FileSource(broken)
    seconds = [f.seconds for f in source.read()]
    assert seconds[: len(expected)] == pytest.approx(expected)
    assert len(expected) <= len(seconds) <= len(expected) + 1
    assert source.stats.truncated


def test_corrupt_packets_are_skipped_and_counted(ffmpeg: str, tmp_path: Path) -> None:
    clip = lavfi_clip(ffmpeg, tmp_path / "clip.ts", "-f", "mpegts")
    data = bytearray(clip.read_bytes())
    for offset in range(len(data) // 3, len(data) // 3 + 20_000, 188):
        data[offset + 4 : offset + 188] = bytes(184)  # wipe payloads, keep TS headers
    damaged = tmp_path / "damaged.ts"
    damaged.write_bytes(bytes(data))
    source = FileSource(damaged)
    frames = list(source.read())
    stats = source.stats
    assert stats.corrupt_frames + stats.corrupt_packets >= 1
    assert stats.decoded == stats.kept  # issue 14: damaged frames that decode are kept, counted
    assert 0 < len(frames) < 100
    assert frames[0].seconds == 0.0
    assert all(b.seconds > a.seconds for a, b in itertools.pairwise(frames))


def test_zero_frames_is_an_error(ffmpeg: str, tmp_path: Path) -> None:
    whole = lavfi_clip(ffmpeg, tmp_path / "whole.mkv")
    stub = tmp_path / "stub.mkv"
    stub.write_bytes(whole.read_bytes()[:600])
    with pytest.raises(InputError):
        list(FileSource(stub).read())


def test_directory_source_orders_by_session_start(ffmpeg: str, tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    starts = {"b_first.mkv": "2026-01-15T18:00:00Z", "a_second.mp4": "2026-01-15T20:00:00Z"}
    for name, start in starts.items():
        lavfi_clip(ffmpeg, folder / name, "-metadata", f"creation_time={start}")
    (folder / "notes.txt").write_text("not a video")
    (folder / "broken.mov").write_text("not a video either")
    source = DirectorySource(folder, sample_fps=2)
    assert [Path(p).name for p, _ in source.session_starts] == ["b_first.mkv", "a_second.mp4"]
    frames = list(source.read())
    order = [Path(f.source_id).name for f in frames]
    # 4 s at 2 fps: ticks 0.0 … 4.0, the last taken by the final frame at 3.96 s.
    assert order == ["b_first.mkv"] * 9 + ["a_second.mp4"] * 9
    assert frames[9].wall_time == datetime(2026, 1, 15, 20, tzinfo=UTC)
    assert source.stats.kept == 18
    assert [Path(p).name for p in source.skipped_files] == ["broken.mov"]


def test_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        DirectorySource(tmp_path / "nope")
    with pytest.raises(InputError, match="not a folder"):
        DirectorySource(Path(__file__))


def test_keyframe_scan_of_a_whole_file_is_not_called_truncated(tmp_path: Path) -> None:
    from framewise.sources.file import DecodeOptions
    from framewise.testing.clips import make_clip

    clip = tmp_path / "gop.mkv"
    make_clip(clip, seconds=6, width=160, height=96, fps=30, gop_seconds=2.5)
    source = FileSource(clip, decode=DecodeOptions(keyframes_only=True))
    seconds = [f.seconds for f in source.read()]
    assert seconds == pytest.approx([0.0, 2.5, 5.0], abs=0.002)
    assert not source.stats.truncated
