"""People found by detectors that ship in packages: OpenCV's HOG or MediaPipe Pose.

The ``person_detect`` stage adds ``person`` boxes in source pixels, to be tracked by a
``people_track`` stage (:mod:`framewise.detectors.people_track`). Two methods, measured
against the MOT15 ground truth of the corpus by ``bench/people.py``:

- ``hog`` (the default): Dalal and Triggs' HOG + linear SVM, the model inside OpenCV. Its
  64×128 window finds people about 96 px tall and up, so a frame is resized to
  ``search_height`` (a 480×360 surveillance frame is searched at twice its size). A window
  holds its person with a margin: the person is about the middle half of its width and 72 %
  of its height (measured on both MOT files: true boxes are 0.47–0.57 and 0.69–0.74 of the
  window), so each box is shrunk to that about its centre — without it no box reaches IoU
  0.5 with the truth. The score is the SVM margin squashed to 0–1 (0.5: a margin of 0).
- ``pose``: MediaPipe Pose from the mediapipe 0.10.21 wheel (the :mod:`~framewise.detectors.pose`
  stage): one box bounding a person's 33 landmarks, scored by their mean visibility. It finds
  at most one person per frame, which is why it is not the default for crowds.

A user's own person model needs no code here: a ``yolo_onnx`` stage with ``classes:
[person]`` in front of ``people_track`` does the same job.

Example:
    >>> stage = PersonDetectStage.build(PersonDetectConfig(kind="person_detect"))
    >>> stage.class_names
    ('person',)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from framewise.config.detectors import PersonDetectConfig, PoseConfig, detector_name
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import refuse_unknown_thresholds
from framewise.detectors.pose import PoseStage

PERSON = "person"
HOG_PERSON_SHARE = (0.5, 0.72)
"""The share of a HOG window's width and height its person fills (see the module)."""


class HogPeople:
    """OpenCV's default HOG people detector, with boxes fitted to the person."""

    def __init__(self, config: PersonDetectConfig) -> None:
        self.config = config
        self.hog = cv2.HOGDescriptor()
        # The stubs lack this (older) module-level spelling of getDefaultPeopleDetector.
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())  # type: ignore[attr-defined]

    def find(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(xyxy, scores)`` of the people in ``image`` (BGR), best first."""
        height = image.shape[0]
        factor = self.config.search_height / height if self.config.search_height else 1.0
        if factor != 1.0:
            size = (round(image.shape[1] * factor), round(height * factor))
            shrinking = factor < 1.0
            image = cv2.resize(
                image, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
            )
        rects, weights = self.hog.detectMultiScale(
            image, winStride=(8, 8), padding=(8, 8), scale=self.config.scale
        )
        if len(rects) == 0:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        xywh = np.asarray(rects, np.float64).reshape(-1, 4) / factor
        centre = xywh[:, :2] + xywh[:, 2:] / 2
        half = xywh[:, 2:] * np.asarray(HOG_PERSON_SHARE) / 2
        xyxy = np.concatenate([centre - half, centre + half], axis=1).astype(np.float32)
        margins = np.asarray(weights, np.float64).reshape(-1)
        scores = (1.0 / (1.0 + np.exp(-margins))).astype(np.float32)
        # OpenCV searches scales in parallel and returns boxes in any order: best first (then
        # by place) makes a frame's boxes the same every run.
        order = np.lexsort((xyxy[:, 1], xyxy[:, 0], -scores))
        return xyxy[order], scores[order]


class PersonDetectStage:
    """The ``person_detect`` stage: ``person`` boxes after the boxes found so far.

    Args:
        config: The stage's configuration.
        hog: The HOG detector (``method: hog``).
        pose: MediaPipe Pose as a stage (``method: pose``).
    """

    class_names: tuple[str, ...] = (PERSON,)

    def __init__(
        self, config: PersonDetectConfig, hog: HogPeople | None, pose: PoseStage | None
    ) -> None:
        self.name = detector_name(config)
        self.config = config
        self.hog = hog
        self.pose = pose

    @classmethod
    def build(cls, config: PersonDetectConfig) -> PersonDetectStage:
        """The stage of ``config`` (MediaPipe is loaded only for ``method: pose``)."""
        if config.method == "hog":
            return cls(config, HogPeople(config), None)
        return cls(config, None, PoseStage.build(PoseConfig(kind="pose", name=config.name)))

    def people(self, frame: Frame) -> Detections:
        """The people in one frame, scored and thresholded."""
        if self.hog is not None:
            xyxy, scores = self.hog.find(frame.image)
        elif self.pose is not None:
            found = self.pose.landmarks(frame)
            xyxy, scores = found.xyxy, found.confidence
        else:
            return Detections.empty()
        keep = scores >= self.config.threshold
        return Detections(xyxy[keep], scores[keep], (PERSON,) * int(keep.sum()))

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add each frame's people (frames in time order: MediaPipe tracks between them)."""
        if len(batch) != len(results):
            raise ValueError(f"stage {self.name!r} got {len(results)} results for {len(batch)}")
        return [
            r.with_detections(Detections.merge(r.detections, self.people(f)))
            for f, r in zip(batch, results, strict=True)
        ]

    def thresholds(self) -> Mapping[str, float]:
        """``threshold``: the least score kept (tunable live)."""
        return {"threshold": self.config.threshold}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Change ``threshold`` from the next frame on."""
        refuse_unknown_thresholds(self.name, values, self.thresholds())
        if "threshold" in values:
            value = float(values["threshold"])
            self.config = self.config.model_copy(update={"threshold": value})

    def close(self) -> None:
        """Release MediaPipe's graph (HOG holds nothing)."""
        if self.pose is not None:
            self.pose.close()
