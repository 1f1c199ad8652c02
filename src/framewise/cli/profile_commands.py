"""``framewise profiles``, ``scenes``, ``split``, ``clips``, ``srt``: everyday profiles' commands.

``profiles`` lists the bundled profiles, one line each. ``scenes`` turns a scenes run's event
log into PySceneDetect's CSV, an EDL and an OpenTimelineIO timeline; ``split`` cuts the video
at those scenes and ``clips`` cuts out a motion run's events (stream copy where a span starts
on a keyframe); ``srt`` writes a text run's lines as subtitles. Wired into the main CLI with
:func:`register`; errors propagate to it (one line, the error's exit code).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from framewise.core.errors import ConfigError, InputError

LOG_HELP = "The events.json of a `framewise process --profile scenes` run."


def profile_summary(name: str) -> str:
    """The first line of profile ``name``'s package docstring."""
    module = importlib.import_module(f"framewise.profiles.{name}")
    doc = (module.__doc__ or "").strip()
    return doc.splitlines()[0].replace("``", "") if doc else ""


def profiles() -> None:
    """List the bundled profiles (`framewise process --video V --profile NAME`)."""
    from framewise.profiles import PROFILES

    width = max(len(name) for name in PROFILES)
    for name in PROFILES:
        typer.echo(f"{name:<{width}}  {profile_summary(name)}")


def scenes(
    log: Annotated[Path, typer.Argument(help=LOG_HELP)],
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write PySceneDetect's scene list CSV here.")
    ] = None,
    edl: Annotated[Path | None, typer.Option("--edl", help="Write a CMX 3600 EDL here.")] = None,
    otio: Annotated[
        Path | None,
        typer.Option("--otio", help="Write an OpenTimelineIO timeline here (one clip a scene)."),
    ] = None,
) -> None:
    """Print the scene list of a scenes run; write it as CSV, EDL and/or OTIO."""
    from framewise.events.log import read_event_log
    from framewise.profiles.scenes.export import (
        log_fps,
        scene_list,
        timecode,
        write_scene_csv,
        write_scene_edl,
    )

    event_log = read_event_log(log)
    found = scene_list(event_log, log)
    for scene in found:
        typer.echo(
            f"scene {scene.number:>3}  {timecode(scene.start)} – {timecode(scene.end)}"
            f"  ({scene.seconds:.3f} s, frames {scene.start_frame}–{scene.end_frame - 1})"
        )
    if csv is not None:
        typer.echo(f"→ {write_scene_csv(found, csv)}")
    meta = event_log.metadata
    title = Path(meta.video_path).stem or log.parent.name
    if edl is not None:
        typer.echo(f"→ {write_scene_edl(found, edl, title, log_fps(event_log))}")
    if otio is not None:
        from framewise.profiles.scenes.timeline import write_scene_otio

        fps, length = log_fps(event_log), meta.video_duration_seconds
        typer.echo(f"→ {write_scene_otio(found, otio, title, fps, meta.video_path, length)}")


def _copy_mode(mode: str) -> bool | None:
    modes: dict[str, bool | None] = {"auto": None, "copy": True, "encode": False}
    if mode not in modes:
        raise ConfigError(
            f"unknown --mode {mode!r}", subject="--mode", hint="use auto, copy or encode"
        )
    return modes[mode]


MODE_HELP = (
    "auto: stream copy where a span starts on a keyframe, else re-encode; "
    "copy: always copy (starts snap to the keyframe before); encode: always re-encode."
)


