"""Video commands: ``probe`` and ``frames``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.options import START_TIME_HELP, parse_size, parse_start_time
from framewise.cli.progress import frame_progress
from framewise.core.errors import ConfigError
from framewise.datasets.frames import ImageFormat, extract_frames
from framewise.sources.file import FileSource
from framewise.sources.probe import probe

VideoArg = Annotated[Path, typer.Argument(help="Video file (mkv, mp4, mov, avi, webm, ts, flv).")]
StartTimeOpt = Annotated[
    str | None,
    typer.Option(
        "--start-time",
        help=f"Wall-clock time of the first frame ({START_TIME_HELP}), overriding "
        "the container's creation_time and the file's mtime.",
    ),
]


def probe_command(
    video: VideoArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    start_time: StartTimeOpt = None,
    count_frames: Annotated[
        bool,
        typer.Option(
            "--count-frames", help="Read every packet for an exact frame count (demux only)."
        ),
    ] = False,
) -> None:
    """Show duration, frame count, fps, VFR, codec, size, rotation and session start."""
    info = probe(video, start_time=parse_start_time(start_time), count_frames=count_frames)
    fields = info.as_dict()
    if as_json:
        typer.echo(json.dumps(fields, indent=2))
        return
    width = max(len(k) for k in fields)
    for key, value in fields.items():
        typer.echo(f"{key:<{width}}  {value}")


def frames_command(
    video: VideoArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for images and frames.csv.")],
    fps: Annotated[
        float, typer.Option("--fps", help="Frames per second to extract, by time.", min=0.001)
    ] = 10.0,
    size: Annotated[
        str | None, typer.Option("--size", help="Scale to WIDTHxHEIGHT, e.g. 1920x1080.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="jpg or png.")] = "jpg",
    quality: Annotated[int, typer.Option("--quality", min=1, max=100, help="JPEG quality.")] = 95,
    start: Annotated[float, typer.Option("--start", min=0, help="Start at this video second.")] = 0,
    end: Annotated[float | None, typer.Option("--end", help="Stop at this video second.")] = None,
    start_time: StartTimeOpt = None,
) -> None:
    """Extract frames for labelling, with a CSV of frame index, video time and wall time.

    Re-running into the same folder after an interruption resumes where it stopped.
    """
    if fmt not in ("jpg", "png"):
        raise typer.BadParameter("use jpg or png", param_hint="--format")
    if end is not None and end <= start:
        # An empty range is a typo, not a request for no frames ("wrote 0 frames", exit 0).
        raise ConfigError(
            f"--end {end:g} is not after --start {start:g}",
            hint="give --end later than --start, or leave --end out to read to the end",
        )
    wall: datetime | None = parse_start_time(start_time)
    source = FileSource(
        video, sample_fps=fps, size=parse_size(size), start=start, end=end, session_start=wall
    )
    duration = (end if end is not None else (source.duration or 0.0)) - start
    total = max(1, round(duration * fps))
    fmt_checked: ImageFormat = "jpg" if fmt == "jpg" else "png"
    with frame_progress(f"frames {video.name}", total) as advance:
        report = extract_frames(source, out, fmt=fmt_checked, quality=quality, on_frame=advance)
    stats = report.stats
    resumed = f" (resumed after {report.resumed_from})" if report.resumed_from else ""
    typer.echo(
        f"wrote {report.written} frames{resumed} to {report.out_dir}, index {report.csv_path} "
        f"(decoded {stats.decoded}, gaps {stats.gaps}, corrupt packets {stats.corrupt_packets}"
        f"{', file truncated' if stats.truncated else ''})"
    )


def register(app: typer.Typer) -> None:
    """Add the video commands to ``app``."""
    app.command("probe")(probe_command)
    app.command("frames")(frames_command)
