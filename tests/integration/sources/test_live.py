"""LiveSource against real streams: ffmpeg serving MPEG-TS over TCP on 127.0.0.1, real files."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError, SourceError
from framewise.core.frames import Frame
from framewise.core.net import free_port
from framewise.sources.live import LiveSource
from framewise.testing.ffmpeg import X264_LOW_LATENCY, FFmpegServer, serve_test_pattern

COUNTER = "pyscenedetect/counter.mp4"  # 30 frames, 1920x1080


def our_threads() -> list[threading.Thread]:
    """Threads a source started (reader, replay and decode threads)."""
    return [t for t in threading.enumerate() if t.name.startswith(("framewise-", "decode:"))]


@pytest.fixture
def server(ffmpeg: str) -> Iterator[FFmpegServer]:
    """A 320x240, 25 fps H.264 test pattern served as MPEG-TS on a free loopback port."""
    served = serve_test_pattern(free_port(), ffmpeg=ffmpeg)
    with served:
        yield served


def take(frames: Iterator[Frame], count: int) -> list[Frame]:
    return [next(frames) for _ in range(count)]


def test_reads_stream_and_reconnects_after_server_restart(server: FFmpegServer) -> None:
    source = LiveSource(server.url, max_reconnect_wait_s=20, max_backoff_s=0.5)
    with source:
        frames = source.read()
        before = take(frames, 8)
        now = datetime.now(UTC)
        assert [f.index for f in before] == list(range(8))
        assert all(f.image.shape == (240, 320, 3) for f in before)
        seconds = [f.seconds for f in before]
        assert all(a < b for a, b in pairwise(seconds))
        assert all(f.wall_time.tzinfo == UTC for f in before)
        assert abs(before[-1].wall_time - now) < timedelta(seconds=2)
        assert source.session_start is not None and source.session_start.origin == "arrival"
        origin = before[0].arrival
        assert origin is not None
        for frame in before:  # wall time and seconds come from the same clock reading
            assert frame.wall_time == source.session_start.wall_time(frame.seconds)
            assert frame.arrival is not None
            assert frame.seconds == pytest.approx(frame.arrival - origin + seconds[0])

        server.stop()
        server.start()
        restarted = time.monotonic()
        after: list[Frame] = []
        for frame in frames:  # frames already taken from the old stream may still come first
            assert frame.arrival is not None
            if frame.arrival > restarted:
                after.append(frame)
            if len(after) == 5:
                break
        assert source.stats.reconnects >= 1
        assert [f.index for f in after] == sorted({f.index for f in after})
        assert after[0].index > before[-1].index
        assert after[0].seconds > before[-1].seconds
        assert after[0].wall_time > before[-1].wall_time
    assert our_threads() == []


def test_slow_consumer_gets_newest_frame_and_drops_are_counted(server: FFmpegServer) -> None:
    source = LiveSource(server.url, max_reconnect_wait_s=20)
    ages = []
    with source:
        frames = source.read()
        take(frames, 3)  # connected and flowing
        for _ in range(6):
            time.sleep(0.2)  # the consumer's work
            frame = next(frames)
            assert frame.arrival is not None
            ages.append(time.monotonic() - frame.arrival)
    stats = source.stats
    # 25 fps for 1.2 s while taking 5 frames per second: most frames were replaced.
    assert stats.dropped >= 10
    assert stats.kept == 9
    # Every frame read is accounted for (one may have been in flight at close).
    assert 0 <= stats.decoded - stats.kept - stats.dropped <= 1
    # No backlog: each frame was fresh when taken (a queue would age them by 0.16 s each).
    assert max(ages) < 0.5, ages
    assert our_threads() == []


def test_sample_fps_hands_out_one_frame_per_slot(server: FFmpegServer) -> None:
    with LiveSource(server.url, sample_fps=5, max_reconnect_wait_s=20) as source:
        frames = take(source.read(), 6)
    slots = [math.floor(f.seconds * 5) for f in frames]
    assert all(a < b for a, b in pairwise(slots)), slots
    assert source.stats.skipped >= 10  # 25 fps in, at most 5 fps out


def test_close_from_another_thread_ends_iteration_cleanly(server: FFmpegServer) -> None:
    source = LiveSource(server.url, max_reconnect_wait_s=20)
    got: list[Frame] = []
    errors: list[BaseException] = []
    flowing = threading.Event()

    def consume() -> None:
        try:
            for frame in source.read():
                got.append(frame)
                if len(got) == 3:
                    flowing.set()
        except BaseException as exc:  # the test asserts there was none
            errors.append(exc)

    consumer = threading.Thread(target=consume, name="test-consumer")
    consumer.start()
    assert flowing.wait(20), "no frames from the stream"
    started = time.monotonic()
    source.close()
    consumer.join(10)
    assert not consumer.is_alive()
    assert time.monotonic() - started < 5
    assert errors == []
    assert len(got) >= 3
    assert our_threads() == []
    assert list(source.read()) == []  # closed for good


def test_nothing_listening_raises_source_error_in_bounded_time() -> None:
    url = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(SourceError) as caught, LiveSource(url, max_reconnect_wait_s=1.5) as source:
        list(source.read())
    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 6
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{url}: no connection after")
    assert "Connection refused" in message
    assert "max_reconnect_wait_s" in message
    assert caught.value.exit_code == 4
    assert our_threads() == []


def test_without_reconnect_a_refused_url_fails_at_once() -> None:
    url = f"rtsp://viewer:s3cret@127.0.0.1:{free_port()}/live"
    started = time.monotonic()
    source = LiveSource(url, reconnect=False)
    with pytest.raises(SourceError) as caught:
        list(source.read())
    assert time.monotonic() - started < 3
    assert "s3cret" not in str(caught.value)  # credentials never reach logs or events
    assert source.source_id == f"rtsp://viewer:***@127.0.0.1:{url.rsplit(':', 1)[1]}"
    assert "cannot open" in str(caught.value)


def test_silent_server_times_out() -> None:
    # A real socket that accepts connections (in the kernel backlog) and never sends a byte.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        source = LiveSource(url, open_timeout_s=1, read_timeout_s=1, max_reconnect_wait_s=2)
        with pytest.raises(SourceError, match=r"no connection after .*no data within"):
            list(source.read())
        assert time.monotonic() - started < 6
    assert our_threads() == []


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("nosuchproto://127.0.0.1/x", "Protocol not found"),
        ("/nonexistent/framewise/stream.ts", "No such file"),
        ("/dev/video-framewise-missing", "no such device"),
        # DirectShow exists on Windows only; elsewhere it is a clear error, not a retry loop.
        pytest.param(
            "video=Integrated Camera",
            "no container format 'dshow'",
            marks=pytest.mark.skipif(sys.platform == "win32", reason="a real DirectShow name"),
        ),
    ],
)
def test_permanent_errors_fail_fast_even_with_reconnect(target: str, reason: str) -> None:
    started = time.monotonic()
    with pytest.raises(SourceError, match=reason) as caught:
        list(LiveSource(target, max_reconnect_wait_s=30).read())
    assert time.monotonic() - started < 3
    assert str(caught.value).startswith(f"{target}: cannot open")


@pytest.mark.parametrize("backend", ["pyav", "opencv"])
def test_file_without_reconnect_ends_and_counts_every_frame(real_data: Path, backend: str) -> None:
    source = LiveSource(
        real_data / COUNTER,
        reconnect=False,
        size=(320, 180),
        backend="opencv" if backend == "opencv" else "pyav",
    )
    frames = list(source.read())
    assert frames, "no frame handed out"
    assert all(f.image.shape == (180, 320, 3) for f in frames)
    assert [f.index for f in frames] == list(range(len(frames)))
    stats = source.stats
    assert stats.decoded == 30
    assert stats.kept == len(frames)
    assert stats.kept + stats.dropped == 30  # the last frame is always handed out
    assert stats.reconnects == 0
    assert our_threads() == []


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture
def http_root(tmp_path: Path, ffmpeg: str) -> Iterator[str]:
    """A real HTTP server on loopback serving ``clip.ts``: 2 s of H.264 in MPEG-TS (50 frames).

    MPEG-TS because Python's file server ignores range requests, which MP4 over HTTP needs.
    """
    subprocess.run(
        [ffmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
         "testsrc2=size=320x240:rate=25:duration=2", *X264_LOW_LATENCY, "-f", "mpegts",
         str(tmp_path / "clip.ts")],
        check=True,
    )  # fmt: skip
    handler = partial(QuietHandler, directory=str(tmp_path))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=httpd.serve_forever, name="test-http")
    serving.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        serving.join()
        httpd.server_close()


def test_http_stream_reads_with_socket_timeouts_and_404_fails_fast(http_root: str) -> None:
    source = LiveSource(f"{http_root}/clip.ts", reconnect=False)
    frames = list(source.read())
    assert frames
    assert frames[-1].image.shape == (240, 320, 3)
    assert source.stats.decoded == 50
    assert source.stats.kept + source.stats.dropped == 50
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"missing\.ts: cannot open: .*404"):
        list(LiveSource(f"{http_root}/missing.ts", max_reconnect_wait_s=30).read())
    assert time.monotonic() - started < 3


def test_bad_arguments_fail_with_clear_errors() -> None:
    with pytest.raises(ConfigError, match="max_backoff_s must be a number above 0"):
        LiveSource("tcp://127.0.0.1:9", max_backoff_s=0)
    with pytest.raises(ConfigError, match="size must be"):
        LiveSource("tcp://127.0.0.1:9", size=(0, 10))
    with pytest.raises(ConfigError, match="PyAV cannot open a capture device by index"):
        LiveSource(0, backend="pyav")
    with pytest.raises(ConfigError, match="OpenCV cannot open a DirectShow device by name"):
        LiveSource("video=Integrated Camera", backend="opencv")
