"""The Parquet sink: every detection as a row of one table, for pandas, polars or DuckDB.

Rows are buffered and written a row group at a time, into a temporary file that replaces
the target only when the stream has ended; an interrupted run leaves no half-written table
(its journal holds the detections, and the resumed run, which replays the journal to the
sinks, writes the whole table again).
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

from framewise.core.errors import ConfigError, OutputError
from framewise.events.sinks import RunResult

log = logging.getLogger(__name__)

COLUMNS = (
    "source_id",
    "frame_index",
    "seconds",
    "class_id",
    "class_name",
    "confidence",
    "x1",
    "y1",
    "x2",
    "y2",
    "text",
)


def _pyarrow() -> tuple[ModuleType, ModuleType]:
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ConfigError(
            "the parquet sink needs pyarrow, which is not installed",
            subject="sinks",
            hint="pip install 'framewise[tables]'",
        ) from None


class ParquetSink:
    """Writes one row per detection of every processed or replayed frame.

    Args:
        path: The table's path.
        source_id: The ``source_id`` column's value.
        row_group_frames: Frames buffered before a row group is written.
    """

    def __init__(self, path: Path, *, source_id: str = "", row_group_frames: int = 10_000) -> None:
        self.pa, self.pq = _pyarrow()
        self.path = Path(path)
        self.partial = self.path.with_name(f".{self.path.name}.partial")
        self.source_id = source_id
        self.row_group_frames = row_group_frames
        self._rows: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        self._frames = 0
        self._writer: Any = None
        self._complete = False
        self.schema = self.pa.schema(
            [
                ("source_id", self.pa.string()),
                ("frame_index", self.pa.int64()),
                ("seconds", self.pa.float64()),
                ("class_id", self.pa.int32()),
                ("class_name", self.pa.string()),
                ("confidence", self.pa.float32()),
                ("x1", self.pa.float32()),
                ("y1", self.pa.float32()),
                ("x2", self.pa.float32()),
                ("y2", self.pa.float32()),
                ("text", self.pa.string()),
            ]
        )

    def write(self, result: RunResult) -> None:
        """Buffer the detections of a processed or replayed frame."""
        if result.totals is not None:
            self._complete = True
        detections = result.detections
        if detections is None:
            return
        n = len(detections)
        class_ids = detections.class_id
        rows = self._rows
        rows["source_id"] += [self.source_id] * n
        rows["frame_index"] += [result.index] * n
        rows["seconds"] += [result.seconds] * n
        rows["class_id"] += [-1] * n if class_ids is None else [int(c) for c in class_ids]
        rows["class_name"] += list(detections.class_name)
        rows["confidence"] += detections.confidence.tolist()
        for axis, name in enumerate(("x1", "y1", "x2", "y2")):
            rows[name] += detections.xyxy[:, axis].tolist()
        rows["text"] += list(detections.text)
        self._frames += 1
        if self._frames >= self.row_group_frames:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as a row group of the temporary file."""
        if not self._rows["frame_index"] and self._writer is not None:
            return
        table = self.pa.table(self._rows, schema=self.schema)
        try:
            if self._writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._writer = self.pq.ParquetWriter(self.partial, self.schema)
            self._writer.write_table(table)
        except OSError as exc:
            raise OutputError(
                f"cannot write the Parquet table ({exc})",
                subject=self.path,
                hint="choose a writable output folder with free space",
            ) from None
        self._rows = {name: [] for name in COLUMNS}
        self._frames = 0

    def close(self) -> None:
        """Finish the table when the stream ended; else drop the partial file."""
        if self._complete:
            self.flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._complete and self.partial.exists():
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)
