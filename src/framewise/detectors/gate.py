"""The ``gate`` stage: which frames the foundation models see, decided before they run.

Full-size Grounding DINO costs 14–59 s per image and SAM-B ~20 s on a laptop CPU, so an
annotation chain starts with a cheap gate: a frame is skipped when it comes less than
``min_interval_seconds`` after the last kept frame, or when it differs from that frame by less
than ``threshold`` — the mean absolute difference of 32×32 grey thumbnails (0–255), or
``1 − cosine`` of CLIP image embeddings (``method: clip``). The gate writes its decision into
each frame's features (``gate_skipped``: 1 skipped, 0 kept); later stages run only on kept
frames, and the gate counts both. It compares with the last *kept* frame, in stream order,
so a slow drift is still caught, and every batch size makes the same decisions.

Example:
    >>> from framewise.config.detectors import GateConfig
    >>> gate = GateStage(GateConfig(kind="gate", threshold=0))
    >>> gate.kept, gate.skipped
    (0, 0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from framewise.config.detectors import GateConfig, detector_name
from framewise.core.detections import FloatArray
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import StreamWatch
from framewise.detectors.clip_features import ClipEncoder
from framewise.detectors.hf import SKIPPED_FEATURE, HfStage, check_lengths, kept_indices, rgb_pil

THUMB_SIDE = 32


def thumbnail(frame: Frame) -> FloatArray:
    """The frame as a 32×32 grey float thumbnail (what the difference gate compares)."""
    grey = cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (THUMB_SIDE, THUMB_SIDE), interpolation=cv2.INTER_AREA)
    return np.asarray(small, np.float32)


class GateStage(HfStage):
    """Skips frames too soon after, or too like, the last kept one.

    Attributes:
        kept: Frames let through so far.
        skipped: Frames skipped so far.
    """

    def __init__(self, config: GateConfig, encoder: ClipEncoder | None = None) -> None:
        super().__init__(detector_name(config))
        self.config = config
        self.encoder = encoder
        self.kept = 0
        self.skipped = 0
        self.last_seconds: float | None = None
        self.last_signature: FloatArray | None = None
        self._watch = StreamWatch()

    def thresholds(self) -> Mapping[str, float]:
        """Nothing to tune while running (the difference scale is not [0, 1])."""
        return {}

    def distance(self, signature: FloatArray) -> float:
        """How far ``signature`` is from the last kept frame's (``inf``: none yet)."""
        if self.last_signature is None:
            return float("inf")
        if self.config.method == "clip":
            return float(1.0 - float(signature @ self.last_signature))
        return float(np.abs(signature - self.last_signature).mean())

    def signatures(self, batch: Sequence[Frame]) -> list[FloatArray]:
        """What the gate compares, per frame: a thumbnail or a CLIP embedding."""
        if self.encoder is None:
            return [thumbnail(frame) for frame in batch]
        return list(self.encoder.image_embeddings([rgb_pil(f.image) for f in batch]))

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Mark each frame kept (``gate_skipped`` 0) or skipped (1)."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        seen = kept_indices(results)  # an earlier gate's skips stay skipped
        skipped = set(range(len(batch))) - set(seen)
        for i, signature in zip(seen, self.signatures([batch[i] for i in seen]), strict=True):
            if self._watch.restarted(batch[i]):
                # Another video: its first frame is compared with nothing (a folder run used
                # to skip the next video's opening frames as "too soon" after the last one's).
                self.last_seconds, self.last_signature = None, None
            seconds = batch[i].seconds
            soon = (
                self.last_seconds is not None
                and seconds - self.last_seconds < self.config.min_interval_seconds
            )
            if soon or self.distance(signature) < self.config.threshold:
                skipped.add(i)
                continue
            self.last_seconds, self.last_signature = seconds, signature
        for i in range(len(batch)):
            mark = 1.0 if i in skipped else 0.0
            outputs[i] = outputs[i].with_features({SKIPPED_FEATURE: mark})
        self.skipped += len(skipped)
        self.kept += len(batch) - len(skipped)
        return outputs


def build_gate(config: GateConfig) -> GateStage:
    """Build the ``gate`` stage of ``config`` (loading CLIP only for ``method: clip``)."""
    if config.method == "clip" and config.model:
        return GateStage(config, ClipEncoder(config.model, config.device))
    return GateStage(config)
