"""Long videos split by time: the detection step of one video, one time shard at a time.

A shard is a run of ticks of the sampling clock (``k / detection_fps`` seconds, the absolute
grid of :mod:`framewise.sources.sampling`): shard ``k`` owns the ticks ``[first_tick,
end_tick)``. Its worker seeks to the keyframe before its first tick and samples on the same
grid, so the frames it keeps are exactly those an uninterrupted read keeps for those ticks
(the frame nearest a tick is never before the keyframe at or before the tick). It runs the
detectors and writes a journal shard — ``shards/<k>/journal.jsonl`` (+ its ``.arrays``
side-car) and ``shard.json`` — built in a hidden folder and renamed into place, so a shard is
either finished or absent, and a finished one is never redone.

The worker reads one sample past its last tick and records it (``after``): the merge checks it
is the next shard's first frame, so the shards join with no gap and no overlap.

The temporal step (filters, state machine) then replays the merged journal without decoding
(:mod:`framewise.pipeline.shards_replay`).

Example:
    >>> [(s.first_tick, s.end_tick) for s in plan_shards(28.0, 10.0, 10.0)]
    [(0, 100), (100, 200), (200, None)]
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from framewise.config.pipeline import PipelineConfig
from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.core.time import SessionStart
from framewise.events.journal import JournalEntry, JournalWriter
from framewise.events.sinks import JOURNAL_NAME
from framewise.executors.base import worker_id
from framewise.pipeline.chain import DetectorChain, build_chain
from framewise.pipeline.rundir import SHARDS_DIR
from framewise.sources.base import VideoSource
from framewise.sources.registry import open_source
from framewise.sources.sampling import nearest_tick

SHARD_RECORD = "shard.json"
PREROLL_SECONDS = 1.0
"""Shards (and thumbnail reads) seek this much before their first frame and drop what comes
before it: a decoder that reorders frames times the first pictures after a seek late (an AVI
with B-frames is timed by the DTS that releases each picture), so a read that starts on the
keyframe itself would miss or mistime them."""
CHECKPOINT_FRAMES = 256
"""Frames between two checkpoints of a shard's journal (bounds the arrays held in memory)."""


@dataclass(frozen=True)
class Shard:
    """Ticks ``[first_tick, end_tick)`` of the sampling clock; ``end_tick`` None: to the end."""

    number: int
    first_tick: int
    end_tick: int | None

    def owns(self, tick: int) -> bool:
        """Whether ``tick`` is this shard's."""
        return tick >= self.first_tick and (self.end_tick is None or tick < self.end_tick)

    def span(self, sample_fps: float) -> str:
        """``12.0-24.0 s`` (``12.0 s-end`` for the last shard), for messages."""
        start = self.first_tick / sample_fps
        end = "end" if self.end_tick is None else f"{self.end_tick / sample_fps:.1f} s"
        return f"{start:.1f} s-{end}"


def sharding_fps(config: PipelineConfig) -> float:
    """The sampling rate shards are cut on.

    Raises:
        ConfigError: The pipeline reads something other than a file, or every frame.
    """
    source = config.source
    if source.kind != "file":
        raise ConfigError(
            f"--shard-sec splits a video file; this pipeline's source is {source.kind!r}",
            subject="source.kind",
            hint="drop --shard-sec, or use a pipeline whose source is a file",
        )
    if source.sample_fps is None:
        raise ConfigError(
            "--shard-sec needs frames sampled by time; this pipeline reads every frame",
            subject="source.read",
            hint="set source.read to sampled (or keyframes), or drop --shard-sec",
        )
    return source.sample_fps


def plan_shards(duration: float, sample_fps: float, shard_seconds: float) -> list[Shard]:
    """Shards of about ``shard_seconds`` each over ``duration`` seconds, on the tick grid.

    The last shard runs to the end of the file, whatever its header says, so it is between
    half and one and a half shards long.

    Raises:
        ConfigError: ``shard_seconds`` is not a positive number.
    """
    if not math.isfinite(shard_seconds) or shard_seconds <= 0:
        raise ConfigError(
            f"{shard_seconds} is not a shard length",
            subject="--shard-sec",
            hint="give seconds of video per shard, e.g. --shard-sec 60",
        )
    per = max(1, round(shard_seconds * sample_fps))
    ticks = nearest_tick(max(0.0, duration), sample_fps) + 1 if math.isfinite(duration) else 1
    count = max(1, round(ticks / per))  # the last shard, open-ended, takes the remainder
    return [Shard(k, k * per, (k + 1) * per if k < count - 1 else None) for k in range(count)]


