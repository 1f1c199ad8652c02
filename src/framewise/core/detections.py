"""Detections: the one validated, columnar result type every stage fills, per frame.

Supervision's shape with our validation: one row per box, ``xyxy`` in source pixels, a score
and a class name, then optional columns — class id, track id, mask, keypoints, embedding, OCR
text, typed fields — and ``data``, named arrays for anything else. Converters live on the
type (``from_yolo``, ``as_yolo_txt``, ``as_coco``), as do ``select`` and ``merge``.

Example:
    >>> import numpy as np
    >>> dets = Detections(np.array([[0, 0, 10, 10], [5, 5, 9, 9]], np.float32),
    ...                   np.array([0.9, 0.3], np.float32), ("a", "b"),
    ...                   track_id=np.array([7, 8]))
    >>> kept = dets.above(0.5)
    >>> kept.class_name, kept.track_id.tolist()
    (('a',), [7])
    >>> len(Detections.merge(dets, Detections.empty()))
    2
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from framewise.core.columns import ColumnSpec, coerce_data, merge_data
from framewise.core.fields import FieldReading, legacy_attributes, readings
from framewise.core.masks import RleMask

FloatArray = NDArray[np.float32]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Fields = Mapping[str, FieldReading]
"""One box's parsed fields: name → reading."""

_COLUMNS: Mapping[str, ColumnSpec] = MappingProxyType(
    {
        "class_id": ColumnSpec("class_id", np.int64, (), -1),
        "track_id": ColumnSpec("track_id", np.int64, (), -1),
        "mask": ColumnSpec("mask", np.bool_, (None, None), False),
        # A keypoint the row lacks is (0, 0, 0): COCO's "not labelled".
        "keypoints": ColumnSpec("keypoints", np.float32, (None, 3), 0.0),
        "embedding": ColumnSpec("embedding", np.float32, (None,), np.nan),
    }
)
"""The optional array columns, in the order they are declared on the type."""

_NO_FIELDS: Fields = MappingProxyType({})


