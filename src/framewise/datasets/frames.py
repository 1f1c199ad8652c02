"""Extract frames for labelling: JPEG/PNG files plus a CSV of index, video time and wall time.

The CSV is written as a ``.partial`` file while the job runs and renamed when it ends, so an
interrupted extraction resumes after the last frame it wrote, with no duplicates.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2

from framewise.core.atomic import write_bytes
from framewise.core.errors import InputError, OutputError
from framewise.core.frames import Frame
from framewise.core.time import format_iso8601
from framewise.sources.base import SourceStats
from framewise.sources.file import FileSource

CSV_NAME = "frames.csv"
CSV_FIELDS = ("file", "frame_index", "video_seconds", "wall_time")

ImageFormat = Literal["jpg", "png"]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExtractReport:
    """What :func:`extract_frames` wrote."""

    out_dir: Path
    csv_path: Path
    written: int
    resumed_from: int
    stats: SourceStats


def _encode(frame: Frame, fmt: ImageFormat, quality: int) -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if fmt == "jpg" else []
    ok, buffer = cv2.imencode(f".{fmt}", frame.image, params)
    if not ok:
        raise OutputError(f"could not encode frame {frame.index} as {fmt}")
    return bytes(buffer.tobytes())


def _done_rows(partial: Path) -> list[dict[str, str]]:
    """The rows an interrupted extraction wrote, whose images made it to disk.

    Raises:
        InputError: The index was damaged since (not UTF-8, other columns, a bad time).
    """
    if not partial.exists():
        return []
    hint = "delete it to extract from the start, or choose another --out"
    try:
        with partial.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", subject=partial, hint=hint) from None
    if tuple(reader.fieldnames or ()) != CSV_FIELDS:
        raise InputError(
            f"not a frames index (columns {', '.join(reader.fieldnames or ()) or 'none'})",
            subject=partial,
            hint=hint,
        )
    # A row is only trusted when its image made it to disk.
    done = [row for row in rows if (partial.parent / row["file"]).exists()]
    for row in done[-1:]:  # resuming reads the last time
        try:
            seconds = float(row["video_seconds"])
        except (TypeError, ValueError):
            seconds = math.nan
        if not (math.isfinite(seconds) and seconds >= 0):
            raise InputError(
                f"{row['video_seconds']!r} is not a time (row of {row['file']})",
                subject=partial,
                hint=hint,
            )
    return done


def extract_frames(
    source: FileSource,
    out_dir: str | Path,
    *,
    fmt: ImageFormat = "jpg",
    quality: int = 95,
    on_frame: Progress | None = None,
) -> ExtractReport:
    """Write the source's frames as images into ``out_dir`` with a CSV index.

    Args:
        source: The video, configured with its sampling rate and output size.
        out_dir: Folder for the images and ``frames.csv``.
        fmt: ``jpg`` or ``png``.
        quality: JPEG quality (1–100).
        on_frame: Called with the number of frames written so far, for progress bars.

    Returns:
        Counts, and the source's decode statistics.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the folder ({exc.strerror})",
            subject=out,
            hint="choose a writable output folder",
        ) from None
    final = out / CSV_NAME
    partial = out / f".{CSV_NAME}.partial"
    rows = _done_rows(partial)
    if rows:
        # Resume on the absolute sampling grid: the next tick's frame is the same frame.
        source.resume_after(float(rows[-1]["video_seconds"]))
    stem = source.path.stem
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
        handle.flush()
        seen = {row["file"] for row in rows}
        written = 0
        for frame in source.read():
            name = f"{stem}_{frame.index:07d}.{fmt}"
            if name in seen:
                continue
            write_bytes(out / name, _encode(frame, fmt, quality))
            writer.writerow(
                {
                    "file": name,
                    "frame_index": frame.index,
                    "video_seconds": f"{frame.seconds:.6f}",
                    "wall_time": format_iso8601(frame.wall_time),
                }
            )
            handle.flush()
            seen.add(name)
            written += 1
            if on_frame is not None:
                on_frame(len(seen))
    partial.replace(final)
    return ExtractReport(out, final, written, len(rows), source.stats)
