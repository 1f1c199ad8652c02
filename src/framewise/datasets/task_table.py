"""The task feature table: one row per frame, landmarks and objects as Arrow list/struct columns.

Columns: ``video_id, frame_index, t`` (presentation seconds), ``wall_time`` (UTC),
``pose_landmarks`` (list of 33 ``{x, y, z, visibility}``), ``left_hand_landmarks`` /
``right_hand_landmarks`` (list of 21 ``{x, y, z}``), ``objects`` (list of ``{class_name,
class_id, confidence, x1, y1, x2, y2}``), the presence flags, the numeric features of
:data:`~framewise.features.task.NUMERIC_FEATURES` (null where not measurable) and ``label``
(null where the label file says nothing). The schema version and the extraction's parameters
sit in the file's metadata; a table of another version is refused by name.

Example:
    >>> table = read_feature_table(Path("features/walk.parquet"))  # doctest: +SKIP
    >>> table.column("right_hand_speed").null_count  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from framewise.core.errors import ConfigError, InputError, InputNotFoundError, OutputError
from framewise.features.task import (
    NUMERIC_FEATURES,
    PRESENCE_FLAGS,
    SCHEMA_VERSION,
    FrameFeatures,
)

SCHEMA_KEY = b"framewise.schema"
PARAMS_KEY = b"framewise.params"


def pyarrow() -> tuple[Any, Any]:
    """``pyarrow`` and ``pyarrow.parquet``, or a one-line error saying how to install them."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ConfigError(
            "feature tables need pyarrow, which is not installed",
            subject="pyarrow",
            hint="pip install 'framewise[tables]'",
        ) from None


def schema(params: Mapping[str, Any]) -> Any:
    """The table's Arrow schema, with the schema version and ``params`` in its metadata."""
    pa, _ = pyarrow()
    f32 = pa.float32()
    pose = pa.list_(pa.struct([(k, f32) for k in ("x", "y", "z", "visibility")]))
    hand = pa.list_(pa.struct([(k, f32) for k in ("x", "y", "z")]))
    box = [("class_name", pa.string()), ("class_id", pa.int32()), ("confidence", f32)]
    objects = pa.list_(pa.struct(box + [(k, f32) for k in ("x1", "y1", "x2", "y2")]))
    fields = [
        ("video_id", pa.string()),
        ("frame_index", pa.int64()),
        ("t", pa.float64()),
        ("wall_time", pa.timestamp("us", tz="UTC")),
        ("pose_landmarks", pose),
        ("left_hand_landmarks", hand),
        ("right_hand_landmarks", hand),
        ("objects", objects),
        *((name, pa.bool_()) for name in PRESENCE_FLAGS),
        *((name, pa.float64()) for name in NUMERIC_FEATURES),
        ("label", pa.string()),
    ]
    metadata = {SCHEMA_KEY: SCHEMA_VERSION.encode(), PARAMS_KEY: json.dumps(dict(params)).encode()}
    return pa.schema(fields, metadata=metadata)


def row(
    video_id: str, frame_index: int, wall_time: Any, features: FrameFeatures, label: str | None
) -> dict[str, Any]:
    """One table row of ``features``."""
    keys = ("x", "y", "z", "visibility")
    pose = None
    if features.pose is not None:
        pose = [dict(zip(keys, map(float, p), strict=True)) for p in features.pose]
    hands = {
        side: [dict(zip(keys[:3], map(float, p), strict=True)) for p in landmarks]
        for side, landmarks in features.hands.items()
    }
    objects = [
        {
            "class_name": o.class_name,
            "class_id": o.class_id,
            "confidence": o.confidence,
            **dict(zip(("x1", "y1", "x2", "y2"), o.xyxy, strict=True)),
        }
        for o in features.objects
    ]
    return {
        "video_id": video_id,
        "frame_index": frame_index,
        "t": features.seconds,
        "wall_time": wall_time,
        "pose_landmarks": pose,
        "left_hand_landmarks": hands.get("left"),
        "right_hand_landmarks": hands.get("right"),
        "objects": objects,
        **features.presence,
        **features.values,
        "label": label,
    }


def write_feature_table(
    path: Path, rows: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
) -> None:
    """Write ``rows`` to ``path`` atomically (a temporary file renamed over it when complete)."""
    pa, pq = pyarrow()
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(list(rows), schema=schema(params))
        pq.write_table(table, partial)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}", subject=path, hint="check the folder"
        ) from None


def table_params(path: Path) -> dict[str, Any]:
    """The extraction parameters stored in a feature table (checked as on reading)."""
    _, pq = pyarrow()
    metadata = _checked_metadata(path, pq)
    loaded = json.loads(metadata.get(PARAMS_KEY, b"{}"))
    return dict(loaded) if isinstance(loaded, dict) else {}


def _checked_metadata(path: Path, pq: Any) -> dict[bytes, bytes]:
    if not Path(path).is_file():
        raise InputNotFoundError(
            f"feature table {path} does not exist",
            subject=path,
            hint="run `framewise features extract` first",
        )
    try:
        metadata = dict(pq.read_schema(path).metadata or {})
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path} is not a Parquet file ({exc})", subject=path, hint="give a feature table"
        ) from None
    version = metadata.get(SCHEMA_KEY, b"").decode(errors="replace")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"{path} has schema {version or 'none'!r}, not {SCHEMA_VERSION!r}",
            subject=path,
            hint="extract the features again with this version of framewise",
        )
    return metadata


def read_feature_table(path: Path) -> Any:
    """Read a feature table, refusing one of another schema version (a ``pyarrow.Table``)."""
    _, pq = pyarrow()
    _checked_metadata(path, pq)
    return pq.read_table(path)
