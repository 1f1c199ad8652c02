"""The embedded default stages on real pictures: HOG, RapidOCR text, GrabCut and selfie masks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import cv2
import numpy as np
import pytest

from framewise.cli.annotate_commands import DEMO_DATA
from framewise.config.detectors import (
    GrabCutConfig,
    HogPeopleConfig,
    SelfieSegmenterConfig,
    TextBoxesConfig,
)
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.classic_annotate import (
    GrabCutSegmenterStage,
    HogPeopleStage,
    SelfieSegmenterStage,
    TextBoxesStage,
)
from framewise.sources.stills import pictures_at

START = datetime(2026, 1, 1, tzinfo=UTC)


def demo_frame(seconds: float = 0.0) -> Frame:
    [(_, picture)] = list(pictures_at(DEMO_DATA / "people.mp4", [seconds]))
    return Frame(picture, 0, seconds, START, "people.mp4")


def test_hog_finds_the_person_of_the_bundled_clip_and_grabcut_masks_them() -> None:
    frame = demo_frame(6.0)  # the man stands by a bar table, his head near x = 360
    [found] = HogPeopleStage(HogPeopleConfig(kind="hog_people")).detect(
        [frame], [FrameOutput.empty()]
    )
    dets = found.detections
    assert set(dets.class_name) == {"person"}
    assert np.all((dets.confidence >= 0.5) & (dets.confidence <= 1))
    on_him = [b for b in dets.xyxy.tolist() if b[0] < 360 < b[2] and b[1] < 100]
    assert on_him  # a box over his head and shoulders (HOG also takes the table's stand)
    [masked] = GrabCutSegmenterStage(GrabCutConfig(kind="grabcut_segmenter")).detect(
        [frame], [found]
    )
    mask = masked.detections.mask
    assert mask is not None and mask.shape == (len(dets), frame.height, frame.width)
    assert mask.any()
    for bits, (x1, y1, x2, y2) in zip(mask, dets.xyxy.tolist(), strict=True):
        ys, xs = np.nonzero(bits)
        if len(xs):  # GrabCut's foreground lies in its box
            assert xs.min() >= x1 - 1 and xs.max() <= x2 + 1
            assert ys.min() >= y1 - 1 and ys.max() <= y2 + 1


def test_text_boxes_frame_lines_of_text_and_drop_whole_frame_boxes() -> None:
    pytest.importorskip("rapidocr")
    image = np.full((200, 480, 3), 255, np.uint8)
    cv2.putText(image, "FRAMEWISE DEMO", (20, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
    frame = Frame(image, 0, 0.0, START, "text")
    stage = TextBoxesStage(TextBoxesConfig(kind="text_boxes"))
    [found] = stage.detect([frame], [FrameOutput.empty()])
    assert set(found.detections.class_name) == {"text"}  # one box per word or line
    boxes = found.detections.xyxy
    x1, y1 = boxes[:, :2].min(axis=0).tolist()
    x2, y2 = boxes[:, 2:].max(axis=0).tolist()
    assert x1 < 30 and x2 > 330 and y1 < 80 and 110 < y2 < 140
    # The clip's wooden floor makes the detector answer with the whole frame: dropped.
    [floor] = stage.detect([demo_frame()], [FrameOutput.empty()])
    assert all(
        (b[2] - b[0]) * (b[3] - b[1]) <= 0.5 * 640 * 360 for b in floor.detections.xyxy.tolist()
    )


def test_selfie_segmentation_masks_the_person_inside_his_box_under_protobuf_6() -> None:
    pytest.importorskip("mediapipe")
    frame = demo_frame(6.0)
    person = [300.0, 40.0, 420.0, 230.0]  # his head and shoulders (x 300-420, y 40-230)
    empty_wall = [0.0, 0.0, 100.0, 120.0]  # the top left corner: no one there
    boxes = Detections(
        np.array([person, empty_wall, person], np.float32),
        np.ones(3, np.float32),
        ("person",) * 2 + ("x",),
    )
    stage = SelfieSegmenterStage(SelfieSegmenterConfig(kind="selfie_segmenter"))
    try:
        probability = stage.person_map(frame)
        [masked] = stage.detect([frame], [FrameOutput(boxes)])
    finally:
        stage.close()
    assert probability.shape == (frame.height, frame.width)
    assert probability.min() >= 0.0 and probability.max() <= 1.0
    mask = masked.detections.mask
    assert mask is not None and mask.shape == (3, frame.height, frame.width)
    ys, xs = np.nonzero(mask[0])
    assert len(xs) > 0.2 * 120 * 190  # a real silhouette, not specks
    assert xs.min() >= 300 and xs.max() < 420 and ys.min() >= 40 and ys.max() < 230
    assert mask[1].sum() < 0.01 * 100 * 120  # nobody in the corner
    assert not mask[2].any()  # not a person box: left alone


def test_the_embedded_chain_gives_the_same_boxes_and_masks_at_batch_1_and_6() -> None:
    pytest.importorskip("mediapipe")
    pytest.importorskip("rapidocr")
    from pydantic import TypeAdapter

    from framewise.config.detectors import DetectorConfig
    from framewise.core.frames import batched
    from framewise.pipeline.chain import build_chain

    times = [1.0, 2.0, 3.0, 6.0, 7.0, 8.0]
    pictures = pictures_at(DEMO_DATA / "people.mp4", times)
    try:
        frames = [Frame(p, i, t, START, "people.mp4") for i, (t, p) in enumerate(pictures)]
    finally:
        pictures.close()
    stages = [
        {"kind": "hog_people", "threshold": 0.55},
        {"kind": "text_boxes"},
        {"kind": "selfie_segmenter", "classes": ["person"]},
        {"kind": "grabcut_segmenter", "classes": ["text"]},
    ]
    adapter: TypeAdapter[Any] = TypeAdapter(DetectorConfig)

    def run(size: int) -> list[FrameOutput]:
        chain = build_chain([adapter.validate_python(s) for s in stages])
        try:
            return [out for part in batched(frames, size) for out in chain.run(part)]
        finally:
            chain.close()

    one, six = run(1), run(6)
    assert sum(len(o.detections) for o in one) >= 4  # real boxes were compared
    for a, b in zip(one, six, strict=True):
        assert a.detections.class_name == b.detections.class_name
        np.testing.assert_array_equal(a.detections.xyxy, b.detections.xyxy)
        ma, mb = a.detections.mask, b.detections.mask
        assert (ma is None) == (mb is None)
        if ma is not None and mb is not None:
            np.testing.assert_array_equal(ma, mb)