@dataclass(frozen=True, init=False)
class Detections:
    """The detections in one frame, one row per box.

    ``xyxy``, ``confidence`` and ``class_name`` are positional; ``text`` and the legacy
    ``attributes`` may be too (older callers); every other column is keyword-only.

    Attributes:
        xyxy: N×4 float32 boxes ``(x1, y1, x2, y2)`` in source pixels.
        confidence: N float32 scores in [0, 1].
        class_name: N class names.
        text: N recognised strings (``None`` where no OCR ran).
        fields: N mappings of parsed fields (``{"weapon": FieldReading("AK-74M", 0.9)}``).
        class_id: N class indices of the model that found them (``None``: absent).
        track_id: N track ids (``None``: absent).
        mask: N×H×W bool masks over the frame (``None``: absent).
        mask_rle: The same masks as N COCO RLEs, carried without decoding (``None``: absent);
            a :class:`Detections` holds one of ``mask`` and ``mask_rle``, never both.
        keypoints: N×K×3 float32 ``(x, y, visibility or score)`` (``None``: absent).
        embedding: N×D float32 vectors (``None``: absent).
        data: Named arrays of N rows each, for anything else.
    """

    xyxy: FloatArray
    confidence: FloatArray
    class_name: tuple[str, ...]
    text: tuple[str | None, ...]
    fields: tuple[Fields, ...]
    class_id: IntArray | None
    track_id: IntArray | None
    mask: BoolArray | None
    keypoints: FloatArray | None
    embedding: FloatArray | None
    data: Mapping[str, NDArray[Any]]
    mask_rle: tuple[RleMask, ...] | None

    def __init__(
        self,
        xyxy: FloatArray,
        confidence: FloatArray,
        class_name: Sequence[str],
        text: Sequence[str | None] = (),
        attributes: Sequence[Mapping[str, Any]] = (),
        *,
        fields: Sequence[Fields] = (),
        class_id: NDArray[Any] | Sequence[int] | None = None,
        track_id: NDArray[Any] | Sequence[int] | None = None,
        mask: NDArray[Any] | None = None,
        keypoints: NDArray[Any] | None = None,
        embedding: NDArray[Any] | None = None,
        data: Mapping[str, NDArray[Any]] | None = None,
        mask_rle: Sequence[RleMask | Mapping[str, Any]] | None = None,
    ) -> None:
        """Validate and store the columns.

        Args:
            xyxy: Boxes, N×4 (any float or int array).
            confidence: Scores, N.
            class_name: Class names, N.
            text: Recognised text, N (empty: all ``None``).
            attributes: The legacy spelling of ``fields``: untyped dicts whose values are
                bare (confidence = the box's score) or ``{"value": v, "confidence": c}``.
            fields: Typed readings, N (empty: none read).
            class_id: See the class's attributes; so are the rest.
            track_id: Track ids, N.
            mask: Masks, N×H×W.
            keypoints: Keypoints, N×K×3.
            embedding: Embeddings, N×D.
            data: Named arrays whose first axis is N.
            mask_rle: Masks as COCO RLEs (:class:`RleMask` or ``{"size", "counts"}``
                dicts), N, all of one frame size.

        Raises:
            ValueError: Columns disagree in length, a box is inverted, a column has the
                wrong shape or type, an RLE's counts do not fit its size, or both
                ``fields`` and ``attributes`` (or ``mask`` and ``mask_rle``) are given.
        """
        names = tuple(class_name)
        n = len(names)
        boxes = np.asarray(xyxy, dtype=np.float32).reshape(-1, 4)
        scores = np.asarray(confidence, dtype=np.float32).reshape(-1)
        if boxes.shape[0] != n or scores.shape[0] != n:
            raise ValueError(
                f"detections disagree in length: {boxes.shape[0]} boxes, "
                f"{scores.shape[0]} scores, {n} class names"
            )
        if n and (np.any(boxes[:, 2] < boxes[:, 0]) or np.any(boxes[:, 3] < boxes[:, 1])):
            raise ValueError("boxes must be xyxy with x2 >= x1 and y2 >= y1")
        if attributes and fields:
            raise ValueError("give fields or the legacy attributes, not both")
        if attributes:
            if len(attributes) != n:
                raise ValueError("text and attributes must have one entry per box")
            fields = [readings(a, float(s)) for a, s in zip(attributes, scores, strict=True)]
        texts = tuple(text) if text else (None,) * n
        rows = tuple(MappingProxyType(dict(f)) for f in fields) if fields else (_NO_FIELDS,) * n
        if len(texts) != n or len(rows) != n:
            raise ValueError("text and attributes must have one entry per box")
        if any(not isinstance(r, FieldReading) for row in rows for r in row.values()):
            raise ValueError("fields map names to FieldReading values (or use attributes=)")
        values = {"class_id": class_id, "track_id": track_id, "mask": mask}
        values |= {"keypoints": keypoints, "embedding": embedding}
        set_ = object.__setattr__  # frozen: fields are set once, here
        set_(self, "xyxy", boxes)
        set_(self, "confidence", scores)
        set_(self, "class_name", names)
        set_(self, "text", texts)
        set_(self, "fields", rows)
        for key, spec in _COLUMNS.items():
            value = values[key]
            set_(self, key, None if value is None else spec.coerce(value, n))
        set_(self, "data", MappingProxyType(coerce_data(data, n)))
        set_(self, "mask_rle", None if mask_rle is None else _coerce_rle(mask_rle, n))
        if self.mask is not None and self.mask_rle is not None:
            raise ValueError("give masks as bitmaps (mask) or as RLE (mask_rle), not both")

    @classmethod
    def empty(cls) -> Detections:
        """No detections."""
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), ())

    def __len__(self) -> int:
        return len(self.class_name)

    @property
    def attributes(self) -> tuple[dict[str, dict[str, Any]], ...]:
        """The legacy view of ``fields``: ``{name: {"value": v, "confidence": c}}`` per box."""
        return tuple(legacy_attributes(f) for f in self.fields)

    def replace(self, **columns: Any) -> Detections:
        """A copy with some columns replaced (validated like the constructor).

        ``mask`` and ``mask_rle`` are one column in two encodings: replacing one drops the
        other.
        """
        for one, other in (("mask", "mask_rle"), ("mask_rle", "mask")):
            if one in columns:
                columns.setdefault(other, None)
        return dataclasses.replace(self, **columns)

    def rle_masks(self) -> tuple[RleMask, ...] | None:
        """The masks as COCO RLEs (bitmaps are encoded; ``None``: no masks)."""
        if self.mask is not None:
            return tuple(RleMask.encode(m) for m in self.mask)
        return self.mask_rle

    def bitmap_masks(self) -> BoolArray | None:
        """The masks as N×H×W bitmaps (RLEs are decoded; ``None``: no masks)."""
        if self.mask_rle is not None:
            if not self.mask_rle:
                return None
            return np.stack([m.decode() for m in self.mask_rle])
        return self.mask

    def select(self, which: NDArray[Any] | Sequence[bool] | Sequence[int]) -> Detections:
        """Keep some rows, in every column (``data`` included).

        Args:
            which: A bool mask with one entry per box, or row indices (kept in their order).
        """
        picked = np.asarray(which)
        if picked.dtype == np.bool_:
            if picked.shape != (len(self),):
                raise ValueError(f"a mask must have {len(self)} entries, got {picked.shape}")
            idx = np.flatnonzero(picked)
        elif picked.size and picked.dtype.kind not in "iu":
            raise ValueError(f"select takes a bool mask or integer indices, not {picked.dtype}")
        else:
            idx = picked.astype(np.intp).reshape(-1)
        rows = idx.tolist()
        columns: dict[str, Any] = {
            k: None if (v := getattr(self, k)) is None else v[idx] for k in _COLUMNS
        }
        return Detections(
            self.xyxy[idx],
            self.confidence[idx],
            tuple(self.class_name[i] for i in rows),
            tuple(self.text[i] for i in rows),
            fields=tuple(self.fields[i] for i in rows),
            **columns,
            data={k: v[idx] for k, v in self.data.items()},
            mask_rle=None if self.mask_rle is None else [self.mask_rle[i] for i in rows],
        )

    def of_class(self, *names: str) -> Detections:
        """Keep the detections whose class is one of ``names``."""
        return self.select(np.array([c in names for c in self.class_name], dtype=bool))

    def above(self, threshold: float) -> Detections:
        """Keep the detections with confidence >= ``threshold``."""
        return self.select(self.confidence >= threshold)

    @classmethod
    def merge(cls, *many: Detections) -> Detections:
        """All rows of ``many``, in order, in one :class:`Detections`.

        A column some inputs lack is filled for their rows: class and track ids with -1,
        text with ``None``, fields with ``{}``, masks with ``False``, keypoints with
        ``(0, 0, 0)``, embeddings and floating ``data`` with NaN. When any input holds RLE
        masks the result does too (bitmaps of the others are encoded, not the reverse).

        Raises:
            ValueError: Inputs disagree in a column's shape (masks of two frame sizes,
                embeddings of two widths), or lack a ``data`` key that has no missing value.
        """
        parts = [d for d in many if len(d)] or list(many[:1])
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return cls.empty()
        lengths = [len(d) for d in parts]
        rle = _merged_rle(parts) if any(d.mask_rle is not None for d in parts) else None
        columns: dict[str, Any] = {
            key: None
            if key == "mask" and rle is not None
            else spec.merged([getattr(d, key) for d in parts], lengths)
            for key, spec in _COLUMNS.items()
        }
        return cls(
            np.concatenate([d.xyxy for d in parts]),
            np.concatenate([d.confidence for d in parts]),
            tuple(name for d in parts for name in d.class_name),
            tuple(t for d in parts for t in d.text),
            fields=tuple(f for d in parts for f in d.fields),
            **columns,
            data=merge_data([d.data for d in parts], lengths),
            mask_rle=rle,
        )

    @classmethod
    def from_yolo(
        cls,
        xyxy: FloatArray,
        confidence: FloatArray,
        class_id: NDArray[Any],
        names: Sequence[str],
    ) -> Detections:
        """Detections from a YOLO decoder's arrays: boxes, scores and class indices.

        Raises:
            ValueError: A class index has no name.
        """
        ids = np.asarray(class_id, dtype=np.int64).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= len(names)):
            raise ValueError(f"class indices must be in [0, {len(names)}), got {ids.tolist()}")
        return cls(xyxy, confidence, tuple(names[i] for i in ids.tolist()), class_id=ids)

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

    def as_coco(
        self, image_id: int, category_ids: Mapping[str, int], first_id: int = 1
    ) -> list[dict[str, Any]]:
        """COCO annotation dicts: ``bbox`` as ``[x, y, w, h]``, masks as compressed RLE.

        Args:
            image_id: The image these boxes are on.
            category_ids: Class name → COCO category id.
            first_id: The first annotation's id (the rest follow).
        """
        annotations = []
        masks = self.rle_masks()
        for i, (x1, y1, x2, y2) in enumerate(self.xyxy.tolist()):
            w, h = x2 - x1, y2 - y1
            annotation: dict[str, Any] = {
                "id": first_id + i,
                "image_id": image_id,
                "category_id": category_ids[self.class_name[i]],
                "bbox": [x1, y1, w, h],
                "area": w * h,
                "iscrowd": 0,
                "score": float(self.confidence[i]),
            }
            if masks is not None:
                annotation["segmentation"] = masks[i].as_coco()
                annotation["area"] = masks[i].area
            if self.keypoints is not None:
                annotation["keypoints"] = self.keypoints[i].reshape(-1).tolist()
                annotation["num_keypoints"] = int((self.keypoints[i, :, 2] > 0).sum())
            if self.track_id is not None:
                annotation["track_id"] = int(self.track_id[i])
            annotations.append(annotation)
        return annotations


