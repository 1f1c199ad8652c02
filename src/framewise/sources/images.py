"""ImageFolderSource: a folder of still images (jpg, png, bmp, webp) read as frames.

Images are taken in natural name order (``frame2`` before ``frame10``). Image ``i`` is at
``i / fps`` seconds, or at the time a timestamps CSV gives it. Sampling by time picks the
images first and reads only those, so a 5 fps pass over 30 fps frames reads one in six. An
image that cannot be read is counted in ``stats.corrupt_frames`` and skipped, never raised.
"""

from __future__ import annotations

import bisect
import csv
import io
import logging
import math
import os
import re
import statistics
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Self

import cv2
import numpy as np

from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.core.frames import Frame, Image
from framewise.core.time import SessionStart, utc
from framewise.sources.base import SourceStats, VideoSource, prefetch
from framewise.sources.sampling import TimeSampler, nearest_tick

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
"""Suffixes (any case) an image folder's frames may have."""

_DIGITS = re.compile(r"(\d+)")
_EPSILON = 1e-6


def natural_key(name: str) -> tuple[tuple[tuple[str, int], ...], str]:
    """Sort key putting ``img2`` before ``img10``: digit runs compare as numbers.

    Example:
        >>> sorted(["f10.png", "f2.png", "F1.png"], key=natural_key)
        ['F1.png', 'f2.png', 'f10.png']
    """
    parts = _DIGITS.split(name.lower())
    # split() alternates text and digits, so pair them to keep every comparison str-str or
    # int-int; the name itself breaks ties ("f01" and "f1").
    pairs = tuple(
        (parts[i], int(parts[i + 1]) if i + 1 < len(parts) else -1) for i in range(0, len(parts), 2)
    )
    return pairs, name


def list_images(folder: str | os.PathLike[str]) -> list[Path]:
    """The images in ``folder`` (not its sub-folders), in natural name order.

    Raises:
        InputNotFoundError: The folder does not exist.
        InputError: The path is not a folder.
    """
    root = Path(folder)
    if not root.exists():
        raise InputNotFoundError("no such folder", subject=root, hint="check the path")
    if not root.is_dir():
        raise InputError("is not a folder", subject=root, hint="pass a folder of images")
    images = [
        p
        for p in root.iterdir()
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    ]
    return sorted(images, key=lambda p: natural_key(p.name))


def read_timestamps(path: str | os.PathLike[str]) -> dict[str, float]:
    """``file name → seconds`` from a CSV of ``file,seconds`` rows (a header row is allowed).

    Raises:
        InputNotFoundError: The CSV does not exist.
        ConfigError: A row is malformed, a time is not a number >= 0, or a name repeats.
    """
    csv_path = Path(path)
    if not csv_path.is_file():
        raise InputNotFoundError("no such timestamps file", subject=csv_path, hint="check the path")
    data = csv_path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"not UTF-8 text (byte {exc.start})",
            subject=f"{csv_path}:{line}",
            hint="save the timestamps CSV as UTF-8",
        ) from None
    times: dict[str, float] = {}
    for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        where = f"{csv_path}:{line}"
        hint = "write one `file,seconds` row per image, e.g. frame_0001.png,0.033"
        if len(cells) < 2:
            raise ConfigError("expected `file,seconds`", subject=where, hint=hint)
        try:
            seconds = float(cells[1])
        except ValueError:
            if line == 1:  # a header row ("file,seconds")
                continue
            raise ConfigError(f"{cells[1]!r} is not a time", subject=where, hint=hint) from None
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ConfigError(f"time {seconds} is not >= 0", subject=where, hint=hint)
        name = Path(cells[0]).name
        if name in times:
            raise ConfigError(f"{name} appears twice", subject=where, hint="keep one row")
        times[name] = seconds
    return times


