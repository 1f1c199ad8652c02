"""Annotation output (W3): per-video JSON metadata, embeddings in Parquet, masks as COCO RLE.

One run folder per video holds:

- ``annotations.json``: the seed's metadata with a ``schema_version``: the video, then per
  annotated frame its ``frame_number``, PTS ``timestamp`` (seconds), ``tags``, the row of its
  scene embedding, and ``detections`` — ``id`` (``"<frame>:<k>"``), ``box`` (xyxy, source
  pixels), ``score``, ``label``, ``mask`` (COCO compressed RLE, pycocotools reads it),
  ``mask_score``, ``embedding_row`` and ``description``. Frames a gate skipped are counted
  in ``summary``, not listed.
- ``frame_embeddings.parquet`` (``frame_number, timestamp, embedding``) and
  ``object_embeddings.parquet`` (``object_id, frame_number, timestamp, label, x1, y1, x2,
  y2, embedding``): one row per frame or object, the vectors as fixed-size float32 lists
  (no pickle), keyed to the JSON by ``frame_number`` and ``object_id``; a run that made no
  embeddings (no ``clip_features`` stage) writes neither table.

The sink keeps what it is handed and writes the three files (atomically) when it closes; a
resumed run is handed the journaled frames again first, so its files are whole and hold no
frame twice. ``complete`` says whether the stream was read to its end.

Example:
    >>> index = read_annotations(Path("out/clip"))  # doctest: +SKIP
    >>> index.frames[0]["tags"]  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from framewise.core.atomic import atomic_output, write_json
from framewise.core.errors import InputError, OutputError
from framewise.core.events import LogMetadata
from framewise.core.jsonfile import read_json
from framewise.core.results import FrameOutput
from framewise.events.sinks import RunResult

SCHEMA_VERSION = 1
ANNOTATIONS_NAME = "annotations.json"
FRAME_EMBEDDINGS = "frame_embeddings.parquet"
OBJECT_EMBEDDINGS = "object_embeddings.parquet"
SKIPPED_FEATURE = "gate_skipped"  # what framewise.detectors.gate writes (a later layer)


def _arrow() -> tuple[Any, Any]:
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise OutputError(
            "the annotations sink writes Parquet and needs pyarrow",
            subject="pyarrow",
            hint="install framewise with the annotate extra: pip install 'framewise[annotate]'",
        ) from None


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _skipped(output: FrameOutput) -> bool:
    names = output.feature_names
    return SKIPPED_FEATURE in names and output.feature(SKIPPED_FEATURE) != 0.0


@dataclass
class _Table:
    """Rows of one embeddings table, kept until the sink closes."""

    keys: dict[str, list[Any]]
    vectors: list[np.ndarray] = field(default_factory=list)

    def add(self, vector: np.ndarray, **keys: Any) -> int:
        for name, value in keys.items():
            self.keys[name].append(value)
        self.vectors.append(np.asarray(vector, np.float32))
        return len(self.vectors) - 1

    def write(self, path: Path) -> str | None:
        """Write the table to ``path``; its file name, or None (and no file) with no rows."""
        if not self.vectors:  # a fixed-size list needs a width: no embedding stage, no file
            path.unlink(missing_ok=True)
            return None
        pa, pq = _arrow()
        width = int(self.vectors[0].shape[0])
        flat = np.concatenate(self.vectors)
        columns = {name: pa.array(values) for name, values in self.keys.items()}
        embedding = pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), width)
        table = pa.table({**columns, "embedding": embedding})
        with atomic_output(path) as partial:
            pq.write_table(table, partial)
        return path.name


class AnnotationsSink:
    """Collects annotated frames and writes the JSON and Parquet files on close.

    Args:
        out_dir: The video's run folder.
        metadata: The run's metadata (video path, duration, sample rate, models).
    """

    def __init__(self, out_dir: Path, metadata: LogMetadata) -> None:
        self.out_dir = out_dir
        self.metadata = metadata
        self.frames: dict[int, dict[str, Any]] = {}
        self.skipped = 0
        self.complete = False
        self.scene = _Table({"frame_number": [], "timestamp": []})
        self.objects = _Table(
            {k: [] for k in ("object_id", "frame_number", "timestamp", "label")}
            | {k: [] for k in ("x1", "y1", "x2", "y2")}
        )

    def write(self, result: RunResult) -> None:
        """Keep a processed or replayed frame's annotations (pre-roll frames have none)."""
        if result.totals is not None:
            self.complete = True
        output = result.output
        if output is None or result.index in self.frames:
            return
        if _skipped(output):
            self.skipped += 1
            return
        self.frames[result.index] = self._frame(result.index, result.seconds, output)

    def _frame(self, number: int, seconds: float, output: FrameOutput) -> dict[str, Any]:
        scene_row = None
        if output.embedding is not None:
            scene_row = self.scene.add(output.embedding, frame_number=number, timestamp=seconds)
        dets = output.detections
        scores = dets.data.get("mask_score")
        masks = dets.rle_masks()  # bitmaps or RLEs, written as RLE either way
        detections = []
        for k, (box, score, label) in enumerate(
            zip(dets.xyxy.tolist(), dets.confidence.tolist(), dets.class_name, strict=True)
        ):
            object_id = f"{number}:{k}"
            row = None
            if dets.embedding is not None and np.all(np.isfinite(dets.embedding[k])):
                x1, y1, x2, y2 = box
                row = self.objects.add(
                    dets.embedding[k],
                    object_id=object_id,
                    frame_number=number,
                    timestamp=seconds,
                    label=label,
                    x1=x1,
                    y1=y1,
                    x2=x2,
                    y2=y2,
                )
            mask = masks[k] if masks is not None else None
            detections.append(
                {
                    "id": object_id,
                    "box": [float(v) for v in box],
                    "score": float(score),
                    "label": label,
                    "mask": mask.as_coco() if mask is not None and mask.area else None,
                    "mask_score": _finite(float(scores[k])) if scores is not None else None,
                    "embedding_row": row,
                    "description": dets.text[k],
                }
            )
        return {
            "frame_number": number,
            "timestamp": seconds,
            "tags": [{"name": name, "score": score} for name, score in output.tags],
            "embedding_row": scene_row,
            "detections": detections,
        }

    def flush(self) -> None:
        """Nothing: the journal is the checkpoint; files are written whole on close."""

    def close(self) -> None:
        """Write ``annotations.json`` and the two embeddings tables (atomically)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        scene = self.scene.write(self.out_dir / FRAME_EMBEDDINGS)
        objects = self.objects.write(self.out_dir / OBJECT_EMBEDDINGS)
        frames = [self.frames[k] for k in sorted(self.frames)]
        payload = {
            "schema_version": SCHEMA_VERSION,
            "video": {
                "path": self.metadata.video_path,
                "duration_seconds": self.metadata.video_duration_seconds,
                "total_frames": self.metadata.total_frames,
                "sample_fps": self.metadata.detection_fps,
                "pipeline": self.metadata.pipeline,
            },
            "complete": self.complete,
            "summary": {
                "frames_sampled": len(frames) + self.skipped,
                "frames_annotated": len(frames),
                "frames_skipped": self.skipped,
                "objects": sum(len(f["detections"]) for f in frames),
            },
            "embeddings": {"frames": scene, "objects": objects},
            "frames": frames,
        }
        write_json(self.out_dir / ANNOTATIONS_NAME, payload)


@dataclass(frozen=True)
class AnnotationIndex:
    """One video's annotations read back: the JSON and both embedding matrices.

    Attributes:
        folder: The run folder.
        document: ``annotations.json`` as read.
        frame_vectors: Scene embeddings, one row per ``embedding_row`` of a frame.
        object_vectors: Object embeddings, one row per ``embedding_row`` of a detection.
    """

    folder: Path
    document: dict[str, Any]
    frame_vectors: np.ndarray
    object_vectors: np.ndarray

    @property
    def frames(self) -> list[dict[str, Any]]:
        """The annotated frames, in time order."""
        frames: list[dict[str, Any]] = self.document["frames"]
        return frames


def _matrix(path: Path) -> np.ndarray:
    if not path.is_file():  # a run without embeddings writes no table
        return np.zeros((0, 0), np.float32)
    _, pq = _arrow()
    column = pq.read_table(path, columns=["embedding"]).column("embedding").combine_chunks()
    width = column.type.list_size
    values = column.flatten().to_numpy(zero_copy_only=False)
    return np.asarray(values, np.float32).reshape(-1, width) if width else np.zeros((0, 0))


def read_annotations(folder: Path) -> AnnotationIndex:
    """Read a video's annotation folder.

    Raises:
        InputError: The folder holds no ``annotations.json`` of a known schema version.
    """
    hint = "give a folder written by `framewise annotate`"
    document = read_json(folder / ANNOTATIONS_NAME, what="annotations", hint=hint)
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        raise InputError(
            f"not annotations of schema_version {SCHEMA_VERSION}", subject=folder, hint=hint
        )
    return AnnotationIndex(
        folder,
        document,
        _matrix(folder / FRAME_EMBEDDINGS),
        _matrix(folder / OBJECT_EMBEDDINGS),
    )