@dataclass(frozen=True)
class ShardSpec:
    """Everything a worker needs for one shard; pickles (Ray and process pools ship it).

    Attributes:
        video: The video file (a path the worker can open).
        shard: Which ticks.
        run_folder: The run folder; the shard goes to ``run_folder/shards/<number>``.
        config: The pipeline.
        confidence: The detectors' confidence override, if any.
        session_start: The recording's start (frames carry wall times).
        run_hash: The run's config hash: a shard left by another configuration is redone.
    """

    video: str
    shard: Shard
    run_folder: str
    config: PipelineConfig
    confidence: float | None
    session_start: SessionStart
    run_hash: str = ""

    @property
    def folder(self) -> Path:
        """The finished shard's folder."""
        return shard_folder(Path(self.run_folder), self.shard.number)


@dataclass(frozen=True)
class ShardDone:
    """What a finished shard holds (``shard.json``).

    Attributes:
        shard: Its ticks.
        video: The video it was read from.
        frames: Sampled frames journaled.
        after: ``(index, seconds)`` of the first sample past its last tick (the next
            shard's first frame); None when the file ended first.
        source_stats: The reader's counters (``kept`` counts the journaled frames only).
        wall_seconds: How long the worker took.
        worker: Who ran it (``host:pid``).
        run_hash: The config hash of the run it belongs to.
    """

    shard: Shard
    video: str
    frames: int
    after: tuple[int, float] | None
    source_stats: dict[str, Any]
    wall_seconds: float
    worker: str
    run_hash: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        payload = asdict(self)
        payload["after"] = list(self.after) if self.after is not None else None
        return payload

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> ShardDone:
        """Read back :meth:`to_json`'s payload (KeyError/TypeError/ValueError when malformed)."""
        after = payload["after"]
        return cls(
            Shard(**payload["shard"]),
            str(payload["video"]),
            int(payload["frames"]),
            (int(after[0]), float(after[1])) if after is not None else None,
            dict(payload["source_stats"]),
            float(payload["wall_seconds"]),
            str(payload["worker"]),
            str(payload.get("run_hash", "")),
        )


def shard_folder(run_folder: Path, number: int) -> Path:
    """Where shard ``number`` of the run in ``run_folder`` lies once finished."""
    return run_folder / SHARDS_DIR / f"{number:05d}"


