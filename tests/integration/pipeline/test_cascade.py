"""A two-stage cascade built from config: the real colour ONNX model, then a stage defined here
that feeds on its boxes — the seam a new stage kind plugs into (one config class, one factory).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import pytest

from framewise.config.detectors import StageConfig, YoloOnnxConfig, detector_name
from framewise.config.pipeline import PipelineConfig
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import Stage
from framewise.events.journal import JournalEntry, JournalWriter, read_journal
from framewise.live.thresholds import ThresholdUpdate, apply_detectors, current
from framewise.pipeline.chain import build_chain
from framewise.pipeline.step import FrameStep
from framewise.temporal.engine import EventEngine
from framewise.testing.models import colour_model

RED, GREEN, BLACK = (0, 0, 255), (0, 255, 0), (0, 0, 0)  # BGR


class CropStatsConfig(StageConfig):
    """The test stage's config: which boxes to measure, and the tag a frame with any gets."""

    stage: ClassVar[str] = ""  # built through build_chain(factories=...)
    kind: Literal["crop_stats"]
    classes: list[str]
    tag: str = "measured"


class CropStats:
    """Measures the mean brightness of the crops earlier stages boxed; tags the frame."""

    class_names: tuple[str, ...] = ()

    def __init__(self, config: CropStatsConfig) -> None:
        self.name = detector_name(config)
        self.config = config
        self.closed = False

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        out = []
        for frame, result in zip(batch, results, strict=True):
            dets = result.detections
            brightness = np.full(len(dets), np.nan)
            for i, (x1, y1, x2, y2) in enumerate(dets.xyxy.astype(int).tolist()):
                if dets.class_name[i] in self.config.classes:
                    brightness[i] = frame.image[y1:y2, x1:x2].mean()
            measured = int(np.isfinite(brightness).sum())
            updated = result.with_detections(dets.replace(data={"brightness": brightness}))
            updated = updated.with_features({"measured_boxes": measured})
            out.append(updated.with_tags((self.config.tag, 1.0)) if measured else updated)
        return out

    def thresholds(self) -> Mapping[str, float]:
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        if values:
            raise ConfigError("no thresholds", subject=self.name)

    def close(self) -> None:
        self.closed = True


def frames(*colours: tuple[int, int, int]) -> list[Frame]:
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        Frame(np.full((320, 320, 3), colour, np.uint8), i, i / 10, stamp, "cam0")
        for i, colour in enumerate(colours)
    ]


@pytest.fixture
def yolo(tmp_path: Path) -> YoloOnnxConfig:
    pytest.importorskip("onnx")
    model = colour_model(tmp_path / "colour.onnx")
    return YoloOnnxConfig(kind="yolo_onnx", model=model, confidence=0.5)


def test_second_stage_feeds_on_the_first_stages_boxes(yolo: YoloOnnxConfig) -> None:
    stats = CropStatsConfig(kind="crop_stats", classes=["red"])
    chain = build_chain([yolo, stats], factories={"crop_stats": CropStats})
    red, green, black = chain.run(frames(RED, GREEN, BLACK))
    assert red.source_id == "cam0"
    assert red.detections.class_name == ("red",)
    assert red.detections.class_id is not None and red.detections.class_id.tolist() == [0]
    assert red.detections.data["brightness"][0] == pytest.approx(255 / 3)  # BGR mean of red
    assert red.tags == (("measured", 1.0),) and red.feature("measured_boxes") == 1
    assert green.detections.class_name == ("green",)  # found, but not a class it measures
    assert np.isnan(green.detections.data["brightness"][0]) and green.tags == ()
    assert len(black.detections) == 0 and black.feature("measured_boxes") == 0
    assert chain.model_version == "colour"
    assert chain.class_names() == ["red", "green"]
    stage = chain.stages[1]
    chain.close()
    assert isinstance(stage, CropStats) and stage.closed


def test_order_is_the_configs_and_the_legacy_calls_still_work(yolo: YoloOnnxConfig) -> None:
    stats = CropStatsConfig(kind="crop_stats", name="first", classes=["red"])
    chain = build_chain([stats, yolo], factories={"crop_stats": CropStats})
    [out] = chain.run(frames(RED))
    assert out.tags == () and out.feature("measured_boxes") == 0  # ran before any box existed
    assert "brightness" not in out.detections.data  # the YOLO stage's boxes came after
    [dets] = chain.detect(frames(RED))
    assert dets.class_name == ("red",)
    chain.close()


def test_thresholds_go_through_the_protocol(yolo: YoloOnnxConfig) -> None:
    stats = CropStatsConfig(kind="crop_stats", classes=["red"])
    chain = build_chain([yolo, stats], confidence=0.2, factories={"crop_stats": CropStats})
    assert all(isinstance(stage, Stage) for stage in chain.stages)
    assert [s.name for s in chain.tunable()] == ["colour"]
    apply_detectors(chain, ThresholdUpdate(confidence=0.9))
    [dim] = chain.run(frames((0, 0, 200)))
    assert len(dim.detections) == 0  # red scores 200/255 = 0.78 < 0.9
    assert chain.stages[0].thresholds() == {"confidence": 0.9, "iou": 0.7}
    with pytest.raises(ConfigError, match="no thresholds"):
        chain.stages[0].set_thresholds({"gamma": 1.0})
    with pytest.raises(ConfigError, match=r"must be in \[0, 1\]"):
        chain.stages[0].set_thresholds({"iou": 2.0})
    chain.close()


def test_a_kind_without_a_factory_is_refused(yolo: YoloOnnxConfig) -> None:
    with pytest.raises(ConfigError, match="'crop_stats' has no factory"):
        build_chain([yolo, CropStatsConfig(kind="crop_stats", classes=[])])


def test_the_step_carries_the_frame_output_into_the_journal(
    yolo: YoloOnnxConfig, tmp_path: Path
) -> None:
    stats = CropStatsConfig(kind="crop_stats", classes=["red", "green"])
    chain = build_chain([yolo, stats], factories={"crop_stats": CropStats})
    config = PipelineConfig.model_validate({"detectors": [yolo.model_dump()]})
    step = FrameStep(chain, EventEngine.from_config(config))
    writer = JournalWriter(tmp_path / "journal.jsonl")
    for result in step.run(frames(RED, GREEN)):
        assert result.detections is result.output.detections
        writer.write(JournalEntry(result.frame.index, result.frame.seconds, result.output))
    writer.close()
    chain.close()
    red, green = read_journal(tmp_path / "journal.jsonl")
    assert red.output.tags == (("measured", 1.0),) and red.output.feature("measured_boxes") == 1
    assert green.detections.data["brightness"][0] == pytest.approx(255 / 3)
    assert current(chain, config)["detectors"] == [
        {"name": "colour", "confidence": 0.5, "iou": 0.7}
    ]
