"""Uploads: a video streamed to disk under a size limit, hashed, checked, stored once.

The bytes go to a hidden file under ``DATA/tmp`` in 1 MiB chunks while their SHA-256 is
computed; the file is probed (415 with the reason when it is no video we can read) and
then renamed, with its facts, to ``DATA/videos/<id>/`` in one move. The id is the first 16
hex digits of the hash, so the same bytes uploaded twice (under any name) are one video.
Label files are checked whole against the video before anything is queued (422 naming
the line).
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from framewise.core.atomic import write_json, write_text
from framewise.core.errors import FramewiseError, InputError
from framewise.studio.catalog import LABELS, VIDEO_META
from framewise.studio.errors import StudioError
from framewise.studio.paths import DataRoot, sanitize_filename

if TYPE_CHECKING:
    from framewise.sources.probe import VideoInfo

CHUNK = 1024 * 1024
MAX_LABEL_BYTES = 16 * 1024 * 1024
VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".avi", ".mov", ".webm", ".m4v", ".ts"})


@dataclass(frozen=True)
class StoredVideo:
    """An upload once stored: its id, folder and whether it was there already."""

    video_id: str
    folder: Path
    duplicate: bool


def _bad_video(name: str, reason: str) -> StudioError:
    return StudioError(415, "bad_video", f"{name}: {reason}", "upload a video file (mp4, mkv, ...)")


def store_video(root: DataRoot, stream: BinaryIO, filename: str | None, limit: int) -> StoredVideo:
    """Stream an upload into the data root (see the module docstring).

    Raises:
        StudioError: 413 over ``limit`` bytes, 415 not a video.
    """
    name = sanitize_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise _bad_video(name, f"{suffix or 'no suffix'} is not a video file type")
    work = root.scratch("upload")
    try:
        digest, size = hashlib.sha256(), 0
        partial = work / f"upload{suffix}"
        with partial.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise StudioError(
                        413,
                        "payload_too_large",
                        f"{name} is larger than {limit} bytes",
                        "upload a shorter video, or start the studio with a larger --max-upload-mb",
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise _bad_video(name, "the file is empty")
        info = _probe(partial, name)
        video_id = digest.hexdigest()[:16]
        folder = root.folder("videos") / video_id
        if (folder / VIDEO_META).is_file():
            return StoredVideo(video_id, folder, duplicate=True)
        stored = work / video_id
        stored.mkdir()
        partial.rename(stored / f"{video_id}{suffix}")
        write_json(
            stored / VIDEO_META,
            {
                "id": video_id,
                "filename": name,
                "stored": f"{video_id}{suffix}",
                "sha256": digest.hexdigest(),
                "size_bytes": size,
                "duration": round(info.duration_seconds, 6),
                "fps": round(info.avg_fps, 6),
                "width": info.width,
                "height": info.height,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        try:
            stored.rename(folder)
        except OSError:
            # The same video arrived twice at once: the other upload stored it.
            return StoredVideo(video_id, folder, duplicate=True)
        return StoredVideo(video_id, folder, duplicate=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _probe(path: Path, name: str) -> VideoInfo:
    from framewise.sources.probe import probe

    try:
        return probe(path)
    except FramewiseError as error:
        raise _bad_video(name, error.message) from None
    except (OSError, ValueError, RuntimeError, EOFError) as error:
        # PyAV's own errors on a hostile file: still the client's input, not our failure.
        raise _bad_video(name, f"cannot be read as a video ({type(error).__name__})") from None


def decode_labels(raw: bytes, name: str) -> str:
    """A label file's text (UTF-8, BOM allowed), or a 422 naming the line."""
    if len(raw) > MAX_LABEL_BYTES:
        raise StudioError(422, "bad_labels", f"{name} is larger than 16 MiB", "split it")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StudioError(
            422, "bad_labels", f"{name}:{line}: not UTF-8 text", "save the label file as UTF-8"
        ) from None


def check_labels(root: DataRoot, video_id: str, text: str, name: str) -> None:
    """Parse ``text`` as a label file of the video and check it against the video.

    Raises:
        StudioError: 422 ``bad_labels`` with the parser's line-numbered reason.
    """
    from framewise.datasets.task_labels import TaskLabels
    from framewise.sources.probe import probe
    from framewise.studio.catalog import video_file, video_meta

    try:
        labels = TaskLabels.parse(text, name)
        frames = None
        if labels.frames:
            # Frame labels are checked against the counted frames (demux only, no decoding).
            frames = probe(video_file(root, video_id), count_frames=True).frame_count
        labels.check_video(frames, float(video_meta(root, video_id)["duration"]))
    except InputError as error:
        raise StudioError(
            422,
            "bad_labels",
            error.message if not error.subject else f"{error.subject}: {error.message}",
            error.hint,
        ) from None


def save_labels(root: DataRoot, video_id: str, text: str) -> Path:
    """Write the video's label file atomically; returns its path."""
    path = root.video_dir(video_id) / LABELS
    write_text(path, text)
    return path


def spans_csv(spans: list[tuple[float, float, str]]) -> str:
    """``start,end,label`` CSV text of time spans (what ``features extract --labels`` reads)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["start", "end", "label"])
    for start, end, label in sorted(spans):
        writer.writerow([repr(round(start, 6)), repr(round(end, 6)), label])
    return out.getvalue()