def finished_shard(spec: ShardSpec) -> ShardDone | None:
    """The shard's record if it was finished (for this video and these ticks), else None."""
    try:
        text = (spec.folder / SHARD_RECORD).read_text(encoding="utf-8")
        done = ShardDone.from_json(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (done.shard, done.video, done.run_hash) != (spec.shard, spec.video, spec.run_hash):
        return None  # another plan (--shard-sec changed), file or configuration: redo it
    return done


class ShardDetector:
    """A worker: the detectors built once, then any number of shards through them.

    Args:
        config: The pipeline whose detectors to build.
        confidence: The confidence override.
    """

    def __init__(self, config: PipelineConfig, confidence: float | None) -> None:
        self.chain = build_chain(config.detectors, confidence=confidence)

    def __call__(self, spec: ShardSpec) -> ShardDone:
        """Detect one shard (or return it as finished earlier)."""
        return run_shard(spec, self.chain)

    def close(self) -> None:
        """Release the models."""
        self.chain.close()


@dataclass(frozen=True)
class ShardWorkers:
    """Picklable factory of :class:`ShardDetector` (an executor builds one per worker)."""

    config: PipelineConfig
    confidence: float | None

    def __call__(self) -> ShardDetector:
        """Build a worker (loads the models)."""
        return ShardDetector(self.config, self.confidence)


def detect_shard(spec: ShardSpec) -> ShardDone:
    """Detect one shard with detectors built for it alone (for ``executor.map``)."""
    detector = ShardDetector(spec.config, spec.confidence)
    try:
        return detector(spec)
    finally:
        detector.close()


class _ShardFrames:
    """The sampled frames of one shard, in batches; notes the first sample past its end.

    Frames from ``warm_tick`` to its first tick (a warm-up) come in batches of their own.
    """

    def __init__(
        self, frames: Iterator[Frame], shard: Shard, sample_fps: float, warm_tick: int
    ) -> None:
        self.frames = frames
        self.shard = shard
        self.sample_fps = sample_fps
        self.warm_tick = min(warm_tick, shard.first_tick)
        self.after: tuple[int, float] | None = None

    def batches(self, size: int) -> Iterator[tuple[list[Frame], bool]]:
        """``(batch, owned)``: owned batches are the shard's, the others its warm-up."""
        batch: list[Frame] = []
        owned = False
        for frame in self.frames:
            tick = nearest_tick(frame.seconds, self.sample_fps)
            if tick < self.warm_tick:
                continue  # the pre-roll before the shard (see PREROLL_SECONDS)
            if not owned and tick >= self.shard.first_tick:
                if batch:
                    yield batch, False
                batch, owned = [], True
            if owned and not self.shard.owns(tick):
                self.after = (frame.index, frame.seconds)
                break
            batch.append(frame)
            if len(batch) == size:
                yield batch, owned
                batch = []
        if batch:
            yield batch, owned


def seek_before(source: VideoSource, seconds: float) -> None:
    """Start ``source``'s next read :data:`PREROLL_SECONDS` before ``seconds``."""
    if seconds > 0:
        source.seek(max(0.0, seconds - PREROLL_SECONDS))


def run_shard(spec: ShardSpec, chain: DetectorChain) -> ShardDone:
    """Detect one shard's frames with ``chain`` into its journal shard (see the module doc)."""
    done = finished_shard(spec)
    if done is not None:  # a resume, or a retried task whose first try finished
        return done
    began = time.monotonic()
    config = spec.config
    sample_fps = sharding_fps(config)
    parent = spec.folder.parent
    partial = parent / f".{spec.shard.number:05d}.{secrets.token_hex(4)}.partial"
    partial.mkdir(parents=True, exist_ok=True)
    try:
        frames, after, stats = _detect(spec, chain, sample_fps, partial / JOURNAL_NAME)
        stats["kept"] = frames  # the reader converted a few frames past the end too
        done = ShardDone(
            spec.shard,
            spec.video,
            frames,
            after,
            stats,
            round(time.monotonic() - began, 3),
            worker_id(),
            spec.run_hash,
        )
        write_json(partial / SHARD_RECORD, done.to_json())
        try:
            partial.rename(spec.folder)
            _fsync_dir(parent)
        except OSError:
            # Another try of this shard finished first (a retried task): keep its copy.
            existing = finished_shard(spec)
            if existing is None:
                raise
            return existing
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return done


def _warm_tick(first_tick: int, chain: DetectorChain, sample_fps: float) -> int:
    """The first tick the detectors see: earlier if a stage keeps state (the OCR cache).

    Then the shard's outputs equal an uninterrupted read's (a tick more, for an early frame).
    """
    start = first_tick / sample_fps
    since = chain.state_since(start)
    if since >= start:
        return first_tick
    return max(0, nearest_tick(since, sample_fps) - 1)


def _detect(
    spec: ShardSpec, chain: DetectorChain, sample_fps: float, journal: Path
) -> tuple[int, tuple[int, float] | None, dict[str, Any]]:
    """Read, detect and journal the shard's frames: (frames, the sample after, counters)."""
    config = spec.config
    source = open_source(config.source, spec.video, session_start=spec.session_start)
    writer = JournalWriter(journal)
    frames = 0
    try:
        warm = _warm_tick(spec.shard.first_tick, chain, sample_fps)
        seek_before(source, warm / sample_fps)
        stream = source.read()
        reader = _ShardFrames(stream, spec.shard, sample_fps, warm)
        try:
            for batch, owned in reader.batches(config.source.batch_size):
                outputs = chain.run(batch)
                if not owned:
                    continue
                for frame, output in zip(batch, outputs, strict=True):
                    writer.write(JournalEntry(frame.index, frame.seconds, output))
                    frames += 1
                    if frames % CHECKPOINT_FRAMES == 0:
                        writer.checkpoint()
        finally:
            with contextlib.suppress(AttributeError):
                stream.close()  # type: ignore[attr-defined]  # stops the decode thread
        writer.close()
    finally:
        writer.close()
        source.close()
    return frames, reader.after, source.stats.as_dict()


def remove_shards(run_folder: Path) -> None:
    """Delete the shards once the merged journal and the log are written."""
    folder = run_folder / SHARDS_DIR
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; a no-op where directories cannot open)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
