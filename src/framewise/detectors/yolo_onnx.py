"""``yolo_onnx``: run any Ultralytics-exported ONNX detection model with ONNX Runtime.

Everything the model needs is read from the file: class names, input size and stride from
the export's metadata, batch and spatial axes (fixed or dynamic) and the head layout from its
input and output shapes. Frames are letterboxed like Ultralytics does, run in one call per
batch when the batch axis is dynamic (else in chunks of the fixed batch size), decoded, and
their boxes mapped back to source pixels.

Ultralytics itself is never imported here (it is AGPL and only needed for training).

Example:
    >>> detector = YoloOnnxDetector("yolo11n.onnx", confidence_threshold=0.4)  # doctest: +SKIP
    >>> detections = detector.detect(frames)  # doctest: +SKIP
    >>> detector.names[:2], detector.imgsz  # doctest: +SKIP
    (('person', 'bicycle'), (640, 640))
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
from numpy.typing import NDArray

from framewise.core.detections import Detections
from framewise.core.errors import ConfigError, ModelError
from framewise.core.frames import Frame
from framewise.detectors.letterbox import Letterbox, align, rect_shape
from framewise.detectors.onnx_session import (
    ProviderSpec,
    open_session,
    run_session,
)
from framewise.detectors.yolo_decode import (
    Decoded,
    DecodeSettings,
    decode_anchors,
    decode_end_to_end,
)
from framewise.detectors.yolo_meta import YoloMetadata

if TYPE_CHECKING:
    import onnxruntime

logger = logging.getLogger(__name__)

DEFAULT_IMGSZ = 640
"""Input size for models with dynamic height and width whose metadata names none."""


class YoloOnnxDetector:
    """Detect objects with an Ultralytics YOLOv8/11 (or end-to-end) ONNX export.

    Args:
        model: Path to the ``.onnx`` file.
        confidence_threshold: Keep boxes whose class score is >= this (Ultralytics: 0.25).
        iou_threshold: Class-aware NMS suppresses boxes overlapping a better box of the same
            class by more than this IoU (Ultralytics' predict default: 0.7).
        classes: Keep only these class names; ``None`` keeps all.
        max_detections: Keep at most this many boxes per frame.
        imgsz: Input size (one int for a square, or (height, width)) for models exported
            with dynamic height and width; rounded up to the stride. ``None`` uses the
            export's ``imgsz``. Fixed-size models accept only their own size.
        rect: For dynamic height/width models, pad each batch only to the stride instead of
            to a square (a 16:9 frame at 640 runs at 640×384: fewer pixels, same boxes
            within rounding).
        providers: ONNX Runtime execution providers in order of preference, as names or
            ``(name, options)`` pairs. Those ONNX Runtime does not report as available are
            skipped with a logged warning; the CPU provider is always kept as the last resort.
        intra_op_threads: Threads ONNX Runtime uses inside one operator (0: its default, all
            cores). 1 was fastest on a 2-core machine where decoding runs in parallel.
        batch: Most frames per inference call for models with a dynamic batch axis
            (``None``: everything given to one :meth:`detect` call). Models with a fixed batch
            axis always run their own batch size, padding the last call.
        names: Class names to use instead of (or in the absence of) the export's ``names``.

    Attributes:
        path: The model file.
        names: Class names in class-index order (from the metadata, or ``names=``).
        imgsz: Input (height, width) the frames are letterboxed to (with ``rect``: the most).
        stride: The head's largest stride; dynamic inputs are aligned to it.
        end_to_end: Whether the model's output is already suppressed (``(N, max_det, 6)``).
        providers: Execution providers the session actually uses, in priority order.
        settings: Confidence, IoU, detection-count and class thresholds used for decoding.

    Raises:
        ModelError: The file is missing, not ONNX, not a detection model, or lacks class names.
        ConfigError: An argument is out of range or does not fit the model.
    """

    kind: ClassVar[str] = "yolo_onnx"

    def __init__(
        self,
        model: str | Path,
        *,
        confidence_threshold: float = 0.25,
        iou_threshold: float = 0.7,
        classes: Collection[str] | None = None,
        max_detections: int = 300,
        imgsz: int | tuple[int, int] | None = None,
        rect: bool = False,
        providers: Sequence[ProviderSpec] = ("CPUExecutionProvider",),
        intra_op_threads: int = 1,
        batch: int | None = None,
        names: Sequence[str] | None = None,
    ) -> None:
        self.path = Path(model)
        _check_range(self.path, "confidence_threshold", confidence_threshold, 0.0, 1.0)
        _check_range(self.path, "iou_threshold", iou_threshold, 0.0, 1.0)
        _check_range(self.path, "max_detections", max_detections, 1, None)
        _check_range(self.path, "intra_op_threads", intra_op_threads, 0, None)
        if batch is not None:
            _check_range(self.path, "batch", batch, 1, None)
        session, info = open_session(self.path, providers, intra_op_threads)
        self._session: onnxruntime.InferenceSession | None = session
        self._info = info
        self.providers: tuple[str, ...] = tuple(session.get_providers())
        meta = YoloMetadata.parse(info.metadata, self.path)
        if meta.task not in (None, "detect"):
            raise ModelError(
                f"this is a '{meta.task}' model, not a detection model",
                subject=self.path,
                hint="export a detection model (task=detect), e.g. yolo11n.pt",
            )
        self.stride = meta.stride
        self.names = self._resolve_names(meta, names)
        self.end_to_end = self._resolve_layout(meta)
        self.imgsz = self._resolve_imgsz(meta, imgsz)
        # Frames per session.run: the model's fixed batch, else the caller's cap (if any).
        self._chunk = info.batch_size or batch
        if rect and not info.dynamic_spatial:
            raise ConfigError(
                f"rect=True needs dynamic height and width; the input is fixed at "
                f"{self.imgsz[1]}x{self.imgsz[0]}",
                subject=self.path,
                hint="drop rect, or re-export the model with dynamic=True",
            )
        self.rect = rect
        self.settings = DecodeSettings(
            confidence=float(confidence_threshold),
            iou=float(iou_threshold),
            max_detections=int(max_detections),
            class_ids=self._resolve_classes(classes),
        )
        self._blob: NDArray[Any] | None = None
        # The input buffer is reused between calls; the lock keeps two threads off it.
        self._lock = threading.Lock()

    @property
    def batch_size(self) -> int | None:
        """The model's fixed batch size, or ``None`` when its batch axis is dynamic."""
        return self._info.batch_size

    def detect(self, batch: Sequence[Frame]) -> list[Detections]:
        """Detect objects in each frame of ``batch``.

        Returns:
            One :class:`Detections` per frame, boxes in source pixels, best score first.

        Raises:
            ModelError: ONNX Runtime failed to run the model.
            ValueError: A frame's image is not H×W×3 uint8.
        """
        for frame in batch:
            image = frame.image
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or not image.size:
                raise ValueError(
                    f"frame {frame.index} of {frame.source_id}: expected an H×W×3 uint8 "
                    f"picture, got {image.dtype} {image.shape}"
                )
        session = self._session
        if session is None:
            raise RuntimeError(f"{self!r} is closed")
        chunk = self._chunk or max(1, len(batch))
        results: list[Detections] = []
        with self._lock:
            for start in range(0, len(batch), chunk):
                results.extend(self._detect_chunk(session, batch[start : start + chunk]))
        return results

    def close(self) -> None:
        """Release the ONNX Runtime session and the input buffer."""
        with self._lock:
            self._blob = None
            # Dropping the session is what frees its memory; ONNX Runtime has no close().
            self._session = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"YoloOnnxDetector({str(self.path)!r}, classes={len(self.names)}, "
            f"imgsz={self.imgsz}, batch={self.batch_size or 'dynamic'}, "
            f"providers={list(self.providers)})"
        )

    def _detect_chunk(
        self, session: onnxruntime.InferenceSession, frames: Sequence[Frame]
    ) -> list[Detections]:
        shape = self._input_shape(frames)
        geometries = [Letterbox.fit(f.height, f.width, shape) for f in frames]
        rows = self.batch_size or len(frames)
        blob = self._input_buffer(rows, shape)
        for row, (frame, geometry) in enumerate(zip(frames, geometries, strict=True)):
            geometry.write_input(frame.image, blob[row])
        # A fixed-batch model needs a full batch; the filler rows' outputs are ignored.
        blob[len(frames) :].fill(0)
        output = run_session(session, self._info, blob)
        decode = decode_end_to_end if self.end_to_end else decode_anchors
        return [
            self._to_detections(decode(output[row], self.settings), geometry)
            for row, geometry in enumerate(geometries)
        ]

    def _to_detections(self, decoded: Decoded, geometry: Letterbox) -> Detections:
        # An end-to-end model could emit a class index past the names; drop such rows.
        valid = (decoded.class_id >= 0) & (decoded.class_id < len(self.names))
        if not valid.all():
            decoded = Decoded(
                decoded.xyxy[valid], decoded.confidence[valid], decoded.class_id[valid]
            )
        return Detections.from_yolo(
            geometry.to_source(decoded.xyxy), decoded.confidence, decoded.class_id, self.names
        )

    def _input_shape(self, frames: Sequence[Frame]) -> tuple[int, int]:
        if not self.rect:
            return self.imgsz
        shapes = [rect_shape(f.height, f.width, self.imgsz, self.stride) for f in frames]
        return max(s[0] for s in shapes), max(s[1] for s in shapes)

    def _input_buffer(self, rows: int, shape: tuple[int, int]) -> NDArray[Any]:
        wanted = (rows, 3, *shape)
        if self._blob is None or self._blob.shape != wanted:
            # Reusing one buffer avoids page-faulting tens of MB on every call.
            self._blob = np.empty(wanted, dtype=self._info.input_dtype)
        return self._blob

    def _resolve_names(self, meta: YoloMetadata, names: Sequence[str] | None) -> tuple[str, ...]:
        if isinstance(names, str):  # one class, not a sequence of one-letter names
            names = [names]
        resolved = tuple(names) if names is not None else meta.names
        if not resolved:
            raise ModelError(
                "the model has no class names in its metadata",
                subject=self.path,
                hint="export it with Ultralytics (which writes 'names'), or pass names=[...]",
            )
        if len(set(resolved)) != len(resolved):
            raise ConfigError(
                f"class names repeat: {list(resolved)}",
                subject=self.path,
                hint="give every class a distinct name",
            )
        return resolved

    def _resolve_layout(self, meta: YoloMetadata) -> bool:
        """Return whether the output is end-to-end ``(N, max_det, 6)`` rather than anchors."""
        channels, last = self._info.output_shape[1], self._info.output_shape[2]
        expected = 4 + len(self.names)
        if channels == expected and meta.end_to_end is not True:
            return False
        if last == 6 and (meta.end_to_end is not False or channels != expected):
            return True
        if channels is None and last is None and meta.end_to_end is not None:
            return meta.end_to_end
        shown = tuple("?" if d is None else d for d in self._info.output_shape)
        raise ModelError(
            f"output shape {shown} fits neither a YOLOv8/11 head (N, {expected}, anchors) for "
            f"{len(self.names)} classes nor an end-to-end head (N, max_det, 6)",
            subject=self.path,
            hint="check that names= matches the model, or export a YOLO detection model",
        )

    def _resolve_imgsz(
        self, meta: YoloMetadata, imgsz: int | tuple[int, int] | None
    ) -> tuple[int, int]:
        wanted = (imgsz, imgsz) if isinstance(imgsz, int) else imgsz
        if wanted is not None and min(wanted) < 1:
            raise ConfigError(
                f"imgsz must be positive, got {imgsz}",
                subject=self.path,
                hint="use e.g. 640",
            )
        fixed = self._info.fixed_spatial
        if fixed is not None:
            if wanted is not None and tuple(wanted) != fixed:
                raise ConfigError(
                    f"the model's input is fixed at {fixed[1]}x{fixed[0]}; "
                    f"imgsz={imgsz} cannot apply",
                    subject=self.path,
                    hint="drop imgsz (input_size in YAML), or re-export with dynamic=True",
                )
            return fixed
        size = wanted or meta.imgsz or (DEFAULT_IMGSZ, DEFAULT_IMGSZ)
        aligned = (align(size[0], self.stride), align(size[1], self.stride))
        if aligned != tuple(size):
            logger.warning(
                "%s: input size %s is not a multiple of stride %d; using %s",
                self.path,
                size,
                self.stride,
                aligned,
            )
        return aligned

    def _resolve_classes(self, classes: Collection[str] | None) -> frozenset[int] | None:
        if classes is None:
            return None
        if isinstance(classes, str):  # one class, not a set of letters
            classes = [classes]
        index = {name: i for i, name in enumerate(self.names)}
        unknown = sorted(set(classes) - index.keys())
        if unknown:
            raise ConfigError(
                f"unknown classes {unknown}; the model has {list(self.names)}",
                subject=self.path,
                hint="use class names from the model's metadata",
            )
        return frozenset(index[name] for name in classes)


def _check_range(path: Path, name: str, value: float, low: float, high: float | None) -> None:
    if isinstance(value, bool) or not (low <= value and (high is None or value <= high)):
        bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ConfigError(
            f"{name} must be {bounds}, got {value!r}",
            subject=path,
            hint=f"set {name} {bounds}",
        )
