"""DirectorySource: every video in a folder, in session-start order, as one stream of frames."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from framewise.core.errors import InputError, InputNotFoundError
from framewise.core.frames import Frame
from framewise.core.time import SessionStart
from framewise.sources.base import SourceStats, VideoSource
from framewise.sources.container import VIDEO_SUFFIXES
from framewise.sources.file import DecodeOptions, FileSource
from framewise.sources.probe import VideoInfo, probe

log = logging.getLogger(__name__)


def list_videos(folder: str | os.PathLike[str], *, recursive: bool = False) -> list[Path]:
    """Video files in ``folder`` (mkv, mp4, mov, avi, webm, ts, flv, m4v), sorted by name.

    Raises:
        InputNotFoundError: The folder does not exist.
        InputError: The path is not a folder.
    """
    root = Path(folder)
    if not root.exists():
        raise InputNotFoundError("no such folder", subject=root, hint="check the path")
    if not root.is_dir():
        raise InputError(
            "is not a folder",
            subject=root,
            hint="pass a folder of videos, or use --video for one file",
        )
    pattern = "**/*" if recursive else "*"
    return sorted(
        p
        for p in root.glob(pattern)
        if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES and not p.name.startswith(".")
    )


def videos_by_start(
    folder: str | os.PathLike[str], *, recursive: bool = False, skip_bad: bool = True
) -> tuple[list[VideoInfo], list[str]]:
    """Probe every video in ``folder`` and order them by session start (then by name).

    Args:
        folder: The folder to scan.
        recursive: Descend into sub-folders.
        skip_bad: Log and skip files that cannot be read, instead of raising.

    Returns:
        The readable videos in order, and the paths of those skipped.
    """
    infos: list[VideoInfo] = []
    skipped: list[str] = []
    for path in list_videos(folder, recursive=recursive):
        try:
            infos.append(probe(path))
        except InputError as error:
            if not skip_bad:
                raise
            log.warning("skipping %s", error.one_line())
            skipped.append(str(path))
    return sorted(infos, key=lambda info: (info.session_start.time, info.path)), skipped


class DirectorySource(VideoSource):
    """The frames of every video in a folder, one file after another, by session start.

    Each frame's ``source_id`` names its file; ``seconds`` restart at zero for each file,
    and ``wall_time`` follows each file's own session start. Files that cannot be read are
    skipped and listed in :attr:`skipped_files`. ``session_start`` is the first file's,
    ``duration`` the files' total; there is no single ``frame_rate`` (files may differ), and
    since times restart per file the folder as a whole is not seekable.

    Args:
        folder: The folder of recordings.
        recursive: Include sub-folders.
        sample_fps, size, decode, prefetch: As for :class:`FileSource`.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        recursive: bool = False,
        sample_fps: float | None = None,
        size: tuple[int, int] | None = None,
        decode: DecodeOptions | None = None,
        prefetch: int = 8,
    ) -> None:
        self.folder = Path(folder)
        self.source_id = str(folder)
        self.stats = SourceStats()
        self.sample_fps = sample_fps
        self.size = size
        self.decode = decode
        self.prefetch = prefetch
        self.videos, self.skipped_files = videos_by_start(self.folder, recursive=recursive)
        self.duration = sum(info.duration_seconds for info in self.videos)
        self.session_start = (
            self.videos[0].session_start
            if self.videos
            else SessionStart(datetime.fromtimestamp(self.folder.stat().st_mtime, UTC), "mtime")
        )

    @property
    def session_starts(self) -> list[tuple[str, datetime]]:
        """``(path, session start)`` for each video, in the order they are read."""
        return [(info.path, info.session_start.time) for info in self.videos]

    def sources(self) -> Iterator[FileSource]:
        """A :class:`FileSource` per video, in session-start order."""
        for info in self.videos:
            try:
                yield FileSource(
                    info.path,
                    session_start=info.session_start,
                    sample_fps=self.sample_fps,
                    size=self.size,
                    decode=self.decode,
                    prefetch=self.prefetch,
                )
            except InputError as error:
                log.warning("skipping %s", error.one_line())
                self.skipped_files.append(info.path)

    def read(self) -> Iterator[Frame]:
        """Yield the frames of every video in turn."""
        self.stats = SourceStats()
        for source in self.sources():
            try:
                yield from source.read()
            except InputError as error:
                log.warning("skipping the rest of %s", error.one_line())
                self.skipped_files.append(source.source_id)
            finally:
                self._add(source.stats)

    def _add(self, stats: SourceStats) -> None:
        for name in ("decoded", "kept", "skipped", "gaps", "corrupt_packets", "corrupt_frames"):
            setattr(self.stats, name, getattr(self.stats, name) + getattr(stats, name))
        self.stats.truncated |= stats.truncated
