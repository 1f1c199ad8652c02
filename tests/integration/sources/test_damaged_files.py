"""Damaged and odd files: messages that name the real cause; what decodes is kept (issue 14, 9)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from framewise.core.errors import CorruptVideoError, InputError, NotAVideoError
from framewise.sources.file import FileSource
from framewise.sources.probe import probe


def pattern_clip(ffmpeg: str, out: Path, *args: str, seconds: int = 4) -> Path:
    """A 25 fps testsrc2 clip, H.264; MP4 keeps its index (moov) at the end, as recorders do."""
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
            f"testsrc2=size=320x240:rate=25:duration={seconds}",
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


def cut(source: Path, out: Path, share: float) -> Path:
    data = source.read_bytes()
    out.write_bytes(data[: int(len(data) * share)])
    return out


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    return pattern_clip(ffmpeg, tmp_path_factory.mktemp("mp4") / "whole.mp4")


@pytest.mark.parametrize("share", [0.1, 0.5, 0.99])
def test_an_mp4_cut_before_its_index_says_so(mp4: Path, tmp_path: Path, share: float) -> None:
    data = mp4.read_bytes()
    assert data.rfind(b"moov") > data.find(b"mdat")  # the index is at the end
    broken = cut(mp4, tmp_path / "crashed.mp4", share)
    for read in (probe, FileSource):
        with pytest.raises(CorruptVideoError) as caught:
            read(broken)
        line = caught.value.one_line()
        assert "no moov box" in line and "index" in line, line
        assert "untrunc" in line and "MKV" in line, line


def test_an_mp4_with_its_index_renamed_says_so(mp4: Path, tmp_path: Path) -> None:
    data = mp4.read_bytes()
    broken = tmp_path / "renamed.mp4"
    broken.write_bytes(data.replace(b"moov", b"moox", 1))
    with pytest.raises(CorruptVideoError, match="no moov box"):
        probe(broken)


def test_random_bytes_are_still_not_a_video(tmp_path: Path) -> None:
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(NotAVideoError, match="not a video file"):
        probe(noise)


def test_a_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    with pytest.raises(NotAVideoError) as caught:
        FileSource(fifo)  # must not block waiting for a writer
    assert "not a regular file (a named pipe)" in caught.value.one_line()
    assert "empty" not in caught.value.one_line()


def test_a_device_is_not_a_video() -> None:
    with pytest.raises(NotAVideoError) as caught:
        probe("/dev/urandom")
    assert "not a regular file (a character device), not a video" in caught.value.one_line()


def test_a_symbolic_link_loop_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.mp4").symlink_to(tmp_path / "b.mp4")
    (tmp_path / "b.mp4").symlink_to(tmp_path / "a.mp4")
    with pytest.raises(InputError) as caught:
        probe(tmp_path / "a.mp4")
    assert "symbolic link loop" in caught.value.one_line()


def test_a_dangling_link_names_the_missing_target(tmp_path: Path) -> None:
    (tmp_path / "gone.mp4").symlink_to(tmp_path / "deleted.mp4")
    with pytest.raises(InputError, match="symbolic link to a missing file"):
        probe(tmp_path / "gone.mp4")


def test_probe_of_a_cut_mkv_says_truncated(ffmpeg: str, tmp_path: Path) -> None:
    whole = pattern_clip(ffmpeg, tmp_path / "whole.mkv")
    info = probe(whole)
    assert not info.truncated and info.as_dict()["truncated"] is False
    broken = probe(cut(whole, tmp_path / "half.mkv", 0.5))
    assert broken.truncated
    assert broken.header_duration_seconds == pytest.approx(4.0, abs=0.05)
    assert broken.duration_seconds < 3.0
    assert broken.as_dict()["truncated"] is True
    source = FileSource(tmp_path / "half.mkv")
    list(source.read())
    assert source.stats.truncated  # the read and the probe judge it alike


def test_frames_flagged_damaged_are_kept_when_they_decode(mp4: Path, tmp_path: Path) -> None:
    data = bytearray(mp4.read_bytes())
    start, end = data.find(b"mdat") + 4096, data.rfind(b"moov")
    for offset in range(start, end, 500):
        data[offset] ^= 0xFF  # one byte in every 500 of the picture data
    damaged = tmp_path / "flipped.mp4"
    damaged.write_bytes(bytes(data))
    source = FileSource(damaged)
    frames = list(source.read())
    stats = source.stats
    assert stats.corrupt_frames > 0  # the decoder saw the damage ...
    assert len(frames) == stats.kept == stats.decoded  # ... and every picture it made is kept
    assert [f.index for f in frames] == sorted({f.index for f in frames})
    sampled = FileSource(damaged, sample_fps=5)
    kept = list(sampled.read())
    assert sampled.stats.corrupt_frames > 0
    # Ticks 0 … 4.0 s at 5 fps (the last frame, 3.96 s, is nearest 4.0): kept, or a real gap.
    assert len(kept) + sampled.stats.gaps == 21
    assert sampled.stats.gaps <= 1
