"""Open any source from a ``source:`` configuration: the registry of source kinds.

:data:`SOURCES` maps each ``kind`` of :data:`framewise.config.base.SOURCE_CONFIGS` to the
function that opens it, so a runner holds a :class:`VideoSource` without knowing which. A
new kind (a synchronised camera ``group``) is one config model there and one opener here.

Example:
    >>> from framewise.config.base import SourceConfig
    >>> config = SourceConfig(detection_fps=5).with_kind("images", fps=30)
    >>> with open_source(config, "frames/") as source:  # doctest: +SKIP
    ...     print(source.source_id, source.duration, source.frame_rate)
    frames 2.0 30
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from framewise.config.base import (
    DeviceSourceConfig,
    FileSourceConfig,
    FolderSourceConfig,
    ImageFolderSourceConfig,
    LiveSourceConfig,
    ReplaySourceConfig,
    SourceConfig,
    StreamSourceConfig,
)
from framewise.core.errors import ConfigError
from framewise.core.time import SessionStart
from framewise.sources.base import VideoSource
from framewise.sources.directory import DirectorySource
from framewise.sources.file import DecodeOptions, FileSource
from framewise.sources.images import ImageFolderSource
from framewise.sources.live import LiveSource
from framewise.sources.replay import ReplaySource

Location = str | int | os.PathLike[str]
"""What the command line names: a file or folder path, a device index or path, a URL."""

Start = datetime | SessionStart | None
"""A session start: resolved (e.g. by a probe), the user's wall-clock time, or none."""

SourceOpener = Callable[[SourceConfig, Location | None, Start], VideoSource]
"""Opens one kind: ``(its config, the command line's location or None, the start)``."""

C = TypeVar("C", bound=SourceConfig)


def _settings(config: SourceConfig, model: type[C]) -> C:
    """``config`` as ``model``, the config class its kind registers."""
    if not isinstance(config, model):
        raise ConfigError(
            f"a {config.kind} source needs a {model.__name__}, got {type(config).__name__}",
            subject="source",
            hint="build it with SourceConfig.with_kind()",
        )
    return config


def _path(config: SourceConfig, location: Location | None, configured: Path | None) -> Path:
    """The command line's path, else the config's ``path:``."""
    if location is not None:
        return Path(str(location) if isinstance(location, int) else location)
    if configured is None:
        raise ConfigError(
            f"no path for the {config.kind} source",
            subject="source.path",
            hint="pass it on the command line, or set `path:` under `source:`",
        )
    return configured


def _no_start(config: SourceConfig, start: Start) -> None:
    """Refuse a session start on sources that have their own (live arrival, per-file)."""
    if start is not None:
        raise ConfigError(
            f"a {config.kind} source takes no session start",
            subject="source",
            hint="drop the start time; each frame's wall time comes from the source itself",
        )


def _read_ahead(config: SourceConfig) -> int:
    """Frames decoded ahead: ``queue_size`` batches, as the batch runner always held."""
    return config.queue_size * config.batch_size


def _open_file(config: SourceConfig, location: Location | None, start: Start) -> VideoSource:
    settings = _settings(config, FileSourceConfig)
    path = _path(settings, location, settings.path)
    return FileSource.from_config(settings, path, session_start=start)


def _open_folder(config: SourceConfig, location: Location | None, start: Start) -> VideoSource:
    settings = _settings(config, FolderSourceConfig)
    _no_start(settings, start)
    return DirectorySource(
        _path(settings, location, settings.path),
        recursive=settings.recursive,
        sample_fps=settings.sample_fps,
        decode=DecodeOptions.from_config(settings),
        prefetch=_read_ahead(settings),
    )


def _open_images(config: SourceConfig, location: Location | None, start: Start) -> VideoSource:
    settings = _settings(config, ImageFolderSourceConfig)
    return ImageFolderSource(
        _path(settings, location, settings.path),
        fps=settings.fps,
        timestamps=settings.timestamps,
        sample_fps=settings.sample_fps,
        session_start=start,
        prefetch=_read_ahead(settings),
    )


def _live(settings: LiveSourceConfig, target: Location | None, start: Start) -> VideoSource:
    _no_start(settings, start)
    if target is None:
        what = "device" if settings.kind == "device" else "URL"
        raise ConfigError(
            f"no {what} for the {settings.kind} source",
            subject="source",
            hint="pass it on the command line, or set it under `source:`",
        )
    return LiveSource(
        target,
        sample_fps=settings.sample_fps,
        reconnect=settings.reconnect,
        max_reconnect_wait_s=settings.max_reconnect_wait_s,
        max_backoff_s=settings.max_backoff_s,
        open_timeout_s=settings.open_timeout_s,
        read_timeout_s=settings.read_timeout_s,
        size=settings.size,
        backend=settings.backend,
    )


def _open_device(config: SourceConfig, location: Location | None, start: Start) -> VideoSource:
    settings = _settings(config, DeviceSourceConfig)
    return _live(settings, location if location is not None else settings.device, start)


def _open_stream(config: SourceConfig, location: Location | None, start: Start) -> VideoSource:
    settings = _settings(config, StreamSourceConfig)
    return _live(settings, location if location is not None else settings.url, start)


def _open_replay(config: SourceConfig, location: Location | None, start: Start) -> VideoSource:
    settings = _settings(config, ReplaySourceConfig)
    return ReplaySource(
        _path(settings, location, settings.path),
        speed=settings.speed,
        sample_fps=settings.sample_fps,
        keep_newest=settings.keep_newest,
        session_start=start,
        decode=DecodeOptions.from_config(settings),
    )


SOURCES: Mapping[str, SourceOpener] = MappingProxyType(
    {
        "file": _open_file,
        "folder": _open_folder,
        "images": _open_images,
        "device": _open_device,
        "stream": _open_stream,
        "replay": _open_replay,
    }
)
"""Registry: source kind → the function that opens it."""


def open_source(
    config: SourceConfig,
    location: Location | None = None,
    *,
    session_start: SessionStart | None = None,
    start_time: datetime | None = None,
) -> VideoSource:
    """Open the source ``config`` (a pipeline's ``source:``) describes.

    Args:
        config: Any kind's config; a bare :class:`SourceConfig` (no kind: ``file``) works.
        location: The path, device or URL from the command line; it wins over the config's.
        session_start: A resolved session start (e.g. ``probe(video).session_start``).
        start_time: The user's wall-clock time of the first frame (``--start-time``);
            ``session_start`` wins when both are given.

    Raises:
        ConfigError: No opener for the kind, no location anywhere, or a start time given to
            a source that keeps its own.
        InputError: The file or folder is missing or unreadable.
    """
    settings = config.concrete()
    opener = SOURCES.get(settings.kind)
    if opener is None:
        raise ConfigError(
            f"no source can open kind {settings.kind!r}",
            subject="source.kind",
            hint=f"use one of: {', '.join(SOURCES)}",
        )
    start: Start = session_start if session_start is not None else start_time
    return opener(settings, location, start)
