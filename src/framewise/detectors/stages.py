"""Adapters that make detectors and readers stages, and the factories of the built-in kinds.

:class:`DetectorStage` runs a :class:`~framewise.detectors.base.Detector` and merges its boxes
after the boxes found so far; :class:`ReaderStage` hands the boxes so far to a
:class:`~framewise.detectors.base.Reader` (OCR) and keeps what it fills in. The factories
(:func:`yolo_stage`, :func:`ocr_stage`) are what the config classes name in ``stage``; they
import their models' libraries only when called, so a pipeline without OCR never loads it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from framewise.config.detectors import (
    BallConfig,
    ClipFeaturesConfig,
    DescriberConfig,
    GateConfig,
    GrabCutConfig,
    HandsConfig,
    HogPeopleConfig,
    MotionConfig,
    OcrConfig,
    OpenVocabConfig,
    PeopleTrackConfig,
    PersonDetectConfig,
    PoseConfig,
    SceneDetectConfig,
    ScreenTextConfig,
    SegmenterConfig,
    SelfieSegmenterConfig,
    TaggerConfig,
    TaskClassifierConfig,
    TextBoxesConfig,
    YoloOnnxConfig,
    detector_name,
)
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import (
    ClassAware,
    Detector,
    Reader,
    Stateful,
    refuse_unknown_thresholds,
)

if TYPE_CHECKING:
    from framewise.detectors.ball import BallStage
    from framewise.detectors.classic_annotate import (
        GrabCutSegmenterStage,
        HogPeopleStage,
        SelfieSegmenterStage,
        TextBoxesStage,
    )
    from framewise.detectors.clip_features import ClipFeaturesStage
    from framewise.detectors.describer import DescriberStage
    from framewise.detectors.gate import GateStage
    from framewise.detectors.motion import MotionStage
    from framewise.detectors.open_vocab import OpenVocabStage
    from framewise.detectors.people import PersonDetectStage
    from framewise.detectors.people_track import PeopleTrackStage
    from framewise.detectors.pose import HandsStage, PoseStage
    from framewise.detectors.scenes import SceneDetectStage
    from framewise.detectors.screen_text import ScreenTextStage
    from framewise.detectors.segmenter import SegmenterStage
    from framewise.detectors.tagger import RamTaggerStage, TaggerStage
    from framewise.detectors.task_classifier import TaskClassifierStage
    from framewise.detectors.yolo_onnx import YoloOnnxDetector


def _one_per_frame(name: str, batch: Sequence[Frame], got: Sequence[object]) -> None:
    if len(got) != len(batch):
        raise ValueError(f"stage {name!r} returned {len(got)} results for {len(batch)} frames")


class DetectorStage:
    """A detector as a stage: its boxes are merged after the boxes found so far.

    Args:
        detector: The detector (closed with the stage).
        name: The stage's name.
        class_names: The classes the detector may find.
    """

    def __init__(self, detector: Detector, name: str, class_names: Sequence[str] = ()) -> None:
        self.detector = detector
        self.name = name
        self.class_names = tuple(class_names)

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Detect ``batch`` and add the boxes to ``results``."""
        found = self.detector.detect(batch)
        _one_per_frame(self.name, batch, found)
        return [
            r.with_detections(Detections.merge(r.detections, d))
            for r, d in zip(results, found, strict=True)
        ]

    def thresholds(self) -> Mapping[str, float]:
        """None to tune (a subclass that wraps a tunable detector says which)."""
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Refuse names this stage does not have."""
        refuse_unknown_thresholds(self.name, values, self.thresholds())

    def close(self) -> None:
        """Close the detector."""
        self.detector.close()


class YoloStage(DetectorStage):
    """The ``yolo_onnx`` stage: a :class:`YoloOnnxDetector` whose decode thresholds are tunable.

    Its name is the model file's stem (what the live ``GET /config`` has always shown).
    """

    detector: YoloOnnxDetector

    def __init__(self, detector: YoloOnnxDetector) -> None:
        super().__init__(detector, detector.path.stem, detector.names)

    def thresholds(self) -> Mapping[str, float]:
        """``confidence`` and ``iou`` of the decoder."""
        settings = self.detector.settings
        return {"confidence": settings.confidence, "iou": settings.iou}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Set ``confidence`` and/or ``iou`` (each in [0, 1]) from the next batch."""
        super().set_thresholds(values)
        for key, value in values.items():
            if not 0.0 <= value <= 1.0:
                raise ConfigError(
                    f"{key} must be in [0, 1], got {value}", subject=self.name, hint="use e.g. 0.5"
                )
        settings = self.detector.settings
        self.detector.settings = dataclasses.replace(
            settings,
            confidence=float(values.get("confidence", settings.confidence)),
            iou=float(values.get("iou", settings.iou)),
        )


