"""vtest.avi (H.264 with B-frames in AVI): PTS in decode order, best-effort times (issue 14).

PyAV hands this file's frames out in presentation order with the PTS of decode order
(1, 4, 3, 5, 2, …); ffprobe's ``best_effort_timestamp`` is the time each is shown.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path
from typing import Any

import pytest

from framewise.sources.file import DecodeOptions, FileSource

VTEST = "opencvtutorial-vtest/vtest.avi"
FRAMES = 795
DECODES = [DecodeOptions(), DecodeOptions(skip_nonref=True)]


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


@pytest.fixture(scope="module")
def vtest(real_data: Path, manifest: dict[str, Any]) -> Path:
    assert manifest[VTEST]["ffprobe"]["frame_count"] == FRAMES
    return real_data / VTEST


@pytest.mark.parametrize("decode", DECODES, ids=["all", "nonref"])
def test_every_frame_time_is_ffprobes_best_effort(
    ffmpeg: str, vtest: Path, decode: DecodeOptions
) -> None:
    expected = best_effort_times(vtest)
    assert len(expected) == FRAMES
    source = FileSource(vtest, decode=decode)
    frames = list(source.read())
    assert len(frames) == FRAMES
    for frame, want in zip(frames, expected, strict=True):
        if want is not None:
            assert frame.seconds == pytest.approx(want, abs=1e-6), frame.index
    # ffprobe has no time for the frames flushed at the end: ours continue the 10 fps grid.
    seconds = [f.seconds for f in frames]
    assert all(b - a == pytest.approx(0.1) for a, b in itertools.pairwise(seconds))
    # Index 0 is the first picture (shown at 0.2 s, the decoder's delay), as the MOT ground
    # truth of this file counts: "video frame index i (0-based) == MOT frame i+1".
    assert [f.index for f in frames] == list(range(FRAMES))


@pytest.mark.parametrize("decode", DECODES, ids=["all", "nonref"])
def test_10fps_sampling_of_the_10fps_file_keeps_every_frame(
    vtest: Path, decode: DecodeOptions
) -> None:
    source = FileSource(vtest, sample_fps=10, decode=decode)
    frames = list(source.read())
    assert len(frames) == FRAMES
    assert (source.stats.gaps, source.stats.skipped, source.stats.kept) == (0, 0, FRAMES)
    assert all(b.seconds > a.seconds for a, b in itertools.pairwise(frames))


def test_a_resumed_read_gives_the_same_frames(vtest: Path) -> None:
    whole = [(f.seconds, f.index) for f in FileSource(vtest, sample_fps=10).read()]
    resumed = FileSource(vtest, sample_fps=10).resume_after(whole[299][0])
    assert [(f.seconds, f.index) for f in resumed.read()] == whole[300:]
