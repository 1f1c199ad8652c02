"""The detector chain: detectors find boxes, readers (OCR) add text and fields to them.

Stages are built from the pipeline YAML through an explicit registry (kind → factory).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

import numpy as np

from framewise.config.detectors import DetectorConfig, OcrConfig, YoloOnnxConfig
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.detectors.base import Detector


class Reader(Protocol):
    """A stage that reads boxes found by earlier stages (e.g. OCR) and returns them enriched."""

    def read(self, batch: Sequence[Frame], detections: Sequence[Detections]) -> list[Detections]:
        """One enriched :class:`Detections` per frame."""
        ...

    def close(self) -> None:
        """Release models and threads."""
        ...


def merge(a: Detections, b: Detections) -> Detections:
    """Both frames' detections in one (``a``'s first)."""
    if not len(a):
        return b
    if not len(b):
        return a
    return Detections(
        np.concatenate([a.xyxy, b.xyxy]),
        np.concatenate([a.confidence, b.confidence]),
        a.class_name + b.class_name,
        a.text + b.text,
        a.attributes + b.attributes,
    )


@dataclass
class DetectorChain:
    """Runs the detectors on a batch, merges their boxes, then lets the readers enrich them."""

    detectors: list[Detector] = field(default_factory=list)
    readers: list[Reader] = field(default_factory=list)
    model_version: str = ""

    def detect(self, batch: Sequence[Frame]) -> list[Detections]:
        """One :class:`Detections` per frame of ``batch``."""
        results = [Detections.empty() for _ in batch]
        for detector in self.detectors:
            found = detector.detect(batch)
            results = [merge(a, b) for a, b in zip(results, found, strict=True)]
        for reader in self.readers:
            results = reader.read(batch, results)
        return results

    def close(self) -> None:
        """Close every stage."""
        for detector in self.detectors:
            detector.close()
        for reader in self.readers:
            reader.close()


def _yolo(config: YoloOnnxConfig, confidence: float | None, chain: DetectorChain) -> None:
    from framewise.detectors.yolo_onnx import YoloOnnxDetector

    chain.detectors.append(
        YoloOnnxDetector(
            config.model,
            confidence_threshold=confidence if confidence is not None else config.confidence,
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
    chain.model_version = chain.model_version or config.model.stem


def _ocr(config: OcrConfig, confidence: float | None, chain: DetectorChain) -> None:
    from framewise.detectors.ocr import OcrReader

    chain.readers.append(OcrReader(config))


StageFactory = Callable[..., None]

STAGES: Mapping[str, StageFactory] = MappingProxyType({"yolo_onnx": _yolo, "ocr": _ocr})
"""Stage kind (``kind:`` in the YAML) → factory that adds the stage to a chain."""


def build_chain(
    configs: Sequence[DetectorConfig], *, confidence: float | None = None
) -> DetectorChain:
    """Build the chain described by the YAML's ``detectors`` list.

    Args:
        configs: The detector entries, in order.
        confidence: Overrides every detector's confidence threshold (``--confidence-threshold``).
    """
    chain = DetectorChain()
    try:
        for config in configs:
            STAGES[config.kind](config, confidence, chain)
    except BaseException:
        chain.close()
        raise
    return chain
