"""Detections: the one validated result type every detector returns, per frame.

Converters live at the edges (detectors build it from model outputs; exporters write it as
YOLO text, COCO, CVAT). Boxes are ``xyxy`` in source pixels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class Detections:
    """The detections in one frame.

    Attributes:
        xyxy: N×4 float32 boxes ``(x1, y1, x2, y2)`` in source pixels.
        confidence: N float32 scores in [0, 1].
        class_name: N class names.
        text: N recognised strings (``None`` where no OCR ran).
        attributes: N dicts of parsed fields (e.g. ``{"weapon": "AK-74M"}``).
    """

    xyxy: FloatArray
    confidence: FloatArray
    class_name: tuple[str, ...]
    text: tuple[str | None, ...] = ()
    attributes: tuple[Mapping[str, Any], ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.class_name)
        xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        confidence = np.asarray(self.confidence, dtype=np.float32).reshape(-1)
        if xyxy.shape[0] != n or confidence.shape[0] != n:
            raise ValueError(
                f"detections disagree in length: {xyxy.shape[0]} boxes, "
                f"{confidence.shape[0]} scores, {n} class names"
            )
        if n and (np.any(xyxy[:, 2] < xyxy[:, 0]) or np.any(xyxy[:, 3] < xyxy[:, 1])):
            raise ValueError("boxes must be xyxy with x2 >= x1 and y2 >= y1")
        text = self.text or (None,) * n
        attributes = self.attributes or ({},) * n
        if len(text) != n or len(attributes) != n:
            raise ValueError("text and attributes must have one entry per box")
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "confidence", confidence)
        object.__setattr__(self, "text", tuple(text))
        object.__setattr__(self, "attributes", tuple(attributes))

    @classmethod
    def empty(cls) -> Detections:
        """No detections."""
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), ())

    def __len__(self) -> int:
        return len(self.class_name)

    def select(self, mask: NDArray[np.bool_] | Sequence[bool]) -> Detections:
        """Keep the detections where ``mask`` is true."""
        keep = np.asarray(mask, dtype=bool)
        idx = np.flatnonzero(keep)
        return Detections(
            self.xyxy[keep],
            self.confidence[keep],
            tuple(self.class_name[i] for i in idx),
            tuple(self.text[i] for i in idx),
            tuple(self.attributes[i] for i in idx),
        )

    def of_class(self, *names: str) -> Detections:
        """Keep the detections whose class is one of ``names``."""
        return self.select([c in names for c in self.class_name])

    def above(self, threshold: float) -> Detections:
        """Keep the detections with confidence >= ``threshold``."""
        return self.select(self.confidence >= threshold)

    def as_yolo_txt(self, width: int, height: int, class_ids: Mapping[str, int]) -> str:
        """Format as a YOLO label file: ``class cx cy w h`` normalised to [0, 1], one per line.

        Args:
            width: Image width in pixels.
            height: Image height in pixels.
            class_ids: Class name → YOLO class index.
        """
        lines = []
        for (x1, y1, x2, y2), name in zip(self.xyxy.tolist(), self.class_name, strict=True):
            cx, cy = (x1 + x2) / 2 / width, (y1 + y2) / 2 / height
            w, h = (x2 - x1) / width, (y2 - y1) / height
            lines.append(f"{class_ids[name]} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
        return "\n".join(lines) + ("\n" if lines else "")
