"""The stage adapters and the one registry of stage kinds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pytest

from framewise.config.detectors import (
    DETECTOR_CONFIGS,
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
)
from framewise.config.pipeline import PipelineConfig
from framewise.config.schema_walk import expected_kinds
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.core.fields import FieldReading
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors import stages
from framewise.detectors.stages import DetectorStage, ReaderStage
from framewise.pipeline.chain import stage_factory

FRAME = Frame(np.zeros((8, 8, 3), np.uint8), 0, 0.0, datetime(2026, 1, 1, tzinfo=UTC), "cam")


def box(name: str, **columns: object) -> Detections:
    return Detections(
        np.array([[1, 1, 4, 4]], np.float32),
        np.array([0.5], np.float32),
        (name,),
        **columns,  # type: ignore[arg-type]
    )


class FixedDetector:
    """Finds one box of its class in every frame."""

    def __init__(self, name: str) -> None:
        self.found = box(name)
        self.closed = False

    def detect(self, batch: Sequence[Frame]) -> list[Detections]:
        return [self.found for _ in batch]

    def close(self) -> None:
        self.closed = True


class ShoutingReader:
    """Reads every box as its class name in capitals, with a field."""

    def read(self, batch: Sequence[Frame], detections: Sequence[Detections]) -> list[Detections]:
        return [
            d.replace(
                text=tuple(n.upper() for n in d.class_name),
                fields=tuple({"loud": FieldReading(True, 0.9)} for _ in d.class_name),
            )
            for d in detections
        ]

    def close(self) -> None:
        pass


def test_every_registered_kind_names_a_factory_and_the_yaml_union_covers_it() -> None:
    examples = {
        "yolo_onnx": YoloOnnxConfig(kind="yolo_onnx", model="m.onnx"),  # type: ignore[arg-type]
        "ocr": OcrConfig(kind="ocr", classes=["a"]),
        "pose": PoseConfig(kind="pose"),
        "hands": HandsConfig(kind="hands"),
        "task_classifier": TaskClassifierConfig(kind="task_classifier", model="runs/t1"),  # type: ignore[arg-type]
        "gate": GateConfig(kind="gate"),
        "tagger": TaggerConfig(kind="tagger", model="clip", tags=["car"]),
        "open_vocab_detector": OpenVocabConfig(kind="open_vocab_detector", model="owl"),
        "segmenter": SegmenterConfig(kind="segmenter", model="sam"),
        "clip_features": ClipFeaturesConfig(kind="clip_features", model="clip"),
        "hog_people": HogPeopleConfig(kind="hog_people"),
        "text_boxes": TextBoxesConfig(kind="text_boxes"),
        "grabcut_segmenter": GrabCutConfig(kind="grabcut_segmenter"),
        "describer": DescriberConfig(kind="describer", model="blip"),
        "selfie_segmenter": SelfieSegmenterConfig(kind="selfie_segmenter"),
        "scene_detect": SceneDetectConfig(kind="scene_detect"),
        "motion": MotionConfig(kind="motion"),
        "screen_text": ScreenTextConfig(kind="screen_text"),
        "ball": BallConfig(kind="ball"),
        "person_detect": PersonDetectConfig(kind="person_detect"),
        "people_track": PeopleTrackConfig(kind="people_track"),
    }
    assert set(examples) == set(DETECTOR_CONFIGS)
    for kind, config in examples.items():
        assert isinstance(config, DETECTOR_CONFIGS[kind])
        factory = stage_factory(config)
        assert factory.__module__ == stages.__name__
    assert expected_kinds(PipelineConfig, ("detectors", 0)) == sorted(DETECTOR_CONFIGS)


def test_detector_stage_appends_its_boxes_and_reader_stage_fills_columns() -> None:
    start = FrameOutput(box("earlier", track_id=[4]), tags=(("day", 0.8),), source_id="cam")
    detector = FixedDetector("later")
    first = DetectorStage(detector, "fixed", ["later"])
    [found] = first.detect([FRAME], [start])
    assert found.detections.class_name == ("earlier", "later")
    assert found.detections.track_id is not None
    assert found.detections.track_id.tolist() == [4, -1]
    assert found.tags == (("day", 0.8),) and found.source_id == "cam"
    [read] = ReaderStage(ShoutingReader(), "shout").detect([FRAME], [found])
    assert read.detections.text == ("EARLIER", "LATER")
    assert read.detections.fields[1]["loud"] == FieldReading(True, 0.9)
    assert read.detections.track_id.tolist() == [4, -1]  # type: ignore[union-attr]
    assert read.tags == found.tags
    first.close()
    assert detector.closed


def test_stages_without_thresholds_refuse_any() -> None:
    for stage in (DetectorStage(FixedDetector("a"), "d"), ReaderStage(ShoutingReader(), "r")):
        assert stage.thresholds() == {}
        stage.set_thresholds({})
        with pytest.raises(ConfigError, match="has no thresholds"):
            stage.set_thresholds({"confidence": 0.5})


def test_a_stage_that_loses_frames_is_caught() -> None:
    class Forgetful(FixedDetector):
        def detect(self, batch: Sequence[Frame]) -> list[Detections]:
            return []

    with pytest.raises(ValueError, match="returned 0 results for 1 frames"):
        DetectorStage(Forgetful("a"), "forgetful").detect([FRAME], [FrameOutput()])
