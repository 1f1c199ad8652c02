"""Decode the raw output of Ultralytics YOLO detection heads into boxes, scores and classes.

Two head layouts exist in exported ONNX files:

- **YOLOv8 / YOLO11** (``(N, 4 + nc, anchors)``): per anchor a centre-size box ``cx, cy, w, h``
  in model-input pixels followed by one sigmoid score per class. Needs confidence filtering
  and class-aware non-maximum suppression (NMS), done here.
- **End-to-end** (``(N, max_det, 6)``, YOLOv10 / YOLO26 or exports with ``nms=True``): rows of
  ``x1, y1, x2, y2, score, class``, already suppressed by the model.

NMS uses OpenCV's ``cv2.dnn.NMSBoxesBatched``: on the 2-core dev machine it took 10–30× less
CPU than a vectorised numpy loop at 10–300 candidate boxes (the usual range after the
confidence filter) and 2–5× less at 1 000–3 000, keeping the same boxes
(``bench/detect_onnx.py`` measures both in one run).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

MAX_NMS_CANDIDATES = 30_000
"""Most candidates handed to NMS per image (the highest scoring), as in Ultralytics."""


@dataclass(frozen=True, slots=True)
class DecodeSettings:
    """Thresholds shared by both head layouts.

    Attributes:
        confidence: Keep boxes whose best class score is >= this.
        iou: Suppress a box when it overlaps a higher-scoring box of the same class by more
            than this intersection-over-union.
        max_detections: Keep at most this many boxes per image (highest scores first).
        class_ids: Keep only these class indices; ``None`` keeps all.
    """

    confidence: float = 0.25
    iou: float = 0.7
    max_detections: int = 300
    class_ids: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Decoded:
    """Boxes of one image in model-input pixels, highest score first.

    Attributes:
        xyxy: N×4 float32 boxes.
        confidence: N float32 scores.
        class_id: N int32 class indices.
    """

    xyxy: NDArray[np.float32]
    confidence: NDArray[np.float32]
    class_id: NDArray[np.int32]

    def __len__(self) -> int:
        return int(self.confidence.shape[0])


def decode_anchors(prediction: NDArray[np.float32], settings: DecodeSettings) -> Decoded:
    """Decode one image's ``(4 + nc, anchors)`` YOLOv8/11 output.

    Each anchor keeps only its best class (Ultralytics' single-label mode); the class filter
    applies after that choice, as in Ultralytics, so a filtered-out class never lends its
    anchor to another class.
    """
    scores = prediction[4:]
    best = scores.max(axis=0) if scores.shape[0] else np.zeros(scores.shape[1], np.float32)
    candidates = np.flatnonzero(best >= settings.confidence)
    if candidates.size and scores.shape[0]:
        class_id = scores[:, candidates].argmax(axis=0).astype(np.int32)
    else:
        class_id = np.zeros(0, np.int32)
    confidence = best[candidates].astype(np.float32)
    if settings.class_ids is not None:
        wanted = np.isin(class_id, np.fromiter(settings.class_ids, np.int32))
        candidates, class_id, confidence = candidates[wanted], class_id[wanted], confidence[wanted]
    if candidates.size > MAX_NMS_CANDIDATES:
        top = np.argsort(-confidence, kind="stable")[:MAX_NMS_CANDIDATES]
        candidates, class_id, confidence = candidates[top], class_id[top], confidence[top]
    cxcywh = prediction[:4, candidates].T.astype(np.float32)
    # A malformed model can emit negative sizes; clamp so every box has x2 >= x1, y2 >= y1.
    half = np.maximum(cxcywh[:, 2:], 0) / 2
    xyxy = np.concatenate([cxcywh[:, :2] - half, cxcywh[:, :2] + half], axis=1)
    keep = nms(xyxy, confidence, class_id, settings.iou)[: settings.max_detections]
    return Decoded(xyxy[keep], confidence[keep], class_id[keep])


def decode_end_to_end(prediction: NDArray[np.float32], settings: DecodeSettings) -> Decoded:
    """Decode one image's ``(max_det, 6)`` end-to-end output (already suppressed)."""
    rows = prediction[prediction[:, 4] >= settings.confidence]
    class_id = rows[:, 5].round().astype(np.int32)
    if settings.class_ids is not None:
        wanted = np.isin(class_id, np.fromiter(settings.class_ids, np.int32))
        rows, class_id = rows[wanted], class_id[wanted]
    order = np.argsort(-rows[:, 4], kind="stable")[: settings.max_detections]
    xyxy = rows[order, :4].astype(np.float32)
    xyxy[:, 2:] = np.maximum(xyxy[:, 2:], xyxy[:, :2])
    return Decoded(xyxy, rows[order, 4].astype(np.float32), class_id[order])


def nms(
    xyxy: NDArray[np.float32],
    confidence: NDArray[np.float32],
    class_id: NDArray[np.int32],
    iou: float,
) -> NDArray[np.intp]:
    """Class-aware non-maximum suppression.

    Args:
        xyxy: N×4 boxes.
        confidence: N scores.
        class_id: N class indices; boxes of different classes never suppress each other.
        iou: Suppress boxes overlapping a kept box of the same class by more than this.

    Returns:
        Indices of the kept boxes, highest score first.
    """
    if xyxy.shape[0] == 0:
        return np.zeros(0, np.intp)
    xywh = xyxy.astype(np.float64)
    xywh[:, 2:] -= xywh[:, :2]
    # A score threshold below every score: filtering is done by the caller (with >=).
    # OpenCV's stubs ask for sequences; it takes the arrays as they are, without a copy.
    kept = cv2.dnn.NMSBoxesBatched(
        xywh,  # type: ignore[arg-type]
        confidence,  # type: ignore[arg-type]
        class_id,  # type: ignore[arg-type]
        -1.0,
        float(iou),
    )
    indices = np.asarray(kept, dtype=np.intp).reshape(-1)
    # OpenCV returns the kept boxes best first; sort again, stably, so ties keep anchor order.
    return indices[np.argsort(-confidence[indices], kind="stable")]