def _coerce_rle(values: Sequence[RleMask | Mapping[str, Any]], n: int) -> tuple[RleMask, ...]:
    """One checked RLE per box, all over one frame size."""
    masks = tuple(RleMask.of(v) for v in values)
    if len(masks) != n:
        raise ValueError(f"mask_rle must have one RLE per box ({n}), got {len(masks)}")
    sizes = {(m.height, m.width) for m in masks}
    if len(sizes) > 1:
        raise ValueError(f"mask_rle covers frames of different sizes: {sorted(sizes)}")
    return masks


def _merged_rle(parts: Sequence[Detections]) -> list[RleMask]:
    """The RLE masks of ``parts`` end to end: bitmaps encoded, absent masks empty."""
    sizes = {(m.height, m.width) for d in parts for m in d.mask_rle or ()}
    sizes |= {(d.mask.shape[1], d.mask.shape[2]) for d in parts if d.mask is not None and len(d)}
    if len(sizes) != 1:
        listed = ", ".join(f"{h}×{w}" for h, w in sorted(sizes))
        raise ValueError(f"cannot merge masks of different frame sizes ({listed})")
    ((height, width),) = sizes
    merged: list[RleMask] = []
    for part in parts:
        found = part.rle_masks()
        merged.extend(found if found is not None else [RleMask.empty(height, width)] * len(part))
    return merged
