"""Annotation stages whose models ship in registry packages: the embedded default (no folders).

The foundation-model stages need checkpoints the user fetches; these run out of the box, so
``framewise demo`` shows real boxes and masks on a clean machine:

- ``hog_people``: OpenCV's HOG + linear SVM people detector (Dalal & Triggs, its default
  model is inside OpenCV), boxes of class ``person``, score the SVM margin squashed to 0–1;
- ``text_boxes``: RapidOCR's PP-OCR text *detector* alone (its ONNX model is inside the
  rapidocr wheel), boxes of class ``text`` around lines of text, no recognition;
- ``grabcut_segmenter``: OpenCV's GrabCut seeded with each box (the box's border is
  background), a mask per box — the classical stand-in for SAM;
- ``selfie_segmenter``: MediaPipe's selfie segmentation (its TFLite model is inside the
  mediapipe 0.10.21 wheel) gives each frame a person-probability map once; a ``person`` box's
  mask is the map above ``threshold`` inside the box. It runs under the project's protobuf
  6.33: the bindings only print a harmless ``GetPrototype`` line on import (kept off the
  terminal); ``label()``'s deprecation warning, which pose's graph raises, is silenced the
  same way should this graph raise it.

None of these take a batch in one call (their libraries have no batch API), so they loop over
the kept frames; the ``gate`` stage applies to them as to the others.
"""

from __future__ import annotations

import importlib
import io
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stderr
from typing import Any

import cv2
import numpy as np

from framewise.config.detectors import (
    GrabCutConfig,
    HogPeopleConfig,
    SelfieSegmenterConfig,
    TextBoxesConfig,
    detector_name,
)
from framewise.core.detections import Detections
from framewise.core.errors import ModelError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.hf import HfStage, check_lengths, kept_indices


class _PerFrameDetector(HfStage):
    """Adds one frame's boxes at a time after the boxes found so far (kept frames only)."""

    def boxes(self, frame: Frame) -> Detections:
        """One frame's boxes."""
        raise NotImplementedError

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add the boxes of each kept frame."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        for i in kept_indices(results):
            merged = Detections.merge(outputs[i].detections, self.boxes(batch[i]))
            outputs[i] = outputs[i].with_detections(merged)
        return outputs


class HogPeopleStage(_PerFrameDetector):
    """OpenCV's default HOG people detector."""

    class_names = ("person",)

    def __init__(self, config: HogPeopleConfig) -> None:
        super().__init__(detector_name(config), config.threshold)
        self.config = config
        self.hog = cv2.HOGDescriptor()
        # The stubs lack this (older) module-level spelling of getDefaultPeopleDetector.
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())  # type: ignore[attr-defined]

    def boxes(self, frame: Frame) -> Detections:
        """People in ``frame`` (searched at ``max_side`` pixels, returned in source pixels)."""
        scale = min(1.0, self.config.max_side / max(frame.width, frame.height))
        image: np.ndarray = frame.image
        if scale < 1.0:
            size = (round(frame.width * scale), round(frame.height * scale))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        rects, weights = self.hog.detectMultiScale(
            image, winStride=(8, 8), padding=(8, 8), scale=1.05
        )
        if len(rects) == 0:
            return Detections.empty()
        xywh = np.asarray(rects, np.float32).reshape(-1, 4) / scale
        xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
        # The SVM margin is unbounded; a logistic squash makes it a 0–1 score (0 → 0.5).
        margins = np.asarray(weights, np.float32).reshape(-1)
        scores = (1.0 / (1.0 + np.exp(-margins))).astype(np.float32)
        # OpenCV searches the scales in parallel, so its boxes come back in any order; best
        # first (then left to right, top to bottom) makes a frame's boxes the same every run.
        order = np.lexsort((xyxy[:, 1], xyxy[:, 0], -scores))
        keep = order[scores[order] >= (self.threshold or 0.0)]
        return Detections(xyxy[keep], scores[keep], ("person",) * len(keep))


