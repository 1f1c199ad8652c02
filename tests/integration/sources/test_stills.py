"""pictures_at: the exact frames at recorded times, by decoding forward or seeking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framewise.core.errors import InputError
from framewise.core.frames import Image
from framewise.sources.file import FileSource
from framewise.sources.stills import SEEK_AHEAD_S, pictures_at
from framewise.testing.clips import make_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stills") / "clip.mkv"
    make_clip(path, seconds=SEEK_AHEAD_S + 4, fps=10, gop_seconds=2.0)
    return path


@pytest.fixture(scope="module")
def frames(clip: Path) -> dict[float, Image]:
    with FileSource(clip, prefetch=0) as source:
        return {frame.seconds: frame.image for frame in source.read()}


def test_each_recorded_time_gives_its_own_frame(clip: Path, frames: dict[float, Image]) -> None:
    times = sorted(frames)
    wanted = [times[0], times[3], times[4], times[-2]]  # near ones decoded on, a far one sought
    got = list(pictures_at(clip, [*reversed(wanted), times[3]]))
    assert [t for t, _ in got] == wanted  # sorted, duplicates once
    for seconds, picture in got:
        assert np.array_equal(picture, frames[seconds])


def test_a_time_between_frames_gives_the_frame_on_screen(
    clip: Path, frames: dict[float, Image]
) -> None:
    times = sorted(frames)
    between = (times[5] + times[6]) / 2
    ((seconds, picture),) = pictures_at(clip, [between])
    assert seconds == between
    assert np.array_equal(picture, frames[times[5]])


def test_times_past_the_end_give_the_last_frame(clip: Path, frames: dict[float, Image]) -> None:
    last = max(frames)
    got = dict(pictures_at(clip, [last + 5.0, last + 60.0]))
    assert set(got) == {last + 5.0, last + 60.0}
    assert all(np.array_equal(picture, frames[last]) for picture in got.values())


def test_nothing_wanted_opens_nothing(tmp_path: Path) -> None:
    assert list(pictures_at(tmp_path / "missing.mkv", [])) == []


def test_not_a_video_is_a_clear_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.mkv"
    text.write_text("not a video")
    with pytest.raises(InputError, match=r"notes\.mkv"):
        list(pictures_at(text, [1.0]))
