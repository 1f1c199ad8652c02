"""The ``task_classifier`` stage: a trained task model on the pose, hands and objects so far.

It comes after the stages that find people, hands and objects (``pose``, ``hands``,
``yolo_onnx``) and reads their boxes: each frame becomes a task feature vector
(:class:`~framewise.features.task.TaskFeatures`, the same numbers the feature tables hold),
the :class:`~framewise.features.task_live.TaskPredictor` keeps a window of the model's
length in seconds and predicts every step, smoothed and with hysteresis. From the first
prediction on, each frame's result carries the tag ``task:<label>`` (the smoothed
confidence) and the feature ``task_confidence``; sinks and live messages take it from there.

Example (pipeline YAML)::

    detectors:
      - kind: pose
      - kind: task_classifier
        model: runs/t1
        smoothing: median
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from framewise.config.detectors import TaskClassifierConfig, detector_name
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import refuse_unknown_thresholds
from framewise.features.task import TaskFeatures
from framewise.features.task_live import TaskPrediction, TaskPredictor
from framewise.features.task_model import OnnxTaskModel

TAG_PREFIX = "task:"


class TaskClassifierStage:
    """See the module docstring.

    Args:
        predictor: The model with its smoothing.
        name: The stage's name.
    """

    def __init__(self, predictor: TaskPredictor, name: str) -> None:
        self.predictor = predictor
        self.name = name
        self.class_names: tuple[str, ...] = ()
        self.features = TaskFeatures()
        self.last: TaskPrediction | None = None

    @classmethod
    def build(cls, config: TaskClassifierConfig) -> TaskClassifierStage:
        """The stage of ``config`` (its run folder's ONNX model and card)."""
        predictor = TaskPredictor(
            OnnxTaskModel.load(config.model),
            config.smoothing,
            alpha=config.alpha,
            median_of=config.median_of,
            hold=config.hold,
        )
        return cls(predictor, detector_name(config))

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Predict on each frame in order; tag the frames once a prediction exists."""
        if len(batch) != len(results):
            raise ValueError(f"stage {self.name!r} got {len(results)} results for {len(batch)}")
        out = []
        for frame, result in zip(batch, results, strict=True):
            row = self.features.update(frame.seconds, result.detections, frame.width, frame.height)
            prediction = self.predictor.update(frame.seconds, row.vector())
            if prediction is not None:
                self.last = prediction
            if self.last is None:
                out.append(result)
                continue
            tagged = result.with_tags((TAG_PREFIX + self.last.label, self.last.confidence))
            out.append(tagged.with_features({"task_confidence": self.last.confidence}))
        return out

    def thresholds(self) -> Mapping[str, float]:
        """Nothing to tune while running."""
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Refuse every name: smoothing is fixed when the stage starts."""
        refuse_unknown_thresholds(
            self.name, values, {}, "set smoothing and hold in the pipeline YAML instead"
        )

    def close(self) -> None:
        """Nothing held open (the ONNX session goes with the stage)."""


def task_label(output: FrameOutput) -> tuple[str, float] | None:
    """The task tag of a frame's result as ``(label, confidence)``, or ``None``."""
    for name, score in output.tags:
        if name.startswith(TAG_PREFIX):
            return name[len(TAG_PREFIX) :], score
    return None