class TextBoxesStage(_PerFrameDetector):
    """RapidOCR's text detector: boxes around lines of text."""

    class_names = ("text",)

    def __init__(self, config: TextBoxesConfig) -> None:
        super().__init__(detector_name(config), config.threshold)
        self.config = config
        try:
            from rapidocr import RapidOCR
        except ImportError:
            raise ModelError(
                "the text_boxes stage needs RapidOCR, which is not installed",
                subject="rapidocr",
                hint="install framewise with the detect extra: pip install 'framewise[detect]'",
            ) from None
        params = {"Global.log_level": "error", "Det.limit_side_len": config.det_limit_side}
        self.engine: Any = RapidOCR(params=params)

    def boxes(self, frame: Frame) -> Detections:
        """Lines of text in ``frame`` (axis-aligned boxes around the detector's quads)."""
        found = self.engine(frame.image, use_det=True, use_cls=False, use_rec=False)
        quads = getattr(found, "boxes", None)
        if quads is None or len(quads) == 0:
            return Detections.empty()
        points = np.asarray(quads, np.float32).reshape(-1, 4, 2)
        xyxy = np.concatenate([points.min(axis=1), points.max(axis=1)], axis=1)
        xyxy[:, [0, 2]] = np.clip(xyxy[:, [0, 2]], 0, frame.width)
        xyxy[:, [1, 3]] = np.clip(xyxy[:, [1, 3]], 0, frame.height)
        scores = np.asarray(found.scores, np.float32).reshape(-1)
        area = (xyxy[:, 2] - xyxy[:, 0]) * (xyxy[:, 3] - xyxy[:, 1])
        small = area <= self.config.max_area_share * frame.width * frame.height
        keep = (scores >= (self.threshold or 0.0)) & small
        return Detections(xyxy[keep], scores[keep], ("text",) * int(keep.sum()))


def grabcut(image: np.ndarray, box: Sequence[float], iterations: int, margin: int) -> np.ndarray:
    """GrabCut's foreground inside ``box`` as an H×W bool mask of the whole image."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = (round(v) for v in box)
    left, top = max(x1 - margin, 0), max(y1 - margin, 0)
    right, bottom = min(x2 + margin, width), min(y2 + margin, height)
    mask = np.zeros((height, width), bool)
    if right - left < 3 or bottom - top < 3 or x2 - x1 < 2 or y2 - y1 < 2:
        return mask
    region = np.ascontiguousarray(image[top:bottom, left:right])
    labels = np.zeros(region.shape[:2], np.uint8)
    rect = (x1 - left, y1 - top, max(x2 - x1, 1), max(y2 - y1, 1))
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    # GrabCut seeds its colour models by k-means on OpenCV's global RNG: without a fixed seed
    # the same box gets another mask on every call (and batch sizes or a resume disagree).
    cv2.setRNGSeed(0)
    cv2.grabCut(region, labels, rect, background, foreground, iterations, cv2.GC_INIT_WITH_RECT)
    inside = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    mask[top:bottom, left:right] = inside
    return mask


class GrabCutSegmenterStage(HfStage):
    """A GrabCut mask for each box of the kept frames (of ``classes``, when given)."""

    def __init__(self, config: GrabCutConfig) -> None:
        super().__init__(detector_name(config))
        self.config = config

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add a mask to every (chosen) box of each kept frame."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        wanted = self.config.classes
        for i in kept_indices(results):
            dets, frame = outputs[i].detections, batch[i]
            if not len(dets):
                continue
            masks = _masks_of(dets, frame)
            for row, (box, name) in enumerate(
                zip(dets.xyxy.tolist(), dets.class_name, strict=True)
            ):
                if wanted is None or name in wanted:
                    masks[row] = grabcut(frame.image, box, self.config.iterations, 8)
            outputs[i] = outputs[i].with_detections(dets.replace(mask=masks))
        return outputs


def _masks_of(dets: Detections, frame: Frame) -> np.ndarray:
    """The boxes' masks so far as a writable N×H×W bitmap (zeros where none were made)."""
    shape = (len(dets), frame.height, frame.width)
    had = dets.bitmap_masks()
    return had.copy() if had is not None and had.shape == shape else np.zeros(shape, bool)


