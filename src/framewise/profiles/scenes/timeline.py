"""The scene list of a scenes run as an OpenTimelineIO timeline (``.otio``).

One video track, one clip per scene, in order; each clip's source range is its scene's
``[start, end)`` and its media reference is the processed video (its whole length as the
available range). Times are the scenes' presentation times at the video's average frame
rate, so a CFR video's clips start and end on whole frames, and a VFR video's clips keep
their true times (a fraction of a frame where its frames are not evenly spaced). Written
through OpenTimelineIO's own JSON adapter, so every OTIO reader (DaVinci Resolve, Premiere
through its plug-ins, ``otioview``) opens it.

Example:
    >>> write_scene_otio(scenes, "film.otio", "film", 23.976, "film.mp4")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from framewise.core.atomic import write_text
from framewise.core.errors import ConfigError
from framewise.profiles.scenes.export import Scene

INSTALL_HINT = "pip install 'framewise[otio]' (or opentimelineio==0.18.1)"
FRAME_DIGITS = 6
"""A time is kept to a millionth of a frame: whole frames stay whole through float noise."""


def _otio() -> Any:
    """The ``opentimelineio`` module (an optional extra).

    Raises:
        ConfigError: It is not installed.
    """
    try:
        import opentimelineio
    except ImportError as err:
        raise ConfigError(
            "writing .otio needs the opentimelineio package", subject="--otio", hint=INSTALL_HINT
        ) from err
    return opentimelineio


def _time(otio: Any, seconds: float, rate: float) -> Any:
    """``seconds`` as an OTIO RationalTime at ``rate`` (frames, rounded off float noise)."""
    return otio.opentime.RationalTime(round(seconds * rate, FRAME_DIGITS), rate)


def _media_url(video: str | Path) -> str:
    """A file URL for an absolute path, else the path as given (relative to the .otio)."""
    path = Path(video)
    return path.as_uri() if path.is_absolute() else str(video)


def scene_timeline(
    scenes: list[Scene], title: str, fps: float, video: str | Path, duration: float = 0.0
) -> Any:
    """An ``opentimelineio.schema.Timeline`` with one clip per scene.

    Args:
        scenes: The scene list (:func:`framewise.profiles.scenes.export.scene_list`).
        title: The timeline's name; clips are ``TITLE-Scene-001``, …
        fps: The video's average frame rate (the timeline's rate).
        video: The processed video, the clips' media.
        duration: The video's length in seconds (default: the last scene's end).

    Raises:
        ConfigError: opentimelineio is not installed, or ``fps`` is not positive.
    """
    otio = _otio()
    if fps <= 0:
        raise ConfigError(
            "the video's frame rate is unknown", subject=video, hint="reprocess the video"
        )
    length = max(duration, scenes[-1].end if scenes else 0.0)
    media = otio.schema.ExternalReference(
        target_url=_media_url(video),
        available_range=otio.opentime.TimeRange(_time(otio, 0.0, fps), _time(otio, length, fps)),
    )
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for scene in scenes:
        clip = otio.schema.Clip(
            name=f"{title}-Scene-{scene.number:03d}",
            # Each clip holds its own reference (OTIO objects have one parent).
            media_reference=media.clone(),
            source_range=otio.opentime.TimeRange(
                _time(otio, scene.start, fps), _time(otio, scene.seconds, fps)
            ),
        )
        clip.metadata["framewise"] = {
            "scene": scene.number,
            "start_frame": scene.start_frame,
            "end_frame": scene.end_frame,
        }
        track.append(clip)
    timeline = otio.schema.Timeline(name=title)
    timeline.tracks.append(track)
    return timeline


def scene_otio(
    scenes: list[Scene], title: str, fps: float, video: str | Path, duration: float = 0.0
) -> str:
    """The OTIO JSON of :func:`scene_timeline`."""
    timeline = scene_timeline(scenes, title, fps, video, duration)
    return str(_otio().adapters.write_to_string(timeline, "otio_json"))


def write_scene_otio(
    scenes: list[Scene],
    path: str | Path,
    title: str,
    fps: float,
    video: str | Path,
    duration: float = 0.0,
) -> Path:
    """Write :func:`scene_otio` atomically; the path written."""
    write_text(path, scene_otio(scenes, title, fps, video, duration))
    return Path(path)
