"""Frame times and frame numbers that do not depend on how a file is read (issue 14, 3 and 4).

Clips are made by the ffmpeg command with B-frames (x264 ``-bf 3``, B-pyramid), so the
decoder's ``NONREF`` skip really drops frames, and an AVI of them has no presentation times.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest

from framewise.core.frames import Frame
from framewise.sources.file import DecodeOptions, FileSource
from framewise.sources.timing import scan_timing
from framewise.testing.clips import make_clip, read_stamp

FPS = 25
NONREF = DecodeOptions(skip_nonref=True)


def bframe_clip(ffmpeg: str, out: Path, seconds: int = 4) -> Path:
    """A 25 fps testsrc2 clip, H.264 with up to 3 B-frames in a pyramid."""
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
            f"testsrc2=size=320x240:rate={FPS}:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-bf",
            "3",
            "-g",
            str(FPS),
            "-pix_fmt",
            "yuv420p",
            str(out),
        ],
        check=True,
    )
    return out


def best_effort_times(path: Path) -> list[float | None]:
    """ffprobe's ``best_effort_timestamp_time`` of every frame (``None`` where N/A)."""
    done = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v",
            "-show_entries",
            "frame=best_effort_timestamp_time",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    fields = [line.split(",")[0] for line in done.stdout.split()]
    return [None if field == "N/A" else float(field) for field in fields]


def indexed(frames: list[Frame]) -> list[tuple[float, int]]:
    return [(round(f.seconds, 6), f.index) for f in frames]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bframes")
    return {suffix: bframe_clip(ffmpeg, root / f"b{suffix}") for suffix in (".mkv", ".mp4", ".avi")}


def test_nonref_really_drops_frames(clips: dict[str, Path]) -> None:
    full = list(FileSource(clips[".mkv"]).read())
    fast = FileSource(clips[".mkv"], decode=NONREF)
    assert len(list(fast.read())) < len(full) == 4 * FPS  # else the tests below prove nothing


@pytest.mark.parametrize("suffix", [".mkv", ".mp4", ".avi"])
def test_cfr_index_is_seconds_times_fps_however_read(clips: dict[str, Path], suffix: str) -> None:
    clip = clips[suffix]
    full = indexed(list(FileSource(clip).read()))
    # An AVI with B-frames shows its first picture after the decoder's delay (2 frames).
    first = 2 / FPS if suffix == ".avi" else 0.0
    assert full[0] == (first, 0)
    assert [i for _, i in full] == list(range(4 * FPS))
    assert [i for _, i in full] == [round((s - first) * FPS) for s, _ in full]
    for decode in (DecodeOptions(), NONREF):
        seeked = FileSource(clip, decode=decode).seek(1.5)
        after = indexed(list(seeked.read()))
        assert after[0][0] <= 1.5 < after[1][0]
        assert set(after) <= set(full), decode
        assert [i for _, i in after] == [round((s - first) * FPS) for s, _ in after]
    skipped = indexed(list(FileSource(clip, decode=NONREF).read()))
    assert set(skipped) <= set(full)  # the same frames keep the same time and number


def test_avi_with_b_frames_has_ffprobes_best_effort_times(
    ffmpeg: str, clips: dict[str, Path]
) -> None:
    clip = clips[".avi"]
    assert scan_timing(clip).reordered
    assert not scan_timing(clips[".mkv"]).reordered
    expected = best_effort_times(clip)
    for decode in (DecodeOptions(), NONREF):
        source = FileSource(clip, decode=decode)
        seconds = [f.seconds for f in source.read()]
        assert len(seconds) == len(expected) == 4 * FPS, decode
        known = [(got, want) for got, want in zip(seconds, expected, strict=True) if want]
        assert len(known) >= len(expected) - 3  # ffprobe has none for the flushed last frames
        assert [got for got, _ in known] == pytest.approx([want for _, want in known], abs=1e-6)
        assert all(b - a == pytest.approx(1 / FPS) for a, b in itertools.pairwise(seconds))


@pytest.mark.parametrize("decode", [DecodeOptions(), NONREF], ids=["all", "nonref"])
def test_avi_sampled_at_its_rate_keeps_every_frame(
    clips: dict[str, Path], decode: DecodeOptions
) -> None:
    source = FileSource(clips[".avi"], sample_fps=FPS, decode=decode)
    frames = list(source.read())
    assert len(frames) == 4 * FPS
    assert (source.stats.gaps, source.stats.skipped) == (0, 0)
    assert all(b.seconds > a.seconds for a, b in itertools.pairwise(frames))


def test_a_reordered_keyframe_scan_gives_the_keyframes_at_their_times(
    clips: dict[str, Path],
) -> None:
    full = {f.index: f.seconds for f in FileSource(clips[".avi"]).read()}
    scan = list(FileSource(clips[".avi"], decode=DecodeOptions(keyframes_only=True)).read())
    assert len(scan) == 4  # one per second (-g 25)
    assert [f.seconds for f in scan] == [full[f.index] for f in scan]
    assert [b.index - a.index for a, b in itertools.pairwise(scan)] == [FPS] * 3


@pytest.mark.parametrize("suffix", [".mkv", ".mp4"])
def test_vfr_index_counts_the_frames_before_however_read(tmp_path: Path, suffix: str) -> None:
    # 1 fps, then 60 fps, then 1 fps: seconds × fps is no frame number here.
    clip = make_clip(tmp_path / f"vfr{suffix}", vfr_segments=[(1.0, 1.0), (1.0, 60.0), (1.0, 1.0)])
    assert scan_timing(clip.path).vfr
    full = list(FileSource(clip.path).read())
    assert [f.index for f in full] == list(range(62))
    assert [read_stamp(f.image).index for f in full] == list(range(62))
    by_time = {round(f.seconds, 6): f.index for f in full}
    for decode in (DecodeOptions(), NONREF):
        for start in (0.0, 1.5):
            source = FileSource(clip.path, decode=decode).seek(start)
            frames = list(source.read())
            assert frames, (decode, start)
            assert [by_time[round(f.seconds, 6)] for f in frames] == [f.index for f in frames]
            assert [read_stamp(f.image).index for f in frames] == [f.index for f in frames]
