"""Parsers for command-line values, raising ConfigError with the flag and the fix."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import typer
from pydantic import ValidationError

from framewise.config.pipeline import PipelineConfig, load_pipeline
from framewise.core.errors import ConfigError
from framewise.core.time import parse_iso8601, utc
from framewise.profiles import profile_pipeline
from framewise.sources.directory import videos_by_start

_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def parse_size(text: str | None) -> tuple[int, int] | None:
    """Parse ``WIDTHxHEIGHT`` (e.g. ``1920x1080``); ``None`` passes through."""
    if text is None:
        return None
    match = _SIZE.match(text)
    if not match or 0 in (int(match[1]), int(match[2])):
        raise ConfigError(f"--size {text!r} is not WIDTHxHEIGHT", hint="write it like 1920x1080")
    return int(match[1]), int(match[2])


START_TIME_HELP = "ISO-8601, e.g. 2026-01-15T19:00:00+01:00; without a zone, local time"
"""How every ``--start-time`` reads its value, as its help says it."""


def parse_start_time(text: str | None) -> datetime | None:
    """Parse ``--start-time`` as ISO-8601 (to UTC); ``None`` passes through.

    A time without a zone is taken in the local zone, as a person reading a clock means
    it (it was taken as UTC, silently); one line on stderr says so, with the offset used.
    """
    if text is None:
        return None
    try:
        parsed = parse_iso8601(text)
    except ConfigError as error:
        raise ConfigError(f"--start-time: {error.message}", hint=error.hint) from None
    value = text.strip()
    if value.endswith(("Z", "z")) or datetime.fromisoformat(value).tzinfo is not None:
        return parsed
    local = datetime.fromisoformat(value).astimezone()  # the local zone's rules on that date
    typer.echo(f"--start-time has no zone; taken as local time (UTC{_offset(local)})", err=True)
    return utc(local)


def _offset(moment: datetime) -> str:
    """``+01:00`` for a time one hour ahead of UTC."""
    minutes = round((moment.utcoffset() or timedelta()).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def load_pipeline_option(
    profile: str | None,
    config: Path | None,
    detection_fps: float | None,
    model: Path | None = None,
) -> PipelineConfig:
    """The pipeline of ``--profile`` or ``--config``, with ``--detection-fps`` and ``--model``.

    Raises:
        ConfigError: Neither or both were given, the file is invalid, or ``--model`` is given
            to a pipeline without a ``yolo_onnx`` detector.
    """
    if (profile is None) == (config is None):
        raise ConfigError(
            "give exactly one of --profile and --config",
            hint="e.g. --profile tarkov, or --config my_pipeline.yaml",
        )
    loaded = load_pipeline(config if config is not None else profile_pipeline(profile or ""))
    if model is not None:
        loaded = with_model(loaded, model)
    if detection_fps is None:
        return loaded
    settings = {**loaded.source.model_dump(), "detection_fps": detection_fps}
    try:  # validated like the YAML's own value (finite, > 0, ≤ 1000), not merely copied in
        source = type(loaded.source).model_validate(settings)
    except ValidationError as exc:
        raise ConfigError(
            f"{detection_fps} is not a frame rate here: {exc.errors()[0]['msg'].lower()}",
            subject="--detection-fps",
            hint="give frames per second of video time, e.g. --detection-fps 5",
        ) from None
    return loaded.model_copy(update={"source": source})


def with_model(pipeline: PipelineConfig, model: Path) -> PipelineConfig:
    """``pipeline`` with its first model stage running ``model`` instead (e.g. a retrain).

    A model stage is one whose config has a model file (``model_path()``), e.g. ``yolo_onnx``.

    Raises:
        ConfigError: The pipeline has no model stage, or ``model`` is no file.
    """
    if not model.is_file():
        raise ConfigError("no such model file", subject=model, hint="pass an exported .onnx")
    detectors = list(pipeline.detectors)
    for n, detector in enumerate(detectors):
        if detector.model_path() is not None:
            detectors[n] = detector.with_model_path(model.resolve())
            return pipeline.model_copy(update={"detectors": detectors})
    raise ConfigError(
        "--model replaces a yolo_onnx detector, and this pipeline has none",
        hint="edit the model path in the pipeline YAML instead",
    )


def input_videos(video: Path | None, video_dir: Path | None) -> list[Path]:
    """``--video``, or ``--video-dir``'s readable videos by start time (others named on stderr)."""
    if video is not None:
        return [video]
    infos, unreadable = videos_by_start(video_dir or Path())
    for path in unreadable:
        typer.echo(f"skipped (not a readable video): {path}", err=True)
    return [Path(info.path) for info in infos]
