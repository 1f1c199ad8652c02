"""hwaccel falls back to the CPU with one warning a process where the device cannot start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from framewise.sources import hwaccel
from framewise.sources.file import DecodeOptions, FileSource

CLIP = "pyscenedetect/counter.mp4"


def times(source: FileSource) -> list[float]:
    """The seconds of every frame the source hands out."""
    return [frame.seconds for frame in source.read()]


@pytest.fixture(autouse=True)
def _no_device_known(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh process would: no device tried yet."""
    monkeypatch.setattr(hwaccel, "_WARNED", set())


@pytest.mark.parametrize("kind", ["nosuchdevice", "cuda"])
def test_a_missing_device_decodes_on_the_cpu_the_same_frames(
    kind: str, caplog: pytest.LogCaptureFixture, real_data: Path
) -> None:
    video = real_data / CLIP
    cpu = times(FileSource(video, sample_fps=5))
    with caplog.at_level(logging.WARNING, logger="framewise.sources.hwaccel"):
        first = times(FileSource(video, sample_fps=5, decode=DecodeOptions(hwaccel=kind)))
        second = times(FileSource(video, sample_fps=5, decode=DecodeOptions(hwaccel=kind)))
    assert first == second == cpu and len(cpu) >= 10
    warned = [r.getMessage() for r in caplog.records if "decoding on the CPU" in r.getMessage()]
    if kind == "nosuchdevice":
        assert len(warned) == 1 and "not in this FFmpeg build" in warned[0], warned
    else:  # a machine with an NVIDIA GPU decodes on it; one without says so once, not per file
        assert len(warned) == (1 if kind in hwaccel._WARNED else 0), warned
