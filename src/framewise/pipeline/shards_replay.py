"""The temporal step of a sharded run: merge the journal shards, replay them, no decoding.

The detection step (:mod:`framewise.pipeline.shards`) leaves one journal per time shard. They
are merged in time order into the run's journal, with the joins checked: every frame inside
its shard's ticks, and the first frame of each shard the very sample the shard before it read
just past its end (so no frame is missing or doubled at a boundary). Then fresh temporal
logic (filters, state machine) replays the merged journal, exactly as a resume replays an
interrupted run's, and the sinks write the event log, tables and manifest a whole-file run
writes.

Thumbnails need pictures: a first, cheap replay finds the frames the events will name (their
best frame, and the frame that releases each event), and only those are decoded again,
a short seek each, and handed to the sinks with their journaled results.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from framewise.config.pipeline import JsonLogSinkConfig, PipelineConfig, SinkConfig
from framewise.core.errors import InputError
from framewise.core.events import LogMetadata
from framewise.core.frames import Frame
from framewise.core.time import SessionStart
from framewise.events.journal import JournalEntry, JournalWriter, read_journal
from framewise.events.sinks import JOURNAL_NAME, RunTotals, ThumbnailSink
from framewise.pipeline.chain import DetectorChain
from framewise.pipeline.check import FootageCheck
from framewise.pipeline.core import RunCore
from framewise.pipeline.shards import PREROLL_SECONDS, ShardDone, shard_folder
from framewise.pipeline.sinks import SinkContext, build_sinks
from framewise.pipeline.step import FrameStep
from framewise.sources.base import SourceStats
from framewise.sources.file import FileSource
from framewise.sources.sampling import nearest_tick
from framewise.temporal.engine import EventEngine

log = logging.getLogger(__name__)

REREAD_GAP_SECONDS = 4.0
"""Pictures closer than this are decoded in one read; farther ones get a seek of their own."""


@dataclass(frozen=True)
class Merged:
    """The merged journal and the run's counters."""

    entries: list[JournalEntry]
    source_stats: dict[str, Any]


def _tick_gaps(entries: Sequence[JournalEntry], sample_fps: float) -> int:
    """Ticks with no frame between the first and the last sample (as one read counts them)."""
    ticks = [nearest_tick(e.seconds, sample_fps) for e in entries]
    return sum(max(0, b - a - 1) for a, b in pairwise(ticks))


def merge_shards(
    run_folder: Path, dones: Sequence[ShardDone], sample_fps: float, video: Path
) -> Merged:
    """The shards' journals in order, their joins checked, and the counters added up.

    A shard whose read ended before its last tick (a damaged or cut file) ends the run there,
    as a read of the whole file stops there; later shards' frames are dropped with a warning.

    Raises:
        InputError: Two shards do not join (a frame missing or doubled at a boundary).
    """
    entries: list[JournalEntry] = []
    stats = SourceStats()
    expected: tuple[int, float] | None = None  # the frame the shard before read past its end
    ordered = sorted(dones, key=lambda d: d.shard.number)
    for position, done in enumerate(ordered):
        shard = done.shard
        own = read_journal(shard_folder(run_folder, shard.number) / JOURNAL_NAME)
        if len(own) != done.frames:
            raise InputError(
                f"shard {shard.number} ({shard.span(sample_fps)}) journaled {len(own)} of "
                f"its {done.frames} frames",
                subject=run_folder,
                hint="run the same command again with --overwrite",
            )
        for entry in own:
            if not shard.owns(nearest_tick(entry.seconds, sample_fps)):
                raise InputError(
                    f"shard {shard.number} ({shard.span(sample_fps)}) holds a frame at "
                    f"{entry.seconds:.3f} s, outside its ticks",
                    subject=run_folder,
                    hint="run the same command again with --overwrite",
                )
        if own and expected is not None and (own[0].index, own[0].seconds) != expected:
            raise InputError(
                f"shards do not join at {shard.span(sample_fps)}: the shard before read frame "
                f"{expected[0]} at {expected[1]:.3f} s next, this one starts with frame "
                f"{own[0].index} at {own[0].seconds:.3f} s",
                subject=video,
                hint="the file seeks inexactly; process it without --shard-sec",
            )
        entries.extend(own)
        stats.decoded += int(done.source_stats.get("decoded", 0))
        stats.corrupt_packets += int(done.source_stats.get("corrupt_packets", 0))
        stats.corrupt_frames += int(done.source_stats.get("corrupt_frames", 0))
        stats.truncated = stats.truncated or bool(done.source_stats.get("truncated"))
        # An empty shard read the same next sample as the one before it (or none).
        expected = done.after if own or expected is None else expected
        if done.after is None and shard.end_tick is not None:
            dropped = sum(later.frames for later in ordered[position + 1 :])
            if dropped:
                log.warning(
                    "%s: the read of %s stopped before its end (a damaged part?); %d frames "
                    "after it are dropped, as a read of the whole file stops there",
                    video.name,
                    shard.span(sample_fps),
                    dropped,
                )
            break
    if expected is not None:
        raise InputError(
            f"a shard read frame {expected[0]} at {expected[1]:.3f} s past its end, "
            "but no later shard holds it",
            subject=video,
            hint="the file seeks inexactly; process it without --shard-sec",
        )
    # Kept and gaps are exactly a whole-file read's. Decoded is the work the shards did: the
    # frames back to each shard's keyframe and its read-ahead too; skipped is the rest of it.
    stats.kept = len(entries)
    stats.gaps = _tick_gaps(entries, sample_fps)
    stats.skipped = max(0, stats.decoded - stats.kept)
    return Merged(entries, stats.as_dict())