def split(
    video: Annotated[Path, typer.Argument(help="The video the scenes run processed.")],
    scenes_log: Annotated[Path, typer.Option("--scenes", help=LOG_HELP)],
    out: Annotated[Path, typer.Option("--out", help="Folder for the scene files.")] = Path(
        "scenes"
    ),
    mode: Annotated[str, typer.Option("--mode", help=MODE_HELP)] = "auto",
) -> None:
    """Cut VIDEO into one file per scene (VIDEO-Scene-001.mp4, …)."""
    from framewise.events.log import read_event_log
    from framewise.profiles.media import Span, cut_spans
    from framewise.profiles.scenes.export import scene_list

    copy = _copy_mode(mode)
    found = scene_list(read_event_log(scenes_log), scenes_log)
    spans = [Span(s.number, s.start, s.end) for s in found if s.end > s.start]
    clips = cut_spans(video, spans, out, f"{video.stem}-Scene", copy=copy)
    copied = sum(c.copied for c in clips)
    for clip in clips:
        how = "copied" if clip.copied else "re-encoded"
        typer.echo(f"{clip.path}  {clip.span.start:.3f}–{clip.span.end:.3f} s  {how}")
    typer.echo(f"{len(clips)} scene(s) → {out} ({copied} stream-copied)")


def clips(
    log: Annotated[
        Path, typer.Argument(help="The events.json of a `framewise process --profile motion` run.")
    ],
    video: Annotated[Path, typer.Option("--video", help="The video the run processed.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the clips.")] = Path("clips"),
    mode: Annotated[str, typer.Option("--mode", help=MODE_HELP)] = "auto",
) -> None:
    """Cut each motion event of LOG out of VIDEO (VIDEO-Motion-001.mp4, …)."""
    from framewise.events.log import read_event_log
    from framewise.profiles.media import Span, cut_spans
    from framewise.temporal.motion import MOTION

    copy = _copy_mode(mode)
    events = [e for e in read_event_log(log).events if e.type == MOTION]
    spans = [
        Span(i + 1, float(e.data["start"]), float(e.data["end"]))  # type: ignore[arg-type]
        for i, e in enumerate(events)
    ]
    made = cut_spans(video, spans, out, f"{video.stem}-Motion", copy=copy)
    for clip in made:
        typer.echo(f"{clip.path}  {clip.span.start:.3f}–{clip.span.end:.3f} s")
    typer.echo(f"{len(made)} motion clip(s) → {out}")


def srt(
    log: Annotated[
        Path, typer.Argument(help="The events.json of a `framewise process --profile text` run.")
    ],
    out: Annotated[Path, typer.Option("--out", help="The SRT file to write.")],
    min_y: Annotated[
        float,
        typer.Option("--min-y", help="Keep lines whose top is at or below this pixel row."),
    ] = 0.0,
    min_seconds: Annotated[
        float, typer.Option("--min-seconds", help="Drop lines shown for less than this.")
    ] = 0.2,
) -> None:
    """Write the lines of text a text run found as SRT subtitles."""
    typer.echo(write_log_srt(log, out, min_y=min_y, min_seconds=min_seconds))


def write_log_srt(log: Path, out: Path, min_y: float = 0.0, min_seconds: float = 0.2) -> str:
    """Write a text run's lines as SRT (`srt`, `export --format srt`); the line to print.

    Raises:
        InputError: The log is not a text run's (no ``text_shown`` event, another profile).
    """
    from framewise.events.log import read_event_log
    from framewise.profiles.text.subtitles import subtitle_cues, write_srt
    from framewise.temporal.text import TEXT_SHOWN

    event_log = read_event_log(log)
    # A text run that saw no text writes an empty SRT; another profile's log is a mistake.
    if event_log.metadata.pipeline != "text" and not any(
        e.type == TEXT_SHOWN for e in event_log.events
    ):
        raise InputError(
            f"no {TEXT_SHOWN} events: not a text run's log",
            subject=log,
            hint="give the events.json of a `framewise process --profile text` run",
        )
    cues = subtitle_cues(event_log, min_y=min_y, min_seconds=min_seconds)
    return f"{len(cues)} subtitle(s) → {write_srt(cues, out)}"


def register(app: typer.Typer) -> None:
    """Add ``profiles``, ``scenes``, ``split``, ``clips`` and ``srt`` to ``app``."""
    app.command(name="profiles")(profiles)
    app.command(name="scenes")(scenes)
    app.command(name="split")(split)
    app.command(name="clips")(clips)
    app.command(name="srt")(srt)
