"""The scene list of a scenes run: from its event log to PySceneDetect's CSV and a CMX 3600 EDL.

Scene 1 starts at the video's start, each ``scene_cut`` event starts the next one, the last
ends at the video's end. Times are the events' presentation times (true on VFR files); frame
numbers are the log's frame indices, 1-based in the files as PySceneDetect writes them.

The CSV is the one ``scenedetect list-scenes`` writes (a ``Timecode List`` row, then one row
per scene: start/end frame, timecode and seconds, and lengths), so tools reading PySceneDetect's
output read ours. The EDL is CMX 3600, one cut per scene, timecodes at the video's average
rate rounded to whole frames (non-drop-frame).

Example:
    >>> scenes = scene_list(read_event_log("events/v/events.json"))  # doctest: +SKIP
    >>> write_scene_csv(scenes, "v-Scenes.csv")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from framewise.core.atomic import write_text
from framewise.core.errors import InputError
from framewise.core.events import EventLog
from framewise.temporal.scenes import SCENE_CUT


@dataclass(frozen=True)
class Scene:
    """One scene: ``[start, end)`` in seconds and ``[start_frame, end_frame)`` 0-based."""

    number: int
    start: float
    end: float
    start_frame: int
    end_frame: int

    @property
    def seconds(self) -> float:
        """Its length in seconds."""
        return self.end - self.start


def scene_list(log: EventLog, source: str | Path = "") -> list[Scene]:
    """The scenes a log's ``scene_cut`` events mark.

    Raises:
        InputError: The log holds no scene cuts and says nothing of the video's length.
    """
    meta = log.metadata
    cuts = sorted(
        (e.video_offset_seconds, e.frame_number) for e in log.events if e.type == SCENE_CUT
    )
    end, frames = meta.video_duration_seconds, meta.total_frames
    if end <= 0 and not cuts:
        raise InputError(
            "the event log says nothing of the video's length and holds no scene cuts",
            subject=source or meta.video_path,
            hint="give the events.json of a `framewise process --profile scenes` run",
        )
    starts = [(0.0, 0), *cuts]
    ends = [*cuts, (max(end, starts[-1][0]), max(frames, starts[-1][1]))]
    return [
        Scene(i + 1, s[0], e[0], s[1], e[1])
        for i, (s, e) in enumerate(zip(starts, ends, strict=True))
    ]


def timecode(seconds: float) -> str:
    """``HH:MM:SS.mmm`` as PySceneDetect writes it."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def scene_csv(scenes: list[Scene]) -> str:
    """The CSV ``scenedetect list-scenes`` writes, for ``scenes``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Timecode List:", *(timecode(s.start) for s in scenes[1:])])
    writer.writerow(
        [
            "Scene Number",
            "Start Frame",
            "Start Timecode",
            "Start Time (seconds)",
            "End Frame",
            "End Timecode",
            "End Time (seconds)",
            "Length (frames)",
            "Length (timecode)",
            "Length (seconds)",
        ]
    )
    for s in scenes:
        writer.writerow(
            [
                s.number,
                s.start_frame + 1,
                timecode(s.start),
                f"{s.start:.3f}",
                s.end_frame,
                timecode(s.end),
                f"{s.end:.3f}",
                s.end_frame - s.start_frame,
                timecode(s.seconds),
                f"{s.seconds:.3f}",
            ]
        )
    return out.getvalue()


def edl_timecode(seconds: float, fps: int) -> str:
    """``HH:MM:SS:FF`` at ``fps`` whole frames a second (non-drop-frame)."""
    frames = round(seconds * fps)
    hours, rest = divmod(frames, 3600 * fps)
    minutes, rest = divmod(rest, 60 * fps)
    return f"{hours:02d}:{minutes:02d}:{rest // fps:02d}:{rest % fps:02d}"


def scene_edl(scenes: list[Scene], title: str, fps: float) -> str:
    """A CMX 3600 EDL with one cut event per scene (record time = source time)."""
    rate = max(1, round(fps))
    lines = [f"TITLE: {title}", "FCM: NON-DROP FRAME", ""]
    for s in scenes:
        start, end = edl_timecode(s.start, rate), edl_timecode(s.end, rate)
        lines.append(f"{s.number:03d}  AX       V     C        {start} {end} {start} {end}")
        lines.append(f"* FROM CLIP NAME: {title}")
        lines.append("")
    return "\n".join(lines)


def log_fps(log: EventLog) -> float:
    """The video's average frame rate, from the log's frame count and duration."""
    meta = log.metadata
    if meta.video_duration_seconds > 0 and meta.total_frames > 0:
        return meta.total_frames / meta.video_duration_seconds
    return meta.detection_fps


def write_scene_csv(scenes: list[Scene], path: str | Path) -> Path:
    """Write :func:`scene_csv` atomically; the path written."""
    write_text(path, scene_csv(scenes))
    return Path(path)


def write_scene_edl(scenes: list[Scene], path: str | Path, title: str, fps: float) -> Path:
    """Write :func:`scene_edl` atomically; the path written."""
    write_text(path, scene_edl(scenes, title, fps))
    return Path(path)