class ReaderStage:
    """A reader as a stage: it reads the boxes found so far and fills in their columns.

    Args:
        reader: The reader (closed with the stage).
        name: The stage's name.
    """

    class_names: tuple[str, ...] = ()

    def __init__(self, reader: Reader, name: str) -> None:
        self.reader = reader
        self.name = name

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Read the boxes of ``results``; frames keep everything else they had."""
        read = self.reader.read(batch, [r.detections for r in results])
        _one_per_frame(self.name, batch, read)
        return [r.with_detections(d) for r, d in zip(results, read, strict=True)]

    def state_since(self, seconds: float) -> float:
        """The reader's :meth:`~framewise.detectors.base.Stateful.state_since` (if it keeps any)."""
        return self.reader.state_since(seconds) if isinstance(self.reader, Stateful) else seconds

    def know_classes(self, class_ids: Mapping[str, int]) -> None:
        """Hand the earlier stages' class ids to the reader (if it renames boxes)."""
        if isinstance(self.reader, ClassAware):
            self.reader.know_classes(class_ids)

    def thresholds(self) -> Mapping[str, float]:
        """Nothing to tune while running."""
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Refuse every name: a reader has no live thresholds."""
        refuse_unknown_thresholds(self.name, values, {})

    def close(self) -> None:
        """Close the reader."""
        self.reader.close()


def yolo_stage(config: YoloOnnxConfig) -> YoloStage:
    """Build the ``yolo_onnx`` stage of ``config``."""
    from framewise.detectors.yolo_onnx import YoloOnnxDetector

    return YoloStage(
        YoloOnnxDetector(
            config.model,
            confidence_threshold=config.confidence,
            iou_threshold=config.iou,
            classes=config.classes,
            max_detections=config.max_detections,
            imgsz=config.input_size,
            providers=config.providers,
            intra_op_threads=config.intra_op_threads,
            batch=config.batch,
            rect=config.rect,
        )
    )


def ocr_stage(config: OcrConfig) -> ReaderStage:
    """Build the ``ocr`` stage of ``config``."""
    from framewise.detectors.ocr import OcrReader

    return ReaderStage(OcrReader(config), detector_name(config))


def pose_stage(config: PoseConfig) -> PoseStage:
    """Build the ``pose`` stage of ``config`` (MediaPipe is loaded only here)."""
    from framewise.detectors.pose import PoseStage

    return PoseStage.build(config)


def hands_stage(config: HandsConfig) -> HandsStage:
    """Build the ``hands`` stage of ``config`` (MediaPipe is loaded only here)."""
    from framewise.detectors.pose import HandsStage

    return HandsStage.build(config)


# The annotation stages (issue 18) import torch and transformers only when built.
def gate_stage(config: GateConfig) -> GateStage:
    """Build the ``gate`` stage of ``config``."""
    from framewise.detectors.gate import build_gate

    return build_gate(config)


def tagger_stage(config: TaggerConfig) -> TaggerStage | RamTaggerStage:
    """Build the ``tagger`` stage of ``config``."""
    from framewise.detectors.tagger import build_tagger

    return build_tagger(config)


def open_vocab_stage(config: OpenVocabConfig) -> OpenVocabStage:
    """Build the ``open_vocab_detector`` stage of ``config``."""
    from framewise.detectors.open_vocab import build_open_vocab

    return build_open_vocab(config)


def segmenter_stage(config: SegmenterConfig) -> SegmenterStage:
    """Build the ``segmenter`` stage of ``config``."""
    from framewise.detectors.segmenter import build_segmenter

    return build_segmenter(config)


def clip_features_stage(config: ClipFeaturesConfig) -> ClipFeaturesStage:
    """Build the ``clip_features`` stage of ``config``."""
    from framewise.detectors.clip_features import build_clip_features

    return build_clip_features(config)


def hog_people_stage(config: HogPeopleConfig) -> HogPeopleStage:
    """Build the ``hog_people`` stage of ``config``."""
    from framewise.detectors.classic_annotate import build_hog_people

    return build_hog_people(config)


def text_boxes_stage(config: TextBoxesConfig) -> TextBoxesStage:
    """Build the ``text_boxes`` stage of ``config``."""
    from framewise.detectors.classic_annotate import build_text_boxes

    return build_text_boxes(config)


def grabcut_stage(config: GrabCutConfig) -> GrabCutSegmenterStage:
    """Build the ``grabcut_segmenter`` stage of ``config``."""
    from framewise.detectors.classic_annotate import build_grabcut

    return build_grabcut(config)


def describer_stage(config: DescriberConfig) -> DescriberStage:
    """Build the ``describer`` stage of ``config``."""
    from framewise.detectors.describer import build_describer

    return build_describer(config)


def selfie_segmenter_stage(config: SelfieSegmenterConfig) -> SelfieSegmenterStage:
    """Build the ``selfie_segmenter`` stage of ``config`` (MediaPipe is loaded only here)."""
    from framewise.detectors.classic_annotate import build_selfie_segmenter

    return build_selfie_segmenter(config)


def task_classifier_stage(config: TaskClassifierConfig) -> TaskClassifierStage:
    """Build the ``task_classifier`` stage of ``config`` (its ONNX model is loaded here)."""
    from framewise.detectors.task_classifier import TaskClassifierStage

    return TaskClassifierStage.build(config)


# The everyday profiles' stages (issue 22): OpenCV only, no model to load.
def scene_stage(config: SceneDetectConfig) -> SceneDetectStage:
    """Build the ``scene_detect`` stage of ``config``."""
    from framewise.detectors.scenes import SceneDetectStage

    return SceneDetectStage(config)


def motion_stage(config: MotionConfig) -> MotionStage:
    """Build the ``motion`` stage of ``config``."""
    from framewise.detectors.motion import MotionStage

    return MotionStage(config)


def ball_stage(config: BallConfig) -> BallStage:
    """Build the ``ball`` stage of ``config`` (W1's classical ball detector)."""
    from framewise.detectors.ball import BallStage

    return BallStage(config)


def screen_text_stage(config: ScreenTextConfig) -> ScreenTextStage:
    """Build the ``screen_text`` stage of ``config`` (RapidOCR is loaded only here)."""
    from framewise.detectors.screen_text import ScreenTextStage

    return ScreenTextStage(config)


def person_detect_stage(config: PersonDetectConfig) -> PersonDetectStage:
    """Build the ``person_detect`` stage of ``config`` (MediaPipe only for ``method: pose``)."""
    from framewise.detectors.people import PersonDetectStage

    return PersonDetectStage.build(config)


def people_track_stage(config: PeopleTrackConfig) -> PeopleTrackStage:
    """Build the ``people_track`` stage of ``config`` (ByteTrack is loaded only here)."""
    from framewise.detectors.people_track import PeopleTrackStage

    return PeopleTrackStage.build(config)
