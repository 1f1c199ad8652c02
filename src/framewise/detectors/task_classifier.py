"""The ``task_classifier`` stage: a trained task model on the pose, hands and objects so far.

It comes after the stages that find people, hands and objects (``pose``, ``hands``,
``yolo_onnx``) and reads their boxes: each frame becomes a task feature vector
(:class:`~framewise.features.task.TaskFeatures`, the same numbers the feature tables hold),
the :class:`~framewise.features.task_live.TaskPredictor` keeps a window of the model's
length in seconds and predicts every step, smoothed and with hysteresis. From the first
prediction on, each frame's result carries the tag ``task:<label>`` (the smoothed
confidence) and the features ``task_confidence``, ``task_new`` (1 on the frame a prediction
was made on) and ``task_window_sec`` (how long its window was); the temporal rule
:class:`~framewise.temporal.tasks.TaskSpans` makes ``task_segment`` events of them, and the
``tasks`` profile's hooks live messages.

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
from framewise.core.errors import ModelError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import StreamWatch, refuse_unknown_thresholds
from framewise.features.task import TaskFeatures
from framewise.features.task_live import TaskPrediction, TaskPredictor
from framewise.features.task_model import CARD_NAME, OnnxTaskModel

TAG_PREFIX = "task:"
NEW_PREDICTION = "task_new"
"""Feature: 1 on the frame a prediction was made on, 0 on frames that carry the last one."""
WINDOW_SEC = "task_window_sec"
"""Feature: how far back the shown prediction's window started (seconds before it was made)."""


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
        self._watch = StreamWatch()

    def restart(self) -> None:
        """Forget the window, the smoothing and the shown label (a new video starts)."""
        old = self.predictor
        self.predictor = TaskPredictor(
            old.model, old.smoothing, alpha=old.alpha, median_of=old.median_of, hold=old.hold
        )
        self.features = TaskFeatures()
        self.last = None

    @classmethod
    def build(cls, config: TaskClassifierConfig) -> TaskClassifierStage:
        """The stage of ``config`` (its run folder's ONNX model and card).

        Raises:
            ModelError: The folder holds no task model (e.g. the ``tasks`` profile, which
                ships none, run without ``--model``).
        """
        if not (config.model / CARD_NAME).is_file():
            raise ModelError(
                f"no task model in {config.model} (no {CARD_NAME})",
                subject=config.model,
                hint="pass --model RUN/model.onnx of a `framewise train task` run folder, "
                "or set the task_classifier's model: in the pipeline YAML",
            )
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
            if self._watch.restarted(frame):
                self.restart()  # another video (or the same again): a pipeline serves many
            row = self.features.update(frame.seconds, result.detections, frame.width, frame.height)
            prediction = self.predictor.update(frame.seconds, row.vector())
            if prediction is not None:
                self.last = prediction
            if self.last is None:
                out.append(result)
                continue
            last = self.last
            tagged = result.with_tags((TAG_PREFIX + last.label, last.confidence))
            # Features are float32, so times go as a flag and a short span, not as seconds.
            features = {
                NEW_PREDICTION: float(prediction is not None),
                WINDOW_SEC: last.seconds - last.start,
                "task_confidence": last.confidence,
            }
            out.append(tagged.with_features(features))
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
