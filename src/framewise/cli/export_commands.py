"""``framewise export``: reviewed event logs → a YOLO, CVAT or COCO dataset (+ frames to label).

``--format srt`` writes a text run's lines as subtitles instead (what ``framewise srt`` writes).
Recording session folders (``session.json``) export as ``framewise export-session`` does:
``--format yolo`` (key frames with ball boxes) or ``parquet`` (trajectories, ``--out`` a file).
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.annotate_commands import export_annotations
from framewise.cli.progress import frame_progress
from framewise.cli.record_commands import export_sessions, is_session
from framewise.config.pipeline import load_pipeline
from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.datasets.annotation_labels import annotation_folders
from framewise.datasets.collect import Collected, ExportSettings, collect
from framewise.datasets.formats import FORMATS
from framewise.events.log import read_event_log
from framewise.events.sinks import LOG_NAME
from framewise.profiles import PROFILES, profile_pipeline

TO_LABEL = "to_label"
SRT = "srt"
"""``--format srt``: a text run's lines as subtitles (not a dataset format)."""
TASKS = "tasks.json"


def find_logs(paths: list[Path]) -> list[Path]:
    """Event logs named directly, or every ``events.json`` under a folder.

    Raises:
        InputNotFoundError: A path is missing, or a folder holds no event log.
    """
    logs: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob(LOG_NAME))
            if not found:
                raise InputNotFoundError(
                    f"no {LOG_NAME} under this folder",
                    subject=path,
                    hint="pass the output folder of `framewise process`",
                )
            logs += found
        elif path.is_file():
            logs.append(path)
        else:
            raise InputNotFoundError("no such event log or folder", subject=path)
    return logs


def class_order(classes: str | None, logs: list[Path]) -> tuple[str, ...]:
    """Class names of ``--classes`` (a model or a profile), else of the logs' profile model."""
    from framewise.detectors.yolo_onnx import YoloOnnxDetector

    if classes is None:
        profile = read_event_log(logs[0]).metadata.pipeline if logs else None
        if profile not in PROFILES:
            return ()
        classes = profile
    if classes in PROFILES:
        config = load_pipeline(profile_pipeline(classes))
        models = [m for d in config.detectors if (m := d.model_path()) is not None]
        if not models:
            return ()
        model = Path(models[0])
    else:
        model = Path(classes)
    with YoloOnnxDetector(model) as detector:
        return tuple(detector.names)


