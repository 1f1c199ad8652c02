"""The detector protocol: a batch of frames in, one Detections per frame out.

A detector takes a batch of frames and returns one :class:`Detections` per frame, boxes in
source pixels. It may hold a model, threads or a device, so it has :meth:`Detector.close`.

Stages are built from pipeline YAML through the one explicit registry,
:data:`framewise.pipeline.chain.STAGES` (kind → factory).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from framewise.core.detections import Detections
from framewise.core.frames import Frame


@runtime_checkable
class Detector(Protocol):
    """Anything that detects objects in a batch of frames."""

    def detect(self, batch: Sequence[Frame]) -> list[Detections]:
        """Return one :class:`Detections` per frame of ``batch``, in the same order."""
        ...

    def close(self) -> None:
        """Release models, threads and devices; the detector is unusable afterwards."""
        ...
