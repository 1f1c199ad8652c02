"""The detection journal: every sampled frame's detections, appended as JSON lines.

It is the pipeline's checkpoint. Temporal logic is pure and deterministic, so replaying the
journal through fresh filters and state machine rebuilds exactly the state an interrupted run
had; the run then seeks to the journal's last time and carries on, with no duplicate events.
It also lets temporal settings be re-tuned later without decoding or inference again, and it
is where dataset export finds the boxes behind each event.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from framewise.core.detections import Detections
from framewise.core.errors import OutputError


@dataclass(frozen=True)
class JournalEntry:
    """One sampled frame: its index hint, its time, its detections."""

    index: int
    seconds: float
    detections: Detections


def _encode(entry: JournalEntry) -> str:
    # Values are written unrounded (float32 → float64 → JSON round-trips exactly), so a
    # replay computes exactly what the interrupted run computed.
    dets = entry.detections
    rows: list[list[Any]] = []
    for i, name in enumerate(dets.class_name):
        x1, y1, x2, y2 = (float(v) for v in dets.xyxy[i])
        row: list[Any] = [name, float(dets.confidence[i]), x1, y1, x2, y2]
        if dets.text[i] is not None or dets.attributes[i]:
            row += [dets.text[i], dict(dets.attributes[i])]
        rows.append(row)
    return json.dumps(
        {"i": entry.index, "t": entry.seconds, "d": rows},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _decode(line: str) -> JournalEntry:
    record = json.loads(line)
    rows = record["d"]
    detections = Detections(
        np.array([r[2:6] for r in rows], np.float32).reshape(-1, 4),
        np.array([r[1] for r in rows], np.float32),
        tuple(r[0] for r in rows),
        tuple(r[6] if len(r) > 6 else None for r in rows),
        tuple(r[7] if len(r) > 7 else {} for r in rows),
    )
    return JournalEntry(int(record["i"]), float(record["t"]), detections)


def read_journal(path: str | os.PathLike[str]) -> list[JournalEntry]:
    """Read a journal; a torn last line (the run was killed mid-write) is ignored."""
    file = Path(path)
    if not file.exists():
        return []
    entries = []
    for line in file.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(_decode(line))
        except (json.JSONDecodeError, KeyError, IndexError, ValueError):
            break  # everything after a torn line is untrusted
    return entries


class JournalWriter:
    """Appends entries; :meth:`checkpoint` makes everything written so far durable.

    Args:
        path: The journal file (``.jsonl``).
        keep: Entries already in the file that are trusted (from :func:`read_journal`); the
            file is rewritten with exactly these first, dropping any torn tail.
    """

    def __init__(self, path: str | os.PathLike[str], keep: Sequence[JournalEntry] = ()) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle: IO[str] = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(
                f"cannot write the journal ({exc.strerror})",
                subject=self.path,
                hint="choose a writable output folder",
            ) from None
        for entry in keep:
            self._handle.write(_encode(entry) + "\n")
        self.checkpoint()

    def write(self, entry: JournalEntry) -> None:
        """Append one frame's detections."""
        self._handle.write(_encode(entry) + "\n")

    def checkpoint(self) -> None:
        """Flush and fsync, so a crash after this loses nothing written before it."""
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        """Checkpoint and close. Safe to call twice."""
        if not self._handle.closed:
            self.checkpoint()
            self._handle.close()
