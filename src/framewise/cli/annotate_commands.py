"""``framewise annotate`` (videos → tags, boxes, masks, CLIP features) and ``framewise search``.

``annotate`` runs the pipeline YAML's stages (typically gate → tagger → open-vocabulary
detector → segmenter → clip_features) through the one batch runner, one run folder per video
(``OUTPUT/<video stem>/``: ``annotations.json``, the embeddings Parquet files, the journal it
resumes from). ``search`` ranks the annotated frames and objects by CLIP similarity to a text.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated, Any

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
from framewise.cli.options import input_videos, load_pipeline_option
from framewise.cli.progress import frame_progress
from framewise.config.pipeline import AnnotationsSinkConfig, PipelineConfig
from framewise.core.errors import ConfigError
from framewise.events.annotation_search import SearchHit, search_annotations
from framewise.pipeline.batch import iter_videos
from framewise.pipeline.runner import Pipeline, VideoRun

DEVICES = ("auto", "cpu", "cuda")


def annotation_config(
    config: PipelineConfig, *, batch_size: int | None, device: str | None
) -> PipelineConfig:
    """``config`` with ``--batch-size``, ``--device`` and an ``annotations`` sink.

    Raises:
        ConfigError: ``device`` is not one of :data:`DEVICES`.
    """
    update: dict[str, Any] = {}
    if batch_size is not None:
        update["source"] = config.source.model_copy(update={"batch_size": batch_size})
    if device is not None:
        if device not in DEVICES:
            raise ConfigError(
                f"--device {device!r} is not one of {DEVICES}", hint="use cpu, cuda or auto"
            )
        update["detectors"] = [
            d.model_copy(update={"device": device}) if "device" in type(d).model_fields else d
            for d in config.detectors
        ]
    if not any(s.kind == "annotations" for s in config.sinks):
        update["sinks"] = [*config.sinks, AnnotationsSinkConfig(kind="annotations")]
    return config.model_copy(update=update)


def _line(run: VideoRun) -> str:
    summary_path = run.log_path.parent / "annotations.json"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))["summary"]
    except (OSError, ValueError, KeyError):
        return f"{run.video.name}: no annotations written"
    state = "already complete, skipped" if run.skipped else f"{run.wall_seconds:.1f} s"
    return (
        f"{run.video.name}: {summary['frames_annotated']} frames annotated, "
        f"{summary['frames_skipped']} skipped by the gate, {summary['objects']} objects "
        f"({state}) → {summary_path.parent}"
    )


def annotate_command(
    config: Annotated[Path, typer.Option("--config", help="The annotation pipeline YAML.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder of the per-video annotation folders.")
    ],
    video: Annotated[Path | None, typer.Option("--video", help="One video file.")] = None,
    video_dir: Annotated[
        Path | None, typer.Option("--video-dir", help="Every video in this folder.")
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            max=1024,
            help=(
                "Frames per batch: each stage calls its model once per batch, with at most its "
                "own batch_size images per call. On a CPU more frames per call are not faster "
                "and full-size models need GBs per frame: keep it small there."
            ),
        ),
    ] = None,
    device: Annotated[
        str | None, typer.Option("--device", help="cpu, cuda or auto (default: the YAML's).")
    ] = None,
    sample_fps: Annotated[
        float | None,
        typer.Option("--sample-fps", help="Frames per second of video time sent to the stages."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--overwrite", help="Start over where an annotation folder exists."),
    ] = False,
    executor: ExecutorOption = "local",
    address: AddressOption = None,
    workers: WorkersOption = None,
) -> None:
    """Annotate videos with tags, open-vocabulary boxes, masks and CLIP features, in batches.

    Each video gets OUTPUT/<video stem>/ with annotations.json (schema_version, per frame:
    number, time, tags, detections with box, score, label, COCO RLE mask), the embeddings in
    Parquet, and the journal a rerun resumes from (nothing is repeated or duplicated).
    """
    if (video is None) == (video_dir is None):
        raise ConfigError(
            "give exactly one of --video and --video-dir",
            hint="e.g. --video clip.mp4 or --video-dir recordings/",
        )
    loaded = load_pipeline_option(None, config, sample_fps)
    pipeline_config = annotation_config(loaded, batch_size=batch_size, device=device)
    if uses_executor(executor, workers, address):
        batch = videos_on_executor(
            open_executor(executor, workers, address),
            pipeline_config,
            handed_out_videos(video, video_dir),
            output,
            force=force,
        )
        for run in batch.runs:
            typer.echo(_line(run))
        if batch.failed:
            raise typer.Exit(3)
        return
    videos = input_videos(video, video_dir)
    pipeline = Pipeline(pipeline_config)
    try:
        for run in iter_videos(pipeline, videos, output, force=force, progress=frame_progress):
            typer.echo(_line(run))
    finally:
        pipeline.close()


def search_command(
    text: Annotated[str, typer.Argument(help='What to look for, e.g. "a red car".')],
    index: Annotated[
        Path, typer.Option("--index", help="An annotate --output folder (or one video's).")
    ],
    top: Annotated[int, typer.Option("--top", min=1, max=10000, help="Hits to show.")] = 10,
    model: Annotated[
        str | None,
        typer.Option("--model", help="CLIP folder (default: the run's clip_features model)."),
    ] = None,
    only: Annotated[str, typer.Option("--only", help="all, frames or objects.")] = "all",
    crops: Annotated[
        Path | None,
        typer.Option("--crops", help="Also write each hit's frame or crop as a JPEG here."),
    ] = None,
) -> None:
    """Rank annotated frames and objects by CLIP text–image similarity."""
    if only not in ("all", "frames", "objects"):
        raise ConfigError(
            f"--only {only!r} is not all, frames or objects", hint="e.g. --only objects"
        )
    hits = search_annotations(text, index, model=model, top=top, kind=only)
    for rank, hit in enumerate(hits, start=1):
        what = "frame" if hit.object_id is None else f"{hit.label} {hit.object_id}"
        box = "" if hit.box is None else " box " + ",".join(f"{v:.0f}" for v in hit.box)
        where = f"{Path(hit.video).name} @ {hit.timestamp:.3f} s"
        line = f"{rank:>3}. {hit.score:.3f}  {where}  {what}{box}"
        if crops is not None:
            line += f"  → {write_crop(hit, crops, rank)}"
        typer.echo(line)
    if not hits:
        typer.echo("no annotated frames or objects to rank", err=True)


def write_crop(hit: SearchHit, folder: Path, rank: int) -> Path | str:
    """The hit's frame (or its object's crop) as ``folder/<rank>.jpg``, decoded from the video."""
    import cv2

    from framewise.sources.stills import pictures_at

    pictures = pictures_at(hit.video, [hit.timestamp])
    try:
        found = next((picture for _, picture in pictures), None)
    finally:
        pictures.close()
    if found is None:
        return "(frame not decodable)"
    if hit.box is not None:
        x1, y1, x2, y2 = (round(v) for v in hit.box)
        found = found[max(y1, 0) : max(y2, y1 + 1), max(x1, 0) : max(x2, x1 + 1)]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rank:03d}.jpg"
    cv2.imwrite(str(path), found)
    return path


def export_annotations(
    folders: list[Path],
    out: Path,
    fmt: str,
    min_confidence: float,
    val_share: float,
    overwrite: bool,
) -> str:
    """Write annotation folders as a ``fmt`` dataset (COCO keeps the masks); a summary line.

    Raises:
        ConfigError: No annotated frame has a box to export.
    """
    from framewise.datasets.annotation_labels import labels_from_annotations
    from framewise.datasets.formats import FORMATS

    staging = out.parent / f".{out.name}.frames"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        labels = labels_from_annotations(
            folders, staging, min_confidence=min_confidence, val_share=val_share
        )
        if not labels.images:
            raise ConfigError(
                "nothing to export: no annotated frame has a box",
                hint="lower --min-confidence, or annotate with a detector stage",
            )
        FORMATS[fmt].write(labels, out, overwrite)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    masks = sum(b.mask is not None for image in labels.images for b in image.boxes)
    return (
        f"exported {len(labels.images)} frames, {labels.box_count()} boxes ({masks} with masks) "
        f"from {len(folders)} annotated video(s) as {fmt} → {out}"
    )


DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
"""The demo's clip (CC BY 4.0, see its NOTICE.md) and annotation pipeline."""


def annotate_demo(out: Path) -> None:
    """Workflow W3 in the demo: annotate the bundled people clip with the shipped models."""
    from framewise.config.pipeline import load_pipeline

    video = DEMO_DATA / "people.mp4"
    pipeline = Pipeline(load_pipeline(DEMO_DATA / "annotate.yaml"))
    try:
        for run in iter_videos(pipeline, [video], out, force=True, progress=frame_progress):
            typer.echo(
                "annotation (W3, HOG people + RapidOCR text boxes, MediaPipe selfie masks on "
                "people, GrabCut on text): " + _line(run)
            )
    finally:
        pipeline.close()
    typer.echo(
        "foundation models (CLIP tagger, Grounding DINO / OWLv2, SAM, CLIP features) run "
        "when a config points at their folders: see README, 'Batched annotation (W3)'"
    )


def register(app: typer.Typer) -> None:
    """Add ``annotate`` and ``search`` to ``app``."""
    app.command("annotate")(annotate_command)
    app.command("search")(search_command)