def write_merged(journal: Path, entries: Sequence[JournalEntry]) -> None:
    """Write the merged journal (atomically: a prefix rewrite, as a resume does)."""
    JournalWriter(journal, keep=entries).close()


def _sink_configs(config: PipelineConfig) -> list[SinkConfig]:
    """The run's sinks less the journal (written merged already), with the implied event log."""
    configs: list[SinkConfig] = [c for c in config.sinks if c.kind != "journal"]
    if not any(c.kind == "json_log" for c in configs):
        configs.append(JsonLogSinkConfig(kind="json_log"))
    return configs


def _engine_core(config: PipelineConfig, session_start: SessionStart, sinks: list[Any]) -> RunCore:
    # The temporal step needs no detectors: the journal holds every frame's results.
    step = FrameStep(DetectorChain(), EventEngine.from_config(config))
    confident = config.expect.confident if config.expect else 0.0
    return RunCore(step, session_start, sinks, confident=confident)


def pictures_needed(
    config: PipelineConfig, entries: Sequence[JournalEntry], session_start: SessionStart
) -> set[float]:
    """Times of the frames thumbnails come from: each event's best frame and its release."""
    core = _engine_core(config, session_start, [])
    needed: set[float] = set()
    for entry in entries:
        emitted = core.replay(entry.seconds, entry.index, entry.output)
        if emitted:
            needed.add(entry.seconds)
            needed.update(e.record.best_seconds for e in emitted)
    for emitted_at_end in core.finish(RunTotals(core.frames, core.last_seconds, {})):
        needed.add(emitted_at_end.record.best_seconds)
    return needed


def _groups(times: set[float]) -> Iterator[list[float]]:
    """``times`` in order, in runs whose neighbours are at most REREAD_GAP_SECONDS apart."""
    group: list[float] = []
    for seconds in sorted(times):
        if group and seconds - group[-1] > REREAD_GAP_SECONDS:
            yield group
            group = []
        group.append(seconds)
    if group:
        yield group


def decode_pictures(
    config: PipelineConfig, video: Path, session_start: SessionStart, times: set[float]
) -> Generator[Frame, None, None]:
    """The sampled frames at ``times``, in time order (a seek per far-apart group)."""
    if not times:
        return
    # One source for every group: the file's timing is scanned once, then each read seeks.
    # Sharding reads files only (sharding_fps): the same reader a run opens, minus its
    # read-ahead, which would decode past each group for nothing.
    with FileSource.from_config(config.source, video, session_start=session_start) as source:
        source.prefetch = 0
        for group in _groups(times):
            wanted = set(group)
            source.seek(max(0.0, group[0] - PREROLL_SECONDS))  # see PREROLL_SECONDS
            frames = source.read()
            try:
                for frame in frames:
                    if frame.seconds in wanted:
                        yield frame
                    if frame.seconds >= group[-1]:
                        break
            finally:
                close = getattr(frames, "close", None)
                if callable(close):
                    close()  # stops the decode thread


def footage_notes(config: PipelineConfig, core: RunCore, label: str) -> dict[str, Any]:
    """The footage check's figures for the log (as the whole-file runner gives them)."""
    if config.expect is None:
        return {}
    check = FootageCheck.judge(
        config.expect,
        frames=core.frames,
        covered=core.covered,
        counts=core.counts,
        pipeline=f"pipeline {config.name!r}",
    )
    if not check.ok:
        log.warning("%s: %s", label, check.message)
    return {"footage_check": check.as_dict()}


def replay_merged(
    config: PipelineConfig,
    video: Path,
    run_folder: Path,
    merged: Merged,
    metadata: LogMetadata,
    session_start: SessionStart,
) -> RunCore:
    """The temporal step over the merged journal, into the run folder's log and tables."""
    context = SinkContext(run_folder, metadata)
    sinks = build_sinks(_sink_configs(config), context, batch=False)
    core = _engine_core(config, session_start, sinks)
    thumbnails = any(isinstance(sink, ThumbnailSink) for sink in sinks)
    needed = pictures_needed(config, merged.entries, session_start) if thumbnails else set()
    pictures = decode_pictures(config, video, session_start, needed)
    upcoming = next(pictures, None)
    try:
        for entry in merged.entries:
            frame = None
            while upcoming is not None and upcoming.seconds < entry.seconds:
                upcoming = next(pictures, None)  # a picture no entry has (not expected)
            if upcoming is not None and upcoming.seconds == entry.seconds:
                frame, upcoming = upcoming, next(pictures, None)
            core.replay(entry.seconds, entry.index, entry.output, frame)
        notes = footage_notes(config, core, video.name)
        core.finish(RunTotals(core.frames, core.last_seconds, merged.source_stats, notes))
    finally:
        pictures.close()
        core.close()
    return core
