"""Live streams served by the ``ffmpeg`` command on loopback, for live-mode tests and demos.

:class:`FFmpegServer` runs ``ffmpeg`` as the server side of a stream (for example MPEG-TS over
TCP with ``?listen=1``: ffmpeg waits for one client, then streams to it in real time), and can
be stopped and started again on the same port to exercise reconnects.

Example:
    >>> with serve_test_pattern(free_port()) as server:  # doctest: +SKIP
    ...     with LiveSource(server.url) as source:
    ...         frame = next(iter(source.read()))
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from framewise.core.net import LOOPBACK

X264_LOW_LATENCY = ("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency")
"""Encoder arguments for a stream that starts at once and adds no frame delay."""

_SERVING = frozenset({"0A", "01"})  # LISTEN and ESTABLISHED, as /proc/net/tcp codes them


def is_serving(port: int) -> bool | None:
    """Whether a TCP socket listens on ``port`` or took a client there (``None``: no /proc).

    Reads the kernel's socket table instead of connecting, because a connection would be
    taken by a one-client server (``listen=1``) as its client; and a one-client server stops
    listening once its client is in, so an established connection counts too.
    """
    tables = [table for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")) if table.exists()]
    if not tables:
        return None
    local = f":{port:04X}"
    for table in tables:
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 3 and fields[1].endswith(local) and fields[3] in _SERVING:
                return True
    return False


class FFmpegServer:
    """An ``ffmpeg`` process that serves a stream; start, stop and start it again.

    Args:
        input_args: ffmpeg arguments before the output (``-re -f lavfi -i ...``).
        output_args: Encoder and format arguments (``-c:v libx264 ... -f mpegts``).
        output_url: Where ffmpeg writes (``tcp://127.0.0.1:PORT?listen=1``).
        client_url: The URL a client reads (``tcp://127.0.0.1:PORT``).
        listen_port: The port to wait for in :meth:`start`, if ffmpeg listens on one.
        ffmpeg: The ffmpeg command.
    """

    def __init__(
        self,
        input_args: Sequence[str],
        output_args: Sequence[str],
        output_url: str,
        *,
        client_url: str,
        listen_port: int | None = None,
        ffmpeg: str = "ffmpeg",
    ) -> None:
        found = shutil.which(ffmpeg)
        if found is None:
            raise RuntimeError(f"{ffmpeg}: command not found — install it (`make tools`)")
        self.command = [
            found,
            "-nostdin",
            "-nostats",
            "-loglevel",
            "error",
            "-y",
            *input_args,
            *output_args,
            output_url,
        ]
        self.url = client_url
        self.listen_port = listen_port
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._last_log = ""

    @property
    def running(self) -> bool:
        """Whether the ffmpeg process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self, *, wait_s: float = 10.0) -> Self:
        """Start ffmpeg and wait until it listens (when a port is known and /proc shows it).

        Raises:
            RuntimeError: ffmpeg exited at once, or did not listen within ``wait_s``.
        """
        if self.running:
            return self
        self._close_log()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - kept open for the process' lifetime
        self._process = subprocess.Popen(
            self.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log
        )
        if self.listen_port is None:
            return self
        deadline = time.monotonic() + wait_s
        while True:
            serving = is_serving(self.listen_port)
            if serving is None or serving:
                return self
            if self._process.poll() is not None:
                self.stop()
                raise RuntimeError(f"ffmpeg exited at start: {self._last_log.strip()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"ffmpeg did not listen on port {self.listen_port} within {wait_s} s"
                )
            # No event to wait on: the kernel's socket table is polled, briefly.
            time.sleep(0.02)

    def stop(self, *, timeout_s: float = 5.0) -> None:
        """Stop ffmpeg (SIGTERM, then SIGKILL) and reap it. Safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_log()

    def log(self) -> str:
        """What ffmpeg wrote to stderr (errors only) in its latest run."""
        if self._log is not None:
            self._log.seek(0)
            return self._log.read().decode(errors="replace")
        return self._last_log

    def _close_log(self) -> None:
        if self._log is not None:
            self._last_log = self.log()
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_test_pattern(
    port: int,
    *,
    size: tuple[int, int] = (320, 240),
    fps: int = 25,
    gop: int | None = None,
    ffmpeg: str = "ffmpeg",
) -> FFmpegServer:
    """An MPEG-TS over TCP server of ffmpeg's ``testsrc2`` pattern in real time (not started).

    It listens on ``127.0.0.1:port`` for one client and streams H.264 to it at ``fps``, with
    a keyframe every ``gop`` frames (default: every second), so a client gets its first
    picture fast. Stop it and start it again to make the client reconnect.
    """
    width, height = size
    return FFmpegServer(
        ["-re", "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}"],
        [*X264_LOW_LATENCY, "-g", str(gop or fps), "-f", "mpegts"],
        f"tcp://{LOOPBACK}:{port}?listen=1",
        client_url=f"tcp://{LOOPBACK}:{port}",
        listen_port=port,
        ffmpeg=ffmpeg,
    )


def colour_segments_clip(
    ffmpeg: str,
    path: Path,
    segments: Sequence[tuple[str, float]],
    *,
    size: str = "320x240",
    fps: int = 25,
    creation_time: str = "2026-01-15T18:00:00Z",
) -> Path:
    """Encode plain-colour segments (``("red", 2.0)``, …) as H.264 with a known creation time.

    With :func:`framewise.testing.models.colour_model` the events such a clip gives are known
    exactly, so pipelines can be checked end to end without a trained network.
    """
    inputs: list[str] = []
    for colour, seconds in segments:
        inputs += ["-f", "lavfi", "-i", f"color=c={colour}:s={size}:r={fps}:d={seconds}"]
    chain = "".join(f"[{i}:v]" for i in range(len(segments)))
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            *inputs,
            "-filter_complex",
            f"{chain}concat=n={len(segments)}:v=1[v]",
            "-map",
            "[v]",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            str(fps),
            "-pix_fmt",
            "yuv420p",
            "-metadata",
            f"creation_time={creation_time}",
            str(path),
        ],
        check=True,
    )
    return path
