"""``framewise process``: videos → event logs with thumbnails (batch mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.executor_options import (
    AddressOption,
    ExecutorOption,
    WorkersOption,
    handed_out_videos,
    open_executor,
    uses_executor,
    videos_on_executor,
)
from framewise.cli.options import (
    START_TIME_HELP,
    input_videos,
    load_pipeline_option,
    parse_start_time,
)
from framewise.cli.process_shards import SHARD_SEC_HELP, process_in_shards
from framewise.cli.progress import frame_progress
from framewise.config.pipeline import JsonLogSinkConfig, PipelineConfig
from framewise.core.errors import ConfigError
from framewise.pipeline.batch import BatchRun, iter_videos, run_line
from framewise.pipeline.runner import Pipeline
from framewise.pipeline.strategy import STRATEGIES
from framewise.profiles import PROFILES

SESSION_TYPES = ("stream", "practice", "casual")


def process_command(
    video: Annotated[Path | None, typer.Option("--video", help="One video file.")] = None,
    video_dir: Annotated[
        Path | None,
        typer.Option("--video-dir", help="Every video in this folder, in session-start order."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder for the run folders: OUTPUT/<video name>/events.json "
            "(default: the json_log sink's output_dir, else ./events).",
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            # From the registry, so a new profile is named here without an edit.
            help=f"A bundled profile: {', '.join(PROFILES)}; `framewise profiles` says what "
            "each does (scenes, motion and text run on any footage).",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="A pipeline YAML file (instead of --profile).")
    ] = None,
    start_time: Annotated[
        str | None,
        typer.Option(
            "--start-time",
            help=f"Wall time of the first frame ({START_TIME_HELP}); else the container's "
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
        bool,
        typer.Option(
            "--overwrite",
            "--force",
            help="Start over where a run folder exists (a complete run, or one made with "
            "another configuration, which is otherwise refused).",
        ),
    ] = False,
    executor: ExecutorOption = "local",
    address: AddressOption = None,
    workers: WorkersOption = None,
    shard_sec: Annotated[
        float | None, typer.Option("--shard-sec", help=SHARD_SEC_HELP, show_default=False)
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option(
            "--strategy",
            help="dense (every sampled frame) or coarse-to-fine (keyframes first, frames "
            "decoded only where they changed); default: the pipeline's strategy.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Process recordings into JSON event logs with a thumbnail per event.

    Each video gets a run folder (log, thumbnails, journal, resolved config, manifest).
    Interrupted runs resume where they stopped (run the same command again); complete runs
    are skipped; a run folder made with another configuration is refused unless --overwrite.
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
    pipeline_config = with_strategy(
        load_pipeline_option(profile, config, detection_fps, model), strategy
    )
    if shard_sec is not None:
        if strategy == "coarse-to-fine":
            raise ConfigError(
                "--shard-sec reads every shard densely; coarse-to-fine is a whole-file read",
                subject="--strategy",
                hint="drop --shard-sec, or drop --strategy (shards are read densely)",
            )
        if pipeline_config.strategy.kind != "dense":
            typer.echo("--shard-sec: every shard is read densely (the pipeline's strategy is not)")
            pipeline_config = with_strategy(pipeline_config, "dense")
        process_in_shards(
            video,
            pipeline_config,
            shard_sec,
            output if output is not None else _default_output(pipeline_config),
            executor=executor,
            workers=workers,
            address=address,
            confidence=confidence_threshold,
            session_type=session_type,
            force=force,
            start_time=wall,
        )
        return
    if uses_executor(executor, workers, address):
        # Work handed out: each worker probes and reads its own videos (one that is not a
        # video fails its own task), so the driver only lists the folder.
        videos = handed_out_videos(video, video_dir)
        out = output if output is not None else _default_output(pipeline_config)
        batch = videos_on_executor(
            open_executor(executor, workers, address),
            pipeline_config,
            videos,
            out,
            confidence=confidence_threshold,
            session_type=session_type,
            force=force,
            start_time=wall,
        )
        for run in batch.runs:
            typer.echo(run_line(run))
        _echo_batch_summary(batch, out)
        if batch.failed:
            raise typer.Exit(3)
        return
    videos = input_videos(video, video_dir)
    out = output if output is not None else _default_output(pipeline_config)
    pipeline = Pipeline(pipeline_config, confidence=confidence_threshold)
    batch = BatchRun()
    try:
        runs = iter_videos(
            pipeline,
            videos,
            out,
            start_time=wall,
            session_type=session_type,
            force=force,
            progress=frame_progress,
        )
        for run in runs:
            batch.runs.append(run)
            typer.echo(run_line(run))
    finally:
        pipeline.close()
    _echo_batch_summary(batch, out)


def with_strategy(config: PipelineConfig, strategy: str | None) -> PipelineConfig:
    """``config`` read with ``--strategy`` (unchanged without one).

    Raises:
        ConfigError: ``strategy`` is not one of :data:`STRATEGIES`.
    """
    if strategy is None:
        return config
    if strategy not in STRATEGIES:
        raise ConfigError(
            f"--strategy {strategy!r} is not a read strategy",
            subject="--strategy",
            hint=f"use one of: {', '.join(STRATEGIES)}",
        )
    chosen = config.strategy.model_copy(update={"kind": strategy})
    return config.model_copy(update={"strategy": chosen})


def _echo_batch_summary(batch: BatchRun, out: Path) -> None:
    """Write and print ``summary.json`` for two or more videos (or any failure)."""
    if len(batch.runs) + len(batch.failed) > 1:
        summary = batch.summary()
        path = batch.write_summary(out)
        failed = f", {len(batch.failed)} failed" if batch.failed else ""
        typer.echo(
            f"summary: {summary['events']} events in {len(batch.runs)} videos{failed} "
            f"({summary['by_type']}) → {path}"
        )


def _default_output(config: PipelineConfig) -> Path:
    """The ``json_log`` sink's ``output_dir``, else ``events``."""
    for sink in config.sinks:
        if isinstance(sink, JsonLogSinkConfig):
            return sink.output_dir
    return Path("events")


def register(app: typer.Typer) -> None:
    """Add ``process`` to ``app``."""
    app.command("process")(process_command)
