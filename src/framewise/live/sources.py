"""What ``--source`` names, and the source that reads it in live mode.

* a device index (``0``), a device path (``/dev/video0``), a DirectShow name or a stream URL
  (``rtsp://``, ``srt://``, ``tcp://``, ...) → :class:`LiveSource` (newest frame, drops
  counted, reconnects);
* a video file with ``--replay`` → :class:`ReplaySource` at real-time pace (``--speed``),
  with the file's own times, picking the same frames as ``framewise process``;
* a video file without ``--replay`` → read like a stream, as fast as it decodes, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from framewise.config.pipeline import PipelineConfig
from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.sources.base import VideoSource
from framewise.sources.file import DecodeOptions
from framewise.sources.live import LiveSource
from framewise.sources.replay import ReplaySource

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")

SourceFactory = Callable[[], VideoSource]
"""Opens a fresh source (the runner calls it again after a source gave up)."""


@dataclass(frozen=True)
class SourceSpec:
    """A parsed ``--source``.

    Attributes:
        target: Device index, device path or name, URL, or file path.
        replay: Play the file at real-time pace (file times kept).
        speed: Replay speed.
        max_reconnect_wait_s: How long a stream may stay without frames before the source
            gives up (the runner then opens it again).
        keep_newest: A replay drops frames a slow pipeline has not taken, as a live source
            does; ``False`` paces every frame instead (checks that live equals batch use it,
            since how many frames a busy machine drops is not repeatable).
    """

    target: str | int
    replay: bool = False
    speed: float = 1.0
    max_reconnect_wait_s: float = 30.0
    keep_newest: bool = True

    @property
    def is_file(self) -> bool:
        """Whether the target is a regular file (a recording)."""
        return isinstance(self.target, str) and Path(self.target).is_file()

    @property
    def reopens(self) -> bool:
        """Whether the runner should open the source again when it ends or gives up."""
        return not self.is_file


def parse_source(text: str, *, replay: bool = False, speed: float | None = None) -> SourceSpec:
    """Parse ``--source`` with ``--replay`` / ``--speed``.

    Raises:
        ConfigError: ``--speed`` without ``--replay``, or ``--replay`` of a non-file.
        InputNotFoundError: ``--replay`` of a path that does not exist.
    """
    if speed is not None and not replay:
        raise ConfigError("--speed needs --replay", hint="add --replay, or drop --speed")
    target: str | int = int(text) if text.isdigit() else text
    spec = SourceSpec(target, replay=replay, speed=1.0 if speed is None else speed)
    if replay and not spec.is_file:
        if isinstance(target, int) or _URL.match(text):
            raise ConfigError(
                "--replay plays a recorded file, not a device or stream",
                subject=text,
                hint="drop --replay to read it live",
            )
        raise InputNotFoundError("no such file", subject=text, hint="check the path")
    return spec


def source_factory(spec: SourceSpec, config: PipelineConfig) -> SourceFactory:
    """A function opening the source ``spec`` names, sampled at the pipeline's rate."""
    fps = config.source.sample_fps
    if spec.replay:
        path = str(spec.target)

        def replay() -> VideoSource:
            return ReplaySource(
                path,
                speed=spec.speed,
                sample_fps=fps,
                decode=DecodeOptions.from_config(config.source),
                keep_newest=spec.keep_newest,
            )

        return replay

    def live() -> VideoSource:
        return LiveSource(
            spec.target,
            sample_fps=fps,
            reconnect=spec.reopens,
            max_reconnect_wait_s=spec.max_reconnect_wait_s,
            max_backoff_s=2.0,
        )

    return live
