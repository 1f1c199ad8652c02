"""``framewise process``: videos → event logs with thumbnails (batch mode)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.options import load_pipeline_option, parse_start_time
from framewise.cli.progress import frame_progress
from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError
from framewise.pipeline.runner import Pipeline, VideoRun
from framewise.sources.directory import videos_by_start
from framewise.sources.probe import probe

SESSION_TYPES = ("stream", "practice", "casual")


def process_command(
    video: Annotated[Path | None, typer.Option("--video", help="One video file.")] = None,
    video_dir: Annotated[
        Path | None,
        typer.Option("--video-dir", help="Every video in this folder, in session-start order."),
    ] = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Folder for the logs: OUTPUT/<video name>/events.json."
        ),
    ] = Path("events"),
    profile: Annotated[
        str | None, typer.Option("--profile", help="A bundled profile, e.g. tarkov.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="A pipeline YAML file (instead of --profile).")
    ] = None,
    start_time: Annotated[
        str | None,
        typer.Option(
            "--start-time",
            help="Wall time of the first frame (ISO-8601); else the container's "
            "creation_time, else the file's mtime.",
        ),
    ] = None,
    session_type: Annotated[
        str, typer.Option("--session-type", help="stream, practice or casual.")
    ] = "stream",
    detection_fps: Annotated[
        float | None,
        typer.Option(
            "--detection-fps",
            min=0.01,
            help="Frames per second sent to the detectors (default: the pipeline's, 10).",
        ),
    ] = None,
    confidence_threshold: Annotated[
        float | None,
        typer.Option(
            "--confidence-threshold",
            min=0.0,
            max=1.0,
            help="Detector confidence threshold (default: the pipeline's).",
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model", help="Run this ONNX model in the pipeline's yolo_onnx detector instead."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Process again even where a complete log exists.")
    ] = False,
) -> None:
    """Process recordings into JSON event logs with a thumbnail per event.

    Interrupted runs resume where they stopped (run the same command again); videos with a
    complete log are skipped unless --force.
    """
    if (video is None) == (video_dir is None):
        raise ConfigError(
            "give exactly one of --video and --video-dir",
            hint="e.g. --video stream.mkv or --video-dir recordings/",
        )
    if session_type not in SESSION_TYPES:
        raise ConfigError(
            f"--session-type {session_type!r} is not one of {SESSION_TYPES}",
            hint="use stream, practice or casual",
        )
    wall = parse_start_time(start_time)
    if video_dir is not None and wall is not None:
        raise ConfigError(
            "--start-time applies to one video",
            hint="drop it; each file's own creation_time or mtime is used",
        )
    pipeline_config = load_pipeline_option(profile, config, detection_fps, model)
    if video is not None:
        videos = [video]
    else:
        infos, skipped = videos_by_start(video_dir or Path())
        videos = [Path(i.path) for i in infos]
        for unreadable in skipped:
            typer.echo(f"skipped (not a readable video): {unreadable}", err=True)
    pipeline = Pipeline(pipeline_config, confidence=confidence_threshold)
    runs: list[VideoRun] = []
    try:
        for path in videos:
            info = probe(path, start_time=wall)
            with frame_progress(f"{path.name} (video s)", round(info.duration_seconds)) as advance:
                run = pipeline.process_video(
                    path,
                    output / path.stem,
                    start_time=wall,
                    session_type=session_type,
                    force=force,
                    on_progress=lambda seconds: advance(round(seconds)),
                    info=info,
                )
            runs.append(run)
            typer.echo(_line(run))
    finally:
        pipeline.close()
    if len(runs) > 1:
        summary = _summary(runs)
        write_json(output / "summary.json", summary)
        typer.echo(
            f"summary: {summary['events']} events in {len(runs)} videos "
            f"({summary['by_type']}) → {output / 'summary.json'}"
        )


def _line(run: VideoRun) -> str:
    if run.skipped:
        return f"{run.video.name}: already complete ({run.events} events) → {run.log_path}"
    speed = run.video_seconds / run.wall_seconds if run.wall_seconds else 0.0
    resumed = f", resumed at {run.resumed_at:.1f} s" if run.resumed_at is not None else ""
    types = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items())) or "none"
    return (
        f"{run.video.name}: {run.events} events ({types}); {run.frames} frames in "
        f"{run.wall_seconds:.1f} s = {speed:.1f}× real time{resumed} → {run.log_path}"
    )


def _summary(runs: list[VideoRun]) -> dict[str, object]:
    total: Counter[str] = Counter()
    for run in runs:
        total.update(run.counts)
    return {
        "videos": [
            {
                "video": str(r.video),
                "log": str(r.log_path),
                "events": r.events,
                "by_type": r.counts,
                "frames": r.frames,
                "skipped": r.skipped,
                "wall_seconds": round(r.wall_seconds, 3),
            }
            for r in runs
        ],
        "events": sum(total.values()),
        "by_type": dict(sorted(total.items())),
    }


def register(app: typer.Typer) -> None:
    """Add ``process`` to ``app``."""
    app.command("process")(process_command)
