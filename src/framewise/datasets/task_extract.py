"""``framewise features extract``: videos → per-frame task features → one Parquet per video.

It runs on the pipeline's own parts: the video's source (PyAV, presentation times), the
stage chain built from stage configs (``pose``, ``hands``, ``yolo_onnx``) and
:class:`~framewise.pipeline.core.RunCore`, whose sinks here are one
:class:`FeatureTableSink`. Frames are sampled by time (``sample_fps``, the default) or every
Nth frame (``sample_rate``, the seed's flag). The table is written atomically when the
stream ends, so an interrupted run leaves nothing half-written; a folder run skips the videos
whose table exists with the same parameters, and goes on past a video that fails.

Example:
    >>> settings = ExtractSettings(detector="pose", sample_fps=10.0)
    >>> extract_video(Path("walk.mp4"), Path("features/walk.parquet"), settings)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from framewise.config.base import FileSourceConfig
from framewise.config.detectors import HandsConfig, PoseConfig, StageConfig, YoloOnnxConfig
from framewise.config.pipeline import PipelineConfig
from framewise.core.errors import ConfigError, FramewiseError, InputError
from framewise.datasets.task_labels import TaskLabels
from framewise.datasets.task_line import Precomputed, StageLine
from framewise.datasets.task_table import row, table_params, write_feature_table
from framewise.detectors.pose import overlap_landmarks
from framewise.events.sinks import RunResult, RunTotals
from framewise.features.task import TaskFeatures
from framewise.pipeline.chain import DetectorChain, build_chain
from framewise.pipeline.core import RunCore
from framewise.pipeline.step import FrameStep
from framewise.sources.probe import probe
from framewise.sources.registry import open_source
from framewise.temporal.engine import EventEngine

log = logging.getLogger(__name__)

Detector = Literal["pose", "hands", "yolo", "fusion"]
VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".avi", ".mov", ".webm", ".m4v", ".ts"})
PEOPLE = {"pose", "hands", "fusion"}


@dataclass(frozen=True)
class ExtractSettings:
    """How features are extracted (stored in each table; a rerun with others is refused).

    Attributes:
        detector: ``pose``, ``hands``, ``yolo`` (objects only) or ``fusion`` (pose and
            hands, plus objects when ``model`` is given).
        sample_fps: Frames per second of video time kept (by presentation time).
        sample_rate: Keep every Nth decoded frame instead (``None``: sample by time).
        model: The ``yolo_onnx`` model of ``yolo`` and ``fusion``.
        batch_size: Frames per stage call.
    """

    detector: Detector = "pose"
    sample_fps: float = 10.0
    sample_rate: int | None = None
    model: Path | None = None
    batch_size: int = 8

    def stages(self) -> list[StageConfig]:
        """The stage configs of :attr:`detector`, in cascade order."""
        if self.detector == "yolo" and self.model is None:
            raise ConfigError(
                "--detector yolo needs an object model",
                subject="--model",
                hint="give --model path/to/yolo.onnx, or use --detector pose",
            )
        stages: list[StageConfig] = []
        if self.detector in ("pose", "fusion"):
            stages.append(PoseConfig(kind="pose"))
        if self.detector in ("hands", "fusion"):
            stages.append(HandsConfig(kind="hands"))
        if self.model is not None and self.detector in ("yolo", "fusion"):
            stages.append(YoloOnnxConfig(kind="yolo_onnx", model=self.model))
        return stages

    def params(self) -> dict[str, Any]:
        """The settings as JSON-ready values (the table's metadata)."""
        values = asdict(self)
        values["model"] = str(self.model) if self.model is not None else None
        values.pop("batch_size")  # speed only: the same rows come out
        return values


@dataclass
class ExtractResult:
    """What one video's extraction did."""

    video: Path
    output: Path
    frames: int = 0
    with_person: int = 0
    labelled: int = 0
    skipped: bool = False
    error: str | None = None


@dataclass
class FeatureTableSink:
    """A pipeline sink that turns each processed frame into a feature row.

    The rows are written (atomically) when the stream's totals arrive, so a run stopped
    early writes nothing; :meth:`close` without totals drops the rows.
    """

    path: Path
    video_id: str
    params: dict[str, Any]
    labels: TaskLabels | None = None
    features: TaskFeatures = field(default_factory=TaskFeatures)
    rows: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False

    def write(self, result: RunResult) -> None:
        """Add the frame's row; write the table at the end of the stream."""
        frame, output = result.frame, result.output
        if frame is not None and output is not None:
            found = self.features.update(
                frame.seconds, output.detections, frame.width, frame.height
            )
            label = (
                self.labels.at(frame_index=frame.index, seconds=frame.seconds)
                if self.labels
                else None
            )
            self.rows.append(row(self.video_id, frame.index, frame.wall_time, found, label))
        if result.totals is not None:
            write_feature_table(self.path, self.rows, self.params)
            self.written = True

    def flush(self) -> None:
        """Nothing to make durable before the end (the table is written whole)."""

    def close(self) -> None:
        """Drop what was not written."""
        self.rows = [] if not self.written else self.rows


def landmark_chain(config: PipelineConfig) -> DetectorChain:
    """The chain of ``config`` with pose and hands run side by side (same results, sooner)."""
    chain = build_chain(config.detectors)
    chain.stages = overlap_landmarks(chain.stages)
    return chain


def _every_nth(batches: Any, rate: int) -> Any:
    for batch in batches:
        kept = [f for f in batch if f.index % rate == 0]
        if kept:
            yield kept


def extract_video(
    video: Path,
    output: Path,
    settings: ExtractSettings,
    labels: TaskLabels | None = None,
    *,
    force: bool = False,
    on_frame: Callable[[float], None] | None = None,
) -> ExtractResult:
    """Extract ``video``'s features into the table ``output``.

    A table already at ``output`` made with the same settings is kept (``skipped``).

    Raises:
        ConfigError: ``output`` holds a table made with other settings (and not ``force``).
        InputError: The video cannot be read, its labels name frames or times it lacks,
            or no person is found in any frame (``pose``, ``hands`` and ``fusion``).
    """
    params = settings.params()
    result = ExtractResult(video, output)
    if output.exists() and not force:
        if table_params(output) == params:
            result.skipped = True
            return result
        raise ConfigError(
            f"{output} was extracted with other settings",
            subject=output,
            hint="pass --force to extract it again, or choose another --output",
        )
    info = probe(video, count_frames=labels is not None and bool(labels.frames))
    if labels is not None:
        labels.check_video(info.frame_count, info.duration_seconds)
    stages = settings.stages()
    source_config = FileSourceConfig(
        detection_fps=settings.sample_fps,
        batch_size=settings.batch_size,
        read="all" if settings.sample_rate is not None else "sampled",
    )
    config = PipelineConfig(name="task-features", source=source_config, detectors=stages)
    # The stages run as a line of threads ahead of the run (pose on the next batch while
    # hands is on this one, features built meanwhile): the chain only hands their outputs on.
    chain = build_chain(config.detectors)
    ahead = Precomputed(chain)
    sink = FeatureTableSink(output, video.stem, params, labels)
    source = open_source(source_config, video, session_start=info.session_start)
    core = RunCore(FrameStep(ahead, EventEngine.from_config(config)), source.session_start, [sink])
    try:
        batches = source.read_batches(settings.batch_size)
        if settings.sample_rate is not None:
            batches = _every_nth(batches, settings.sample_rate)
        # closing(): a failure below stops the line's threads before the source is closed.
        with closing(StageLine(chain.stages).run(batches)) as line:
            for batch, outputs in line:
                ahead.give(batch, outputs)
                core.process(batch)
                if on_frame is not None:
                    on_frame(core.last_seconds)
        if settings.detector in PEOPLE and not any(
            r["pose_present"] or r["left_hand_present"] or r["right_hand_present"]
            for r in sink.rows
        ):
            raise InputError(
                f"no person or hand found in any of its {len(sink.rows)} sampled frames",
                subject=video,
                hint="task features need people in view; check the video or --detector",
            )
        core.finish(RunTotals(core.frames, core.last_seconds, source.stats.as_dict()))
    finally:
        source.close()
        core.close()
        chain.close()
    result.frames = len(sink.rows)
    result.with_person = sum(bool(r["pose_present"]) for r in sink.rows)
    result.labelled = sum(r["label"] is not None for r in sink.rows)
    return result


def videos_in(folder: Path) -> list[Path]:
    """The video files directly in ``folder``, by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)


def extract_folder(
    folder: Path,
    out_dir: Path,
    settings: ExtractSettings,
    labels_dir: Path | None = None,
    *,
    force: bool = False,
) -> list[ExtractResult]:
    """Extract every video of ``folder`` into ``out_dir/<stem>.parquet``.

    Videos whose table exists with the same settings are skipped (a rerun resumes); one that
    fails is reported in its result and the others go on. ``labels_dir`` holds
    ``<stem>.csv`` per video (a video without one is unlabelled).
    """
    results: list[ExtractResult] = []
    for video in videos_in(folder):
        output = out_dir / f"{video.stem}.parquet"
        csv = labels_dir / f"{video.stem}.csv" if labels_dir is not None else None
        try:
            labels = TaskLabels.read(csv) if csv is not None and csv.exists() else None
            results.append(extract_video(video, output, settings, labels, force=force))
        except FramewiseError as error:
            log.warning("%s: %s", video.name, error.message)
            results.append(ExtractResult(video, output, error=error.message))
    return results


def failed(results: Sequence[ExtractResult]) -> list[ExtractResult]:
    """The results that carry an error."""
    return [r for r in results if r.error is not None]
