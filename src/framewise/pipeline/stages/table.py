"""A stage's output table: Parquet chunks written atomically, read back as one table.

Rows are buffered and written as ``rows/chunk-NNNNNN.parquet`` every ``chunk_rows`` rows or
``chunk_seconds`` seconds, each chunk through a temporary file renamed into place, so a
kill at any moment loses only the buffered rows and never leaves a half-written chunk. A
read concatenates the chunks (columns missing from a chunk read as null) and sorts by key;
a complete stage also gets ``table.parquet``, the merged view, for other tools.

Example:
    >>> writer = ChunkWriter(Path("runs/01_augment"), chunk_rows=32)  # doctest: +SKIP
    >>> writer.add([{"key": "a", "input_key": "a", "error": None}])  # doctest: +SKIP
    >>> writer.close()  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from framewise.core.atomic import atomic_open, write_text
from framewise.core.errors import InputError
from framewise.pipeline.stages.base import ERROR, INPUT_KEY, KEY, Row

ROWS_DIR = "rows"
TABLE_NAME = "table.parquet"
CSV_NAME = "table.csv"
CHUNK_GLOB = "chunk-*.parquet"


def _write(path: Path, rows: list[Row]) -> None:
    # from_pylist takes its columns from the first row: give every row every column.
    columns = list(dict.fromkeys(name for row in rows for name in row))
    table = pa.Table.from_pylist([{name: row.get(name) for name in columns} for row in rows])
    with atomic_open(path, "wb", encoding=None) as handle:
        pq.write_table(table, handle)


def chunk_files(folder: Path) -> list[Path]:
    """The chunk files of a stage folder, in the order they were written."""
    return sorted((folder / ROWS_DIR).glob(CHUNK_GLOB))


def read_rows(folder: Path) -> list[Row]:
    """Every row a stage has written so far, sorted by key.

    Raises:
        InputError: A chunk cannot be read (written by something else than the runner).
    """
    tables = []
    for path in chunk_files(folder):
        try:
            tables.append(pq.read_table(path))
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(
                f"not a readable table chunk ({exc})",
                subject=path,
                hint="remove the file; the rows it held are run again",
            ) from None
    if not tables:
        return []
    merged = pa.concat_tables(tables, promote_options="permissive")
    rows: list[Row] = merged.to_pylist()
    rows.sort(key=lambda row: str(row[KEY]))
    return rows


def done_inputs(rows: Iterable[Row]) -> set[str]:
    """The input keys that have rows (finished or failed)."""
    return {str(row[INPUT_KEY]) for row in rows}


def failures(rows: Iterable[Row]) -> list[Row]:
    """The rows that record a failure."""
    return [row for row in rows if row.get(ERROR)]


def write_table(folder: Path, rows: list[Row]) -> Path:
    """Write the merged view ``table.parquet`` (atomically); returns its path."""
    path = folder / TABLE_NAME
    if rows:
        _write(path, rows)
    else:
        with atomic_open(path, "wb", encoding=None) as handle:
            pq.write_table(pa.table({KEY: pa.array([], pa.string())}), handle)
    return path


def write_csv(folder: Path, rows: list[Row]) -> Path:
    """Write the merged view as ``table.csv`` too (lists as JSON); returns its path."""
    columns = list(dict.fromkeys(name for row in rows for name in row)) or [KEY]
    text = io.StringIO()
    writer = csv.DictWriter(text, columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()}
        )
    path = folder / CSV_NAME
    write_text(path, text.getvalue())
    return path


class ChunkWriter:
    """Buffers rows and writes them as atomic Parquet chunks.

    Args:
        folder: The stage's folder (chunks go to ``folder/rows``).
        chunk_rows: Rows per chunk.
        chunk_seconds: A chunk is also written when its oldest row is this old, so a slow
            stage does not keep finished rows in memory (and at risk) for long.
        part: A name part (``c0001of0004-``) for writers that share the folder at the same
            time (cluster array tasks): each numbers only its own chunks.
    """

    def __init__(
        self,
        folder: Path,
        *,
        chunk_rows: int = 32,
        chunk_seconds: float = 30.0,
        part: str = "",
    ) -> None:
        self.folder = folder
        self.chunk_rows = chunk_rows
        self.chunk_seconds = chunk_seconds
        self.part = part
        self._buffer: list[Row] = []
        self._since = time.monotonic()
        own = (path.stem.removeprefix(f"chunk-{part}") for path in chunk_files(folder))
        self._next = max((int(tail) for tail in own if tail.isdigit()), default=0) + 1

    def add(self, rows: Iterable[Row]) -> None:
        """Buffer rows; writes a chunk when the buffer is full or old enough."""
        if not self._buffer:
            self._since = time.monotonic()
        self._buffer.extend(rows)
        too_old = time.monotonic() - self._since >= self.chunk_seconds
        if len(self._buffer) >= self.chunk_rows or (self._buffer and too_old):
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one chunk (nothing when the buffer is empty)."""
        if not self._buffer:
            return
        path = self.folder / ROWS_DIR / f"chunk-{self.part}{self._next:06d}.parquet"
        _write(path, self._buffer)
        self._next += 1
        self._buffer = []

    def close(self) -> None:
        """Write what is left."""
        self.flush()


def failed_row(input_key: str, message: str) -> Row:
    """The row that records a failed input row."""
    return {KEY: input_key, INPUT_KEY: input_key, ERROR: message}


def clean_value(value: Any) -> Any:
    """A value a Parquet column can hold: tuples become lists, NumPy scalars plain numbers."""
    if isinstance(value, tuple):
        return [clean_value(item) for item in value]
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str | bytes):
        return item()
    return value
