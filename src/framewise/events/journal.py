"""The detection journal: every sampled frame's results, appended as JSON lines.

It is the pipeline's checkpoint. Temporal logic is pure and deterministic, so replaying the
journal through fresh filters and state machine rebuilds exactly the state an interrupted run
had; the run then seeks to the journal's last time and carries on, with no duplicate events.
It also lets temporal settings be re-tuned later without decoding or inference again, and it
is where dataset export finds the boxes behind each event.

Version 2 (this writer) opens with the line ``{"journal": 2}``; each further line is one
frame's :class:`~framewise.core.results.FrameOutput`: scalar columns in the JSON, written
unrounded (float32 → float64 → JSON round-trips exactly, so a replay computes exactly what
the run computed), array columns in the binary side-car (:mod:`.journal_arrays`). Version 1
journals (no header; rows ``[name, conf, x1, y1, x2, y2, text?, attributes?]``) still read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from framewise.core.detections import Detections
from framewise.core.errors import InputError, OutputError
from framewise.core.fields import FieldReading
from framewise.core.masks import RleMask
from framewise.core.results import FrameOutput
from framewise.events.journal_arrays import AnyArray, ShardReader, ShardWriter, TornError

VERSION = 2
"""The journal format this module writes."""

_ARRAY_COLUMNS = ("mask", "keypoints", "embedding")
_TORN = (json.JSONDecodeError, KeyError, IndexError, ValueError, TypeError, TornError)
"""What a torn or half-written line raises while it is decoded."""


@dataclass(frozen=True, init=False)
class JournalEntry:
    """One sampled frame: its index hint, its time, what the stages found in it.

    ``repeated_from`` is set on a coarse-to-fine run's ticks that were not decoded: the
    time of the keyframe whose results they repeat (``None``: the frame itself was read).
    """

    index: int
    seconds: float
    output: FrameOutput
    repeated_from: float | None

    def __init__(
        self,
        index: int,
        seconds: float,
        output: FrameOutput | Detections,
        repeated_from: float | None = None,
    ) -> None:
        """Build an entry; bare :class:`Detections` become a :class:`FrameOutput`."""
        if isinstance(output, Detections):
            output = FrameOutput(output)
        object.__setattr__(self, "index", int(index))
        object.__setattr__(self, "seconds", float(seconds))
        object.__setattr__(self, "output", output)
        object.__setattr__(
            self, "repeated_from", None if repeated_from is None else float(repeated_from)
        )

    @property
    def detections(self) -> Detections:
        """The frame's detections."""
        return self.output.detections


def _arrays(output: FrameOutput) -> dict[str, AnyArray]:
    """Every array column of ``output``, keyed by its side-car name."""
    dets = output.detections
    found: dict[str, AnyArray] = {}
    for column in _ARRAY_COLUMNS:
        value = getattr(dets, column)
        if value is not None:
            found[column] = value
    found |= {f"data/{key}": value for key, value in dets.data.items()}
    if output.feature_names:
        found["features"] = output.features
    if output.embedding is not None:
        found["frame_embedding"] = output.embedding
    return found


def _encode(entry: JournalEntry, where: tuple[str, int] | None) -> str:
    out = entry.output
    dets = out.detections
    columns: dict[str, Any] = {
        "n": list(dets.class_name),
        "c": dets.confidence.tolist(),
        "b": dets.xyxy.tolist(),
    }
    if any(t is not None for t in dets.text):
        columns["x"] = list(dets.text)
    if any(dets.fields):
        columns["f"] = [{k: [r.value, r.confidence] for k, r in f.items()} for f in dets.fields]
    if dets.class_id is not None:
        columns["k"] = dets.class_id.tolist()
    if dets.track_id is not None:
        columns["r"] = dets.track_id.tolist()
    if dets.mask_rle is not None:  # RLE masks are compact text: in the line, not the side-car
        columns["m"] = [[m.height, m.width, m.counts] for m in dets.mask_rle]
    record: dict[str, Any] = {"i": entry.index, "t": entry.seconds, "d": columns}
    if out.tags:
        record["g"] = [list(tag) for tag in out.tags]
    if out.feature_names:
        record["fn"] = list(out.feature_names)
    if out.source_id:
        record["s"] = out.source_id
    if where is not None:
        record["a"] = list(where)
    if entry.repeated_from is not None:  # older readers ignore the key: still a valid v2 line
        record["u"] = entry.repeated_from
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def _decode(line: str, shards: ShardReader) -> JournalEntry:
    record = json.loads(line)
    columns = record["d"]
    n = len(columns["n"])
    arrays = shards.arrays(str(record["a"][0]), int(record["a"][1])) if "a" in record else {}
    fields = [
        {str(k): FieldReading(v[0], float(v[1])) for k, v in row.items()}
        for row in columns.get("f", [{}] * n)
    ]
    detections = Detections(
        np.array(columns["b"], np.float32).reshape(-1, 4),
        np.array(columns["c"], np.float32),
        tuple(str(name) for name in columns["n"]),
        tuple(columns.get("x", ())),
        fields=fields,
        class_id=columns.get("k"),
        track_id=columns.get("r"),
        mask=arrays.get("mask"),
        keypoints=arrays.get("keypoints"),
        embedding=arrays.get("embedding"),
        data={k.removeprefix("data/"): v for k, v in arrays.items() if k.startswith("data/")},
        mask_rle=[RleMask(int(h), int(w), str(c)) for h, w, c in columns["m"]]
        if "m" in columns
        else None,
    )
    features = arrays.get("features", np.zeros(0, np.float32))
    output = FrameOutput(
        detections,
        tags=tuple((str(name), float(score)) for name, score in record.get("g", ())),
        features=features,
        feature_names=tuple(record.get("fn", ())),
        embedding=arrays.get("frame_embedding"),
        source_id=str(record.get("s", "")),
    )
    repeated = record.get("u")
    return JournalEntry(int(record["i"]), float(record["t"]), output, repeated)


