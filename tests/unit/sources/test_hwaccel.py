"""hwaccel falls back to the CPU with one warning where the device cannot start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from framewise.sources.file import DecodeOptions, FileSource

CLIP = "pyscenedetect/counter.mp4"


def times(source: FileSource) -> list[float]:
    """The seconds of every frame the source hands out."""
    return [frame.seconds for frame in source.read()]


@pytest.mark.parametrize("kind", ["nosuchdevice", "cuda"])
def test_a_missing_device_decodes_on_the_cpu_the_same_frames(
    kind: str, caplog: pytest.LogCaptureFixture, real_data: Path
) -> None:
    video = real_data / CLIP
    cpu = times(FileSource(video, sample_fps=5))
    with caplog.at_level(logging.WARNING, logger="framewise.sources.hwaccel"):
        source = FileSource(video, sample_fps=5, decode=DecodeOptions(hwaccel=kind))
        got = times(source)
    assert got == cpu and len(cpu) >= 10
    warned = [r.getMessage() for r in caplog.records if "decoding on the CPU" in r.getMessage()]
    if kind == "nosuchdevice":
        assert warned and "not in this FFmpeg build" in warned[0], warned
    else:  # a machine with an NVIDIA GPU decodes on it; one without says so once
        assert len(warned) <= 1
