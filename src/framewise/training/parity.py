"""Does the ONNX export detect what the PyTorch model detects? Checked image by image."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from framewise.core.boxes import iou as iou_of
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.detectors.yolo_onnx import YoloOnnxDetector
from framewise.training.ultralytics_env import ultralytics_module


@dataclass(frozen=True)
class Parity:
    """Box-level agreement of two models on the same images.

    Attributes:
        images: Images compared.
        reference_boxes: Boxes the PyTorch model found.
        matched: Of those, boxes the ONNX model found too (same class, IoU ≥ ``iou``).
        extra_boxes: ONNX boxes with no PyTorch counterpart.
        max_confidence_delta: Largest confidence difference among matched boxes.
        iou: The matching threshold.
    """

    images: int
    reference_boxes: int
    matched: int
    extra_boxes: int
    max_confidence_delta: float
    iou: float = 0.9

    @property
    def ok(self) -> bool:
        """At most 1 % of boxes differ and confidences agree to 0.02."""
        missing = self.reference_boxes - self.matched
        allowed = max(1, self.reference_boxes // 100)
        return missing + self.extra_boxes <= allowed and self.max_confidence_delta <= 0.02


def compare(reference: Detections, candidate: Detections, iou: float) -> tuple[int, int, float]:
    """Greedy one-to-one matching; returns (matched, extra, max confidence delta)."""
    used: set[int] = set()
    matched, delta = 0, 0.0
    for i in np.argsort(-reference.confidence):
        best, best_iou = None, iou
        for j in range(len(candidate)):
            if j in used or candidate.class_name[j] != reference.class_name[i]:
                continue
            overlap = iou_of(reference.xyxy[i], candidate.xyxy[j])
            if overlap >= best_iou:
                best, best_iou = j, overlap
        if best is not None:
            used.add(best)
            matched += 1
            delta = max(delta, abs(float(reference.confidence[i] - candidate.confidence[best])))
    return matched, len(candidate) - len(used), delta


def check_parity(
    weights: Path,
    onnx: Path,
    images: Sequence[Path],
    imgsz: int,
    *,
    confidence: float = 0.25,
    iou: float = 0.9,
    limit: int = 200,
) -> Parity:
    """Run both models on up to ``limit`` images with the same letterbox and thresholds."""
    ultralytics = ultralytics_module("ultralytics")
    torch_model = ultralytics.YOLO(str(weights), task="detect")
    names = torch_model.names
    detector = YoloOnnxDetector(
        onnx, confidence_threshold=confidence, iou_threshold=0.7, imgsz=imgsz, rect=True
    )
    totals = [0, 0, 0, 0]
    worst = 0.0
    try:
        for path in images[:limit]:
            image = np.asarray(cv2.imread(str(path)), dtype=np.uint8)
            if image.ndim != 3:
                continue  # unreadable image
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                [result] = torch_model.predict(
                    image, imgsz=imgsz, conf=confidence, iou=0.7, verbose=False, device="cpu"
                )
            boxes = result.boxes
            reference = Detections(
                boxes.xyxy.numpy().astype(np.float32),
                boxes.conf.numpy().astype(np.float32),
                tuple(str(names[int(c)]) for c in boxes.cls.numpy()),
            )
            frame = Frame(image, 0, 0.0, datetime.now(UTC), str(path))
            [candidate] = detector.detect([frame])
            matched, extra, delta = compare(reference, candidate, iou)
            totals[0] += 1
            totals[1] += len(reference)
            totals[2] += matched
            totals[3] += extra
            worst = max(worst, delta)
    finally:
        detector.close()
    return Parity(totals[0], totals[1], totals[2], totals[3], worst, iou)
