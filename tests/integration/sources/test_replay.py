"""ReplaySource on a real recording: real-time pacing, file times kept, live-like drops."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.sources.file import FileSource
from framewise.sources.replay import ReplaySource

COUNTER = "pyscenedetect/counter.mp4"  # 3.0 s, 30 frames at 10 fps, 1920x1080
START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
SMALL = (320, 180)


def our_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(("framewise-", "decode:"))]


def test_speed_4_paces_frames_and_keeps_file_times(real_data: Path) -> None:
    batch = list(FileSource(real_data / COUNTER, session_start=START, size=SMALL).read())
    source = ReplaySource(
        real_data / COUNTER, speed=4, keep_newest=False, session_start=START, size=SMALL
    )
    started = time.monotonic()
    replayed = list(source.read())
    elapsed = time.monotonic() - started
    # The same frames with the same times as a batch read: live and batch results compare.
    assert [(f.index, f.seconds, f.wall_time) for f in replayed] == [
        (f.index, f.seconds, f.wall_time) for f in batch
    ]
    assert replayed[-1].seconds == pytest.approx(2.9)
    # Paced: the last frame (2.9 s of video) comes 2.9 / 4 = 0.725 s after the first.
    arrivals = [f.arrival for f in replayed]
    assert all(a is not None for a in arrivals)
    first = replayed[0]
    assert first.arrival is not None
    span = (replayed[-1].arrival or 0.0) - first.arrival
    assert 0.7 < span < 2.0, span  # 2.9 s would mean real time, ~0 s no pacing
    assert 0.7 < elapsed < 3.0, elapsed
    for frame in replayed:  # never released before its time
        assert frame.arrival is not None
        assert frame.arrival - first.arrival >= (frame.seconds - first.seconds) / 4 - 0.005
    stats = source.stats
    assert (stats.decoded, stats.kept, stats.dropped) == (30, 30, 0)
    assert our_threads() == []


def test_slow_consumer_gets_newest_frame_without_backlog(real_data: Path) -> None:
    source = ReplaySource(real_data / COUNTER, speed=4, size=SMALL)
    taken = []
    for frame in source.read():
        assert frame.arrival is not None
        taken.append((frame, time.monotonic() - frame.arrival))
        time.sleep(0.15)  # the consumer's work: 6.7 frames/s against 40 released per second
    frames = [frame for frame, _ in taken]
    ages = [age for _, age in taken]
    stats = source.stats
    assert stats.decoded == 30
    assert stats.kept == len(frames)
    assert stats.kept + stats.dropped == 30  # every frame handed out or counted as dropped
    assert stats.dropped >= 15
    # Each frame was fresh when taken; a queue would age them by ~0.125 s per frame taken.
    assert max(ages) < 0.45, ages
    seconds = [f.seconds for f in frames]
    assert all(a < b for a, b in pairwise(seconds))
    assert frames[-1].seconds == pytest.approx(2.9)  # the last frame waits for the consumer
    assert our_threads() == []


def test_sample_fps_replays_the_batch_samples(real_data: Path) -> None:
    batch = FileSource(real_data / COUNTER, sample_fps=4, size=SMALL)
    expected = [f.seconds for f in batch.read()]
    source = ReplaySource(real_data / COUNTER, speed=8, sample_fps=4, keep_newest=False, size=SMALL)
    assert [f.seconds for f in source.read()] == expected
    assert source.stats.skipped == batch.stats.skipped > 0


@pytest.mark.parametrize("keep_newest", [True, False])
def test_stopping_early_and_close_join_every_thread(real_data: Path, keep_newest: bool) -> None:
    # keep_newest=False: the producer is blocked handing over a frame; stopping must wake it.
    source = ReplaySource(real_data / COUNTER, speed=1, size=SMALL, keep_newest=keep_newest)
    started = time.monotonic()
    for frame in source.read():
        time.sleep(0.25)  # slower than the 10 fps replay: the next frame is due meanwhile
        if frame.index >= 1:
            break
    assert our_threads() == []  # the generator was closed by the break: replay and decoder
    source.close()
    assert list(source.read()) == []
    assert time.monotonic() - started < 2.5  # did not play the remaining 2.7 s


def test_close_from_another_thread_ends_iteration(real_data: Path) -> None:
    source = ReplaySource(real_data / COUNTER, speed=1, size=SMALL)
    first = threading.Event()
    got = []

    def consume() -> None:
        for frame in source.read():
            got.append(frame)
            first.set()

    consumer = threading.Thread(target=consume, name="test-consumer")
    consumer.start()
    assert first.wait(10)
    source.close()
    consumer.join(5)
    assert not consumer.is_alive()
    assert 1 <= len(got) < 30
    assert our_threads() == []


def test_bad_arguments_fail_with_clear_errors(real_data: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="replay speed must be a number above 0"):
        ReplaySource(real_data / COUNTER, speed=0)
    with pytest.raises(InputNotFoundError, match="no such file"):
        ReplaySource(tmp_path / "missing.mp4")
