"""``framewise features predict``: a trained task model over a video, batch or live replay.

The video runs through the same source, stages and :class:`~framewise.pipeline.core.RunCore`
as extraction, with a :class:`TaskPredictionSink` that builds each frame's features,
feeds :class:`~framewise.features.task_live.TaskPredictor` and collects ``task_segment``
spans. ``replay`` reads the file paced as a camera would deliver it (the ``replay`` source
kind, every frame kept); the frames, and so the segments, are the same as in batch.

Example:
    >>> run = predict_video(Path("walk.mp4"), Path("runs/t1"), ExtractSettings())  # doctest: +SKIP
    >>> [(s.label, s.start, s.end) for s in run.segments]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from framewise.config.base import FileSourceConfig
from framewise.config.pipeline import PipelineConfig
from framewise.core.atomic import write_json
from framewise.datasets.task_extract import ExtractSettings, landmark_chain
from framewise.events.sinks import RunResult, RunTotals
from framewise.features.task import TaskFeatures
from framewise.features.task_live import (
    Smoothing,
    TaskPrediction,
    TaskPredictor,
    TaskSegment,
    TaskSegments,
)
from framewise.features.task_model import OnnxTaskModel
from framewise.pipeline.core import RunCore
from framewise.pipeline.step import FrameStep
from framewise.sources.probe import probe
from framewise.sources.registry import open_source
from framewise.temporal.engine import EventEngine


@dataclass
class TaskPredictionSink:
    """A pipeline sink: frame features → predictions → segments."""

    predictor: TaskPredictor
    on_prediction: Callable[[TaskPrediction], None] | None = None
    features: TaskFeatures = field(default_factory=TaskFeatures)
    segments: TaskSegments = field(default_factory=TaskSegments)
    predictions: list[TaskPrediction] = field(default_factory=list)
    closed: list[TaskSegment] = field(default_factory=list)

    def write(self, result: RunResult) -> None:
        """Predict on a processed frame; close the last segment at the end of the stream."""
        frame, output = result.frame, result.output
        if frame is not None and output is not None:
            row = self.features.update(frame.seconds, output.detections, frame.width, frame.height)
            prediction = self.predictor.update(frame.seconds, row.vector())
            if prediction is not None:
                self.predictions.append(prediction)
                self.closed.extend(self.segments.update(prediction))
                if self.on_prediction is not None:
                    self.on_prediction(prediction)
        if result.totals is not None:
            self.closed.extend(self.segments.flush(result.totals.processed_until))

    def flush(self) -> None:
        """Nothing to make durable."""

    def close(self) -> None:
        """Nothing held open."""


@dataclass
class PredictRun:
    """What a prediction run found."""

    predictions: list[TaskPrediction]
    segments: list[TaskSegment]


def predict_video(
    video: Path,
    model_dir: Path,
    settings: ExtractSettings,
    *,
    smoothing: Smoothing = "ema",
    hold: int = 2,
    replay: bool = False,
    speed: float = 1.0,
    on_prediction: Callable[[TaskPrediction], None] | None = None,
) -> PredictRun:
    """Run the model of ``model_dir`` over ``video`` (see the module docstring).

    ``speed`` paces a replay (2.0: twice as fast as the camera would).
    """
    model = OnnxTaskModel.load(model_dir)
    info = probe(video)
    shared = FileSourceConfig(
        detection_fps=settings.sample_fps,
        batch_size=1 if replay else settings.batch_size,
        read="all" if settings.sample_rate is not None else "sampled",
    )
    # A replay paces the file like a camera but keeps every frame (a slow machine lags
    # instead of dropping), so it predicts what batch predicts.
    source_config = shared.with_kind("replay", speed=speed, keep_newest=False) if replay else shared
    config = PipelineConfig(name="task-predict", source=source_config, detectors=settings.stages())
    chain = landmark_chain(config)
    sink = TaskPredictionSink(TaskPredictor(model, smoothing, hold=hold), on_prediction)
    source = open_source(source_config, video, session_start=info.session_start)
    core = RunCore(FrameStep(chain, EventEngine.from_config(config)), source.session_start, [sink])
    try:
        for read in source.read_batches(shared.batch_size):
            rate = settings.sample_rate
            batch = read if rate is None else [f for f in read if f.index % rate == 0]
            if batch:
                core.process(batch)
        core.finish(RunTotals(core.frames, core.last_seconds, source.stats.as_dict()))
    finally:
        source.close()
        core.close()
        chain.close()
    return PredictRun(sink.predictions, sink.closed)


def write_segments(path: Path, run: PredictRun, video: Path) -> Path:
    """The segments as ``task_segment`` events (JSON, written atomically)."""
    start = probe(video).session_start.time
    events = [
        {
            "type": "task_segment",
            "timestamp": (start + timedelta(seconds=s.start)).isoformat(),
            "video_offset_seconds": round(s.start, 6),
            "confidence": round(s.confidence, 6),
            "data": {**asdict(s), "mean_confidence": round(s.confidence, 6)},
        }
        for s in run.segments
    ]
    write_json(path, {"video": str(video), "events": events})
    return path
