"""Letterbox geometry and pixels against Ultralytics' algorithm; YOLO decoding and NMS."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from framewise.detectors.letterbox import PAD_VALUE, Letterbox, letterbox, rect_shape
from framewise.detectors.yolo_decode import (
    DecodeSettings,
    decode_anchors,
    decode_end_to_end,
    nms,
)

SIZES = [(1280, 720), (722, 1280), (320, 240), (640, 640), (1919, 1081), (37, 500)]


def ultralytics_letterbox(image: NDArray[np.uint8], target: tuple[int, int]) -> NDArray[np.uint8]:
    """Ultralytics' ``LetterBox(auto=False, scaleup=True, center=True)``, restated."""
    h, w = image.shape[:2]
    r = min(target[0] / h, target[1] / w)
    new_w, new_h = round(w * r), round(h * r)
    dw, dh = (target[1] - new_w) / 2, (target[0] - new_h) / 2
    if (w, h) != (new_w, new_h):
        image = np.asarray(cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR))
    top, bottom = round(dh - 0.1), round(dh + 0.1)
    left, right = round(dw - 0.1), round(dw + 0.1)
    padded = cv2.copyMakeBorder(
        image, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114)
    )
    return np.asarray(padded, dtype=np.uint8)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("target", [(640, 640), (384, 640), (320, 320)])
def test_letterbox_pixels_match_ultralytics(size: tuple[int, int], target: tuple[int, int]) -> None:
    image = np.random.default_rng(1).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    canvas, geometry = letterbox(image, target)
    np.testing.assert_array_equal(canvas, ultralytics_letterbox(image, target))
    assert canvas.shape == (*target, 3)
    blob = np.empty((3, *target), np.float32)
    geometry.write_input(image, blob)
    expected = canvas[..., ::-1].transpose(2, 0, 1).astype(np.float32) / 255
    np.testing.assert_allclose(blob, expected, atol=1e-6)


def test_write_input_float16_and_padding_value() -> None:
    image = np.zeros((720, 1280, 3), np.uint8)
    image[..., 2] = 255  # pure red in BGR
    geometry = Letterbox.fit(720, 1280, (640, 640))
    blob = np.empty((3, 640, 640), np.float16)
    geometry.write_input(image, blob)
    assert blob[0, 320, 320] == 1.0 and blob[2, 320, 320] == 0.0  # RGB order
    assert blob[1, 0, 0] == np.float16(PAD_VALUE / 255) == blob[1, 639, 639]


@pytest.mark.parametrize("size", SIZES)
def test_to_source_inverts_the_placement(size: tuple[int, int]) -> None:
    width, height = size
    geometry = Letterbox.fit(height, width, (640, 640))
    rng = np.random.default_rng(2)
    corners = np.sort(rng.uniform(0, 1, (50, 2, 2)), axis=1) * (width, height)
    source = corners.reshape(50, 4).astype(np.float32)  # x1, y1, x2, y2
    sx, sy = geometry.inner_width / width, geometry.inner_height / height
    placed = source * (sx, sy, sx, sy) + (geometry.left, geometry.top) * 2
    np.testing.assert_allclose(geometry.to_source(placed), source, atol=1e-3)
    whole = [[geometry.left, geometry.top, geometry.left + geometry.inner_width,
              geometry.top + geometry.inner_height]]  # fmt: skip
    np.testing.assert_allclose(geometry.to_source(np.array(whole, np.float32)), [[0, 0, *size]])


@pytest.mark.parametrize(
    ("height", "width", "size", "expected"),
    [
        (720, 1280, 640, (384, 640)),
        (1280, 720, 640, (640, 384)),
        (480, 640, 640, (480, 640)),
        (1080, 1920, 320, (192, 320)),
        (640, 640, 640, (640, 640)),
    ],
)
def test_rect_shape(height: int, width: int, size: int, expected: tuple[int, int]) -> None:
    assert rect_shape(height, width, (size, size), 32) == expected


def _area(box: NDArray[np.float32]) -> float:
    return float((box[2] - box[0]) * (box[3] - box[1]))


def reference_nms(
    xyxy: NDArray[np.float32], conf: NDArray[np.float32], cls: NDArray[np.int32], iou: float
) -> list[int]:
    """Greedy class-aware NMS, written the slow and obvious way."""
    order = sorted(range(len(conf)), key=lambda i: -conf[i])
    kept: list[int] = []
    for i in order:
        ok = True
        for k in kept:
            if cls[k] != cls[i]:
                continue
            x1, y1 = np.maximum(xyxy[i, :2], xyxy[k, :2])
            x2, y2 = np.minimum(xyxy[i, 2:], xyxy[k, 2:])
            inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
            if inter / (_area(xyxy[i]) + _area(xyxy[k]) - inter) > iou:
                ok = False
                break
        if ok:
            kept.append(i)
    return kept


@pytest.mark.parametrize("seed", range(5))
def test_nms_matches_the_obvious_algorithm(seed: int) -> None:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(50, 600, (8, 2))[rng.integers(0, 8, 120)] + rng.normal(0, 6, (120, 2))
    sizes = rng.uniform(30, 120, (120, 2))
    xyxy = np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1).astype(np.float32)
    conf = rng.permutation(np.linspace(0.3, 0.99, 120)).astype(np.float32)
    cls = rng.integers(0, 3, 120).astype(np.int32)
    for iou in (0.3, 0.5, 0.7):
        assert nms(xyxy, conf, cls, iou).tolist() == reference_nms(xyxy, conf, cls, iou)


def test_decode_anchors_edge_cases() -> None:
    empty = decode_anchors(np.zeros((6, 10), np.float32), DecodeSettings())
    assert len(empty) == 0 and empty.xyxy.shape == (0, 4)
    prediction = np.zeros((6, 3), np.float32)
    prediction[:, 0] = (100, 100, -20, 10, 0.9, 0.0)  # negative width from a broken model
    prediction[:, 1] = (300, 300, 40, 40, 0.2, 0.6)
    decoded = decode_anchors(prediction, DecodeSettings(class_ids=frozenset({0})))
    assert decoded.class_id.tolist() == [0]
    np.testing.assert_allclose(decoded.xyxy, [[100, 95, 100, 105]])
    # Ultralytics filters classes after each anchor picked its best class: anchor 1 is class
    # 1 (0.6), so asking for class 0 does not turn it into a 0.2 class-0 box.
    assert 1 not in decoded.class_id.tolist()


def test_decode_end_to_end() -> None:
    rows = np.array(
        [[10, 10, 20, 20, 0.5, 1], [5, 5, 4, 8, 0.9, 0], [0, 0, 1, 1, 0.1, 0]], np.float32
    )
    decoded = decode_end_to_end(rows, DecodeSettings(max_detections=5))
    assert decoded.class_id.tolist() == [0, 1]
    np.testing.assert_allclose(decoded.confidence, [0.9, 0.5])
    np.testing.assert_allclose(decoded.xyxy[0], [5, 5, 5, 8])  # x2 < x1 repaired
    only = decode_end_to_end(rows, DecodeSettings(class_ids=frozenset({1})))
    assert only.class_id.tolist() == [1]
