"""The embedded default stages: HOG people, RapidOCR text boxes, GrabCut masks on real pictures."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest

from framewise.cli.annotate_commands import DEMO_DATA
from framewise.config.detectors import GrabCutConfig, HogPeopleConfig, TextBoxesConfig
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.classic_annotate import (
    GrabCutSegmenterStage,
    HogPeopleStage,
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