def export_command(
    logs: Annotated[
        list[Path],
        typer.Argument(
            help="Reviewed event logs (events.json), or folders holding them; or `framewise "
            "annotate` output folders (their frames and boxes; COCO keeps the masks)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The dataset folder to write.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help=f"One of: {', '.join(FORMATS)}; or {SRT} (one text run's lines as subtitles, "
            "--out the .srt file; as `framewise srt`).",
        ),
    ] = "yolo",
    video: Annotated[
        Path | None,
        typer.Option("--video", help="The video of a single log, when not where the log says."),
    ] = None,
    negatives: Annotated[
        float,
        typer.Option("--negatives", min=0.0, max=0.9, help="Share of images with nothing to find."),
    ] = 0.1,
    val_share: Annotated[
        float,
        typer.Option("--val-share", min=0.0, max=0.9, help="Share of sessions kept for val."),
    ] = 0.2,
    min_confidence: Annotated[
        float,
        typer.Option("--min-confidence", min=0.0, max=1.0, help="Leave weaker boxes out."),
    ] = 0.0,
    approved_only: Annotated[
        bool, typer.Option("--approved-only", help="Only events a reviewer approved.")
    ] = False,
    context: Annotated[
        float,
        typer.Option(
            "--context",
            min=0.0,
            help="Also label frames this many seconds around a kept event that show the "
            "same classes (0: the event's frame only).",
        ),
    ] = 1.0,
    classes: Annotated[
        str | None,
        typer.Option(
            "--classes",
            help="Class order: an ONNX model or a profile (default: the logs' profile "
            "model). Keep it the retrained model's, so class ids keep their meaning.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split and negatives.")] = 0,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a dataset already in --out.")
    ] = False,
) -> None:
    """Export reviewed events as labelled frames: the boxes behind each kept event.

    Frames where a reviewer added a missed event (without drawing its box) or deleted a false
    one are not guessed at: they go to OUT/to_label/ as a CVAT task with the model's boxes
    pre-filled, listed in OUT/tasks.json; label them in CVAT, then `framewise import-labels`.
    """
    if any(is_session(path) for path in logs):  # `framewise record` sessions (W1)
        typer.echo(_export_sessions(logs, out, fmt, val_share, overwrite))
        return
    if fmt == SRT:
        typer.echo(_export_srt(logs, out))
        return
    if fmt not in FORMATS:
        raise ConfigError(
            f"--format {fmt!r} is unknown", hint=f"use one of {', '.join(FORMATS)}, {SRT}"
        )
    folders = annotation_folders(logs)  # `framewise annotate` output: frames with masks
    if folders is not None:
        typer.echo(export_annotations(folders, out, fmt, min_confidence, val_share, overwrite))
        return
    found = find_logs(logs)
    settings = ExportSettings(
        negatives,
        val_share,
        seed,
        min_confidence,
        approved_only,
        context_seconds=context,
        names=class_order(classes, found),
    )
    staging = out.parent / f".{out.name}.frames"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with frame_progress("logs", total=len(found)) as update:
            collected = collect(
                found, staging, settings, video=video, progress=lambda done, _: update(done)
            )
        if not collected.labels.images:
            raise ConfigError(
                "nothing to export: no kept event has a journaled frame",
                hint="process the videos first, and review their events",
            )
        FORMATS[fmt].write(collected.labels, out, overwrite)
        _write_tasks(collected, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    typer.echo(_summary(collected, fmt, out))


def _export_sessions(
    sessions: list[Path], out: Path, fmt: str, val_share: float, overwrite: bool
) -> str:
    """Recorded sessions: what `framewise export-session` writes (yolo or parquet).

    Raises:
        ConfigError: Sessions were given with event logs or other folders.
    """
    others = [p for p in sessions if not is_session(p)]
    if others:
        raise ConfigError(
            "recorded sessions and other inputs cannot be exported together",
            subject=others[0],
            hint="export the session folders (with session.json) on their own",
        )
    # --val-share as export-session's --val-every: 0.2 is every 5th episode; 0 puts none in
    # val (no session holds a billion episodes).
    val_every = max(2, round(1 / val_share)) if val_share > 0 else 10**9
    return export_sessions(sessions, out, fmt, val_every, overwrite)


def _export_srt(logs: list[Path], out: Path) -> str:
    """``--format srt``: one text run's subtitles, written by `framewise srt`'s own code.

    Raises:
        ConfigError: More than one event log was given.
    """
    from framewise.cli.profile_commands import write_log_srt

    found = find_logs(logs)
    if len(found) != 1:
        raise ConfigError(
            f"--format {SRT} writes one event log's subtitles; {len(found)} logs given",
            subject=logs[0],
            hint="export each text run on its own, --out one .srt each",
        )
    return write_log_srt(found[0], out)


def _write_tasks(collected: Collected, out: Path) -> None:
    """The frames still to label: a CVAT task and the list of why each is there."""
    tasks_dir = out / TO_LABEL
    if tasks_dir.exists():
        shutil.rmtree(tasks_dir)
    if collected.to_label.images:
        FORMATS["cvat"].write(collected.to_label, tasks_dir, True)
    write_json(out / TASKS, {"tasks": [asdict(task) for task in collected.tasks]})


def _summary(collected: Collected, fmt: str, out: Path) -> str:
    labels = collected.labels
    lines = [f"{fmt} dataset: {out}"]
    for split in ("train", "val"):
        images = labels.in_split(split)
        boxes = sum(len(i.boxes) for i in images)
        empty = sum(1 for i in images if not i.boxes)
        lines.append(f"  {split:<5} {len(images):>5} images, {boxes:>6} boxes, {empty} negatives")
    lines.append(f"  classes: {', '.join(labels.names)}")
    if collected.tasks:
        lines.append(
            f"  {len(collected.tasks)} frames to label: {out / TO_LABEL} (CVAT task), {out / TASKS}"
        )
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``export`` to ``app``."""
    app.command("export")(export_command)
