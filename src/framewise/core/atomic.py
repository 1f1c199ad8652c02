"""Atomic file writes: write to a temporary file beside the target, then rename.

A reader never sees a half-written file, and an interrupted run leaves the old file intact.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from framewise.core.errors import OutputError
from framewise.core.jsonfile import first_non_finite


def _umask() -> int:
    # Read, don't set: os.umask() changes process-wide state under other threads' feet.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


@contextlib.contextmanager
def atomic_open(
    path: str | Path, mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` only when the block ends without error.

    Args:
        path: The file to write.
        mode: ``"w"`` for text or ``"wb"`` for bytes.
        encoding: Text encoding (ignored for bytes).

    Raises:
        OutputError: The folder cannot be created or written.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(
            f"cannot write here ({exc.strerror})",
            subject=target.parent,
            hint="choose a writable output folder",
        ) from None
    tmp = Path(tmp_name)
    # mkstemp makes 0600 files; give the result the mode a plain open() would have.
    tmp.chmod(target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that needs a file name, not a handle.

    Muxers (PyAV, ffmpeg) open their output by name and may seek back into it (``+faststart``
    rewrites the file's head), so :func:`atomic_open`'s handle does not fit them. The block
    writes the file at the yielded path; it replaces ``path`` only when the block ends
    without error, and is removed in every case. The name is hidden and carries the process
    id, so two processes making the same file never write into each other's. Errors are the
    caller's to translate: only it knows what it was writing (a clip, a session, a cache).

    Example:
        >>> with atomic_output("clip.mkv") as partial:  # doctest: +SKIP
        ...     encode(str(partial), format="matroska")
    """
    target = Path(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        yield partial
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_open(path, "w") as handle:
        handle.write(text)


def write_json(path: str | Path, payload: Any, *, indent: int = 2) -> None:
    """Write ``payload`` as JSON to ``path`` atomically.

    Raises:
        OutputError: ``payload`` holds NaN or ±Infinity, which JSON cannot (Python would
            write them, and every reader after would fail); nothing is written.
    """
    try:
        text = json.dumps(payload, indent=indent, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:  # NaN/±Infinity, or a circular reference
        where = first_non_finite(payload)
        raise OutputError(
            f"not written: {where} is not a finite number" if where else f"not written: {exc}",
            subject=Path(path),
            hint="JSON has no NaN or Infinity; what reached the writer is a bug: please report it",
        ) from None
    write_text(path, text + "\n")