def _decode_v1(line: str) -> JournalEntry:
    record = json.loads(line)
    rows = record["d"]
    detections = Detections(
        np.array([r[2:6] for r in rows], np.float32).reshape(-1, 4),
        np.array([r[1] for r in rows], np.float32),
        tuple(r[0] for r in rows),
        tuple(r[6] if len(r) > 6 else None for r in rows),
        # v1 stored untyped attributes; the legacy spelling converts them as the temporal
        # layer always did (a bare value takes the box's score).
        tuple(r[7] if len(r) > 7 else {} for r in rows),
    )
    return JournalEntry(int(record["i"]), float(record["t"]), detections)


def _version(first: str) -> int | None:
    """The version a header line declares; ``None`` when the line is no header (v1)."""
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return None
    if isinstance(record, dict) and "journal" in record:
        return int(record["journal"])
    return None


def dense_spans(entries: Sequence[JournalEntry], gap: float) -> list[tuple[float, float]]:
    """``[(first, last)]`` seconds of the runs of entries whose frames were decoded.

    A dense run's journal is one span; a coarse-to-fine run's has one per span it read
    densely (its other entries repeat a keyframe's results). Entries more than ``gap``
    seconds apart start a new span.
    """
    spans: list[tuple[float, float]] = []
    last: float | None = None
    for entry in entries:
        if entry.repeated_from is not None:
            last = None
            continue
        if last is not None and entry.seconds - last <= gap:
            spans[-1] = (spans[-1][0], entry.seconds)
        else:
            spans.append((entry.seconds, entry.seconds))
        last = entry.seconds
    return spans


def read_journal(path: str | os.PathLike[str]) -> list[JournalEntry]:
    """Read a journal; a torn last line (the run was killed mid-write) is ignored.

    A line whose side-car arrays are missing counts as torn too; nothing after a torn line
    is trusted.

    Raises:
        InputError: The journal was written by a newer framewise.
    """
    return list(_entries(Path(path)))


def _entries(file: Path) -> Iterator[JournalEntry]:
    if not file.exists():
        return
    lines = file.read_text(encoding="utf-8").splitlines()
    version = _version(lines[0]) if lines else None
    if version is not None and version > VERSION:
        raise InputError(
            f"this journal is version {version}; this framewise reads up to {VERSION}",
            subject=file,
            hint="upgrade framewise, or rerun the video with --force",
        )
    shards = ShardReader(file)
    body = lines[1:] if version is not None else lines
    for line in body:
        try:
            yield _decode(line, shards) if version is not None else _decode_v1(line)
        except _TORN:
            return  # everything after a torn line is untrusted


class JournalWriter:
    """Appends entries; :meth:`checkpoint` makes everything written so far durable.

    Args:
        path: The journal file (``.jsonl``).
        keep: Entries already in the file that are trusted (from :func:`read_journal`); the
            file is rewritten with exactly these first (their arrays too), dropping any torn
            tail and the side-car shards nothing names any more.
    """

    def __init__(self, path: str | os.PathLike[str], keep: Sequence[JournalEntry] = ()) -> None:
        self.path = Path(path)
        self._shards = ShardWriter(self.path)
        # The prefix is written beside the journal and renamed over it, so a crash while
        # rewriting leaves the old journal whole.
        partial = self.path.with_name(self.path.name + ".partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle: IO[str] = partial.open("w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(
                f"cannot write the journal ({exc.strerror})",
                subject=self.path,
                hint="choose a writable output folder",
            ) from None
        self._handle.write(json.dumps({"journal": VERSION}) + "\n")
        for entry in keep:
            self.write(entry)
        self.checkpoint()
        partial.replace(self.path)
        self._shards.drop_others()

    def write(self, entry: JournalEntry) -> None:
        """Append one frame's results (its arrays wait for the next checkpoint)."""
        arrays = _arrays(entry.output)
        where = self._shards.add(arrays) if arrays else None
        self._handle.write(_encode(entry, where) + "\n")

    def hand_off(self) -> None:
        """Hand the lines written so far to the operating system (no fsync).

        A killed process keeps them (a power cut may not): a run killed before its first
        checkpoint still resumes from what it journaled. Lines whose arrays wait for the next
        shard read as torn until :meth:`checkpoint` writes it.
        """
        self._handle.flush()

    def checkpoint(self) -> None:
        """Write the pending arrays' shard, then flush and fsync the lines.

        A crash after this loses nothing written before it.
        """
        self._shards.flush()
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        """Checkpoint and close. Safe to call twice."""
        if not self._handle.closed:
            self.checkpoint()
            self._handle.close()