PROTOBUF_NOISE = "'MessageFactory' object has no attribute 'GetPrototype'"
"""What MediaPipe's bindings print on import under protobuf 5+ (harmless: never called)."""


@contextmanager
def _mediapipe_quiet() -> Iterator[None]:
    """Import or build a MediaPipe graph without its protobuf 6 noise (nothing else hidden)."""
    said = io.StringIO()
    try:
        with warnings.catch_warnings(), redirect_stderr(said):
            warnings.filterwarnings("ignore", "label\\(\\) is deprecated", DeprecationWarning)
            yield
    finally:
        for line in said.getvalue().splitlines():
            if PROTOBUF_NOISE not in line:
                sys.stderr.write(line + "\n")


class SelfieSegmenterStage(HfStage):
    """MediaPipe selfie segmentation: one person map per kept frame, cut to each box."""

    def __init__(self, config: SelfieSegmenterConfig) -> None:
        super().__init__(detector_name(config), config.threshold)
        self.config = config
        try:
            with _mediapipe_quiet():
                module = importlib.import_module("mediapipe.python.solutions.selfie_segmentation")
                self.graph: Any = module.SelfieSegmentation(model_selection=config.model_selection)
        except ImportError:
            raise ModelError(
                "the selfie_segmenter stage needs mediapipe 0.10.21, which is not installed",
                subject="mediapipe",
                hint="run `make install` (it adds mediapipe==0.10.21 with --no-deps "
                "and the 'pose' extra)",
            ) from None

    def person_map(self, frame: Frame) -> np.ndarray:
        """Per pixel, the probability that it shows a person (H×W float32)."""
        with _mediapipe_quiet():
            found = self.graph.process(np.ascontiguousarray(frame.image[:, :, ::-1]))
        return np.asarray(found.segmentation_mask, np.float32)

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Mask each box of ``classes`` in the kept frames (other boxes keep their masks)."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        wanted = self.config.classes
        for i in kept_indices(results):
            dets, frame = outputs[i].detections, batch[i]
            rows = [r for r, name in enumerate(dets.class_name) if name in wanted]
            if not rows:
                continue
            cut = self.config.threshold if self.threshold is None else self.threshold
            person = self.person_map(frame) >= cut
            masks = _masks_of(dets, frame)
            for row in rows:
                x1, y1, x2, y2 = (round(v) for v in dets.xyxy[row].tolist())
                masks[row] = False
                top, left = max(y1, 0), max(x1, 0)
                masks[row, top:y2, left:x2] = person[top:y2, left:x2]
            outputs[i] = outputs[i].with_detections(dets.replace(mask=masks))
        return outputs

    def close(self) -> None:
        """Release MediaPipe's graph."""
        self.graph.close()


def build_hog_people(config: HogPeopleConfig) -> HogPeopleStage:
    """Build the ``hog_people`` stage of ``config``."""
    return HogPeopleStage(config)


def build_text_boxes(config: TextBoxesConfig) -> TextBoxesStage:
    """Build the ``text_boxes`` stage of ``config``."""
    return TextBoxesStage(config)


def build_grabcut(config: GrabCutConfig) -> GrabCutSegmenterStage:
    """Build the ``grabcut_segmenter`` stage of ``config``."""
    return GrabCutSegmenterStage(config)


def build_selfie_segmenter(config: SelfieSegmenterConfig) -> SelfieSegmenterStage:
    """Build the ``selfie_segmenter`` stage of ``config``."""
    return SelfieSegmenterStage(config)