class ImageFolderSource(VideoSource):
    """The images of a folder as frames: upright BGR (``cv2.imread`` applies EXIF rotation).

    Args:
        folder: The folder of images; its name is the ``source_id``.
        fps: The rate the images were taken at (image ``i`` is at ``i / fps`` s).
        timestamps: A CSV of ``file,seconds`` rows giving each image's time instead; images
            are then in time order (natural name order among equal times).
        sample_fps: Frames per second to keep, chosen by time (the image nearest each tick);
            ``None`` keeps every image.
        size: ``(width, height)`` to scale frames to.
        session_start: Wall-clock time of second 0; else the first image's mtime minus its
            time.
        prefetch: Images read ahead in a background thread (0: no thread).

    Raises:
        InputError: The folder is missing or holds no images.
        ConfigError: ``fps`` is not above 0, or the CSV is malformed or misses an image.

    Example:
        >>> with ImageFolderSource("frames/", fps=30, sample_fps=5) as source:  # doctest: +SKIP
        ...     for frame in source.read():
        ...         print(frame.index, frame.seconds)
    """

    seekable = True

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        fps: float = 30.0,
        timestamps: str | os.PathLike[str] | None = None,
        sample_fps: float | None = None,
        size: tuple[int, int] | None = None,
        session_start: datetime | SessionStart | None = None,
        prefetch: int = 8,
    ) -> None:
        self.folder = Path(folder)
        self.source_id = self.folder.resolve().name or str(self.folder)
        if not (math.isfinite(fps) and fps > 0):
            raise ConfigError(
                f"fps must be a number above 0, got {fps}",
                subject=self.folder,
                hint="give the rate the images were taken at, e.g. fps=30",
            )
        self.sample_fps = sample_fps
        self.size = size
        self.prefetch = prefetch
        self.stats = SourceStats()
        self._start = 0.0
        images = list_images(self.folder)
        if not images:
            raise InputError(
                "holds no images",
                subject=self.folder,
                hint=f"put {', '.join(sorted(IMAGE_SUFFIXES))} files in it",
            )
        if timestamps is None:
            self.frames = [(index / fps, path) for index, path in enumerate(images)]
            self.frame_rate = Fraction(str(fps))
            self.duration = len(images) / fps
        else:
            self.frames = _timed(images, Path(timestamps))
            times = [seconds for seconds, _ in self.frames]
            step = statistics.median(b - a for a, b in pairwise(times)) if len(times) > 1 else 0
            self.duration = times[-1] + step
        self.session_start = self._session_start(session_start)

    def seek(self, seconds: float) -> Self:
        """Start the next :meth:`read` at the image on screen at ``seconds``."""
        self._start = max(0.0, seconds)
        return self

    def read(self) -> Iterator[Frame]:
        """Yield the images as frames (sampled by time when ``sample_fps`` is set)."""
        self.stats = SourceStats()
        return prefetch(self._read(), self.prefetch, name=f"images:{self.source_id}")

    def _read(self) -> Iterator[Frame]:
        times = [seconds for seconds, _ in self.frames]
        first = max(0, bisect.bisect_right(times, self._start + _EPSILON) - 1)
        chosen = range(first, len(self.frames))
        if not self.sample_fps:
            for index in chosen:
                frame = self._frame(index)
                if frame is not None:
                    yield frame
            return
        # Choose by time first, then read only the chosen images.
        sampler = TimeSampler[int](
            self.sample_fps, first_tick=nearest_tick(self._start, self.sample_fps)
        )
        for index in chosen:
            for sample in sampler.update(times[index], index):
                if (frame := self._frame(sample.item)) is not None:
                    yield frame
        for sample in sampler.flush():
            if (frame := self._frame(sample.item)) is not None:
                yield frame
        self.stats.skipped += sampler.skipped
        self.stats.gaps += sampler.gaps

    def _frame(self, index: int) -> Frame | None:
        seconds, path = self.frames[index]
        image = self._load(path)
        if image is None:
            return None
        self.stats.kept += 1
        return Frame(
            image=image,
            index=index,
            seconds=seconds,
            wall_time=self.session_start.wall_time(seconds),
            source_id=self.source_id,
        )

    def _load(self, path: Path) -> Image | None:
        """The image as upright BGR, scaled; ``None`` (counted) when it cannot be read."""
        # imread returns None for a missing, unreadable or non-image file (its stub says not).
        picture: object = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if not isinstance(picture, np.ndarray):
            self.stats.corrupt_frames += 1
            log.warning("%s: cannot read this image; skipped", path)
            return None
        self.stats.decoded += 1
        if self.size is not None and (picture.shape[1], picture.shape[0]) != self.size:
            picture = cv2.resize(picture, self.size, interpolation=cv2.INTER_AREA)
        return np.asarray(picture, dtype=np.uint8)

    def _session_start(self, given: datetime | SessionStart | None) -> SessionStart:
        if isinstance(given, SessionStart):
            return given
        if given is not None:
            return SessionStart(utc(given), "user")
        seconds, path = self.frames[0]
        mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        return SessionStart(mtime - timedelta(seconds=seconds), "mtime")


def _timed(images: Sequence[Path], csv_path: Path) -> list[tuple[float, Path]]:
    """``(seconds, image)`` in time order, from the CSV; every image must have a row."""
    times = read_timestamps(csv_path)
    missing = [p.name for p in images if p.name not in times]
    if missing:
        raise ConfigError(
            f"{len(missing)} image(s) have no time, e.g. {missing[0]}",
            subject=csv_path,
            hint="add a `file,seconds` row per image, or drop the timestamps to use fps",
        )
    # sorted() is stable: images with equal times keep their natural name order.
    return sorted(((times[p.name], p) for p in images), key=lambda entry: entry[0])
