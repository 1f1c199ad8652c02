"""Batch runs: a source → a run folder, checkpointed, resumable, decode beside inference.

The decode thread (the source's prefetch) fills a bounded queue while the main thread runs
batched inference, so the slower of the two sets the pace and memory stays flat. Every
sampled frame's detections go to the journal; after an interruption the journal is replayed
through fresh temporal logic (pure and deterministic), and reading resumes after the last
journaled frame, so the finished log equals the one an uninterrupted run writes.

The run folder (:class:`~framewise.pipeline.rundir.RunDir`) keeps the resolved config: a
rerun with the same config skips a complete run and resumes an interrupted one; with another
config it is refused unless ``overwrite``.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise.config.pipeline import PipelineConfig
from framewise.core.events import LogMetadata
from framewise.core.frames import Frame
from framewise.events.journal import JournalEntry, read_journal
from framewise.events.log import read_event_log
from framewise.events.sinks import RunTotals
from framewise.pipeline.chain import DetectorChain, build_chain
from framewise.pipeline.check import FootageCheck
from framewise.pipeline.core import RunCore
from framewise.pipeline.rundir import RunDir, RunState
from framewise.pipeline.sinks import SinkContext, build_sinks
from framewise.pipeline.step import FrameStep
from framewise.pipeline.strategy import CoarseToFine, coarse_to_fine_applies
from framewise.sources.base import SourceStats, VideoSource
from framewise.sources.file import FileSource
from framewise.sources.probe import VideoInfo, probe
from framewise.sources.registry import open_source
from framewise.temporal.engine import EventEngine

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
"""Called with the video seconds processed so far."""


@dataclass(frozen=True)
class VideoRun:
    """The outcome of processing one video."""

    video: Path
    log_path: Path
    counts: dict[str, int]
    frames: int
    video_seconds: float
    wall_seconds: float
    resumed_at: float | None
    skipped: bool
    stats: SourceStats = field(default_factory=SourceStats)
    replayed: int = 0
    """Frames of an interrupted run's journal fed again (not processed again)."""

    @property
    def events(self) -> int:
        """Events in the log."""
        return sum(self.counts.values())


def _whole_run(legs: list[Mapping[str, Any]], last: Mapping[str, Any]) -> dict[str, Any]:
    """Source counters of every leg of a run added up (flags: set in any leg)."""
    total = dict(last)
    for leg in legs:
        for key, value in leg.items():
            if key not in total:
                continue
            if isinstance(value, bool):
                total[key] = bool(total[key]) or value
            elif isinstance(value, int | float):
                total[key] += value
    return total


def _split_preroll(
    batches: Iterator[list[Frame]], core: RunCore, resumed_at: float | None
) -> Iterator[list[Frame]]:
    """Show frames up to ``resumed_at`` (already journaled) to the sinks as pre-roll only."""
    for batch in batches:
        if resumed_at is not None and batch[0].seconds <= resumed_at:
            for frame in batch:
                if frame.seconds <= resumed_at:
                    core.preroll(frame)
            batch = [f for f in batch if f.seconds > resumed_at]  # noqa: PLW2901
        if batch:
            yield batch


class Pipeline:
    """source → stages → temporal logic → sinks, built from one :class:`PipelineConfig`.

    Args:
        config: The validated pipeline YAML.
        confidence: Overrides every detector's confidence threshold.
        checkpoint_seconds: Wall-clock seconds between checkpoints.

    Example:
        >>> pipeline = Pipeline(load_pipeline("profiles/tarkov/pipeline.yaml"))  # doctest: +SKIP
        >>> run = pipeline.process_video("stream.mkv", Path("events/stream"))  # doctest: +SKIP
    """

    def __init__(
        self,
        config: PipelineConfig,
        *,
        confidence: float | None = None,
        checkpoint_seconds: float = 30.0,
    ) -> None:
        self.config = config
        self.confidence = confidence
        self.checkpoint_seconds = checkpoint_seconds
        self.chain: DetectorChain = build_chain(config.detectors, confidence=confidence)
        self._probe: DetectorChain | None = None
        self.strategy_figures: dict[str, Any] = {}
        """The last coarse-to-fine run's figures (keyframes, dense and repeated ticks)."""

    def close(self) -> None:
        """Release the models."""
        self.chain.close()
        if self._probe is not None:
            self._probe.close()

    def probe_chain(self) -> DetectorChain:
        """The detectors a coarse-to-fine run scans keyframes with (built once, on demand)."""
        if self._probe is None:
            self._probe = build_chain(self.config.detectors, confidence=self.confidence)
        return self._probe

    def open_video(self, video: str | os.PathLike[str], info: VideoInfo) -> VideoSource:
        """The source this pipeline's ``source:`` settings describe, reading ``video``."""
        return open_source(self.config.source, video, session_start=info.session_start)

    def process_video(
        self,
        video: str | os.PathLike[str],
        out_dir: str | os.PathLike[str],
        *,
        start_time: datetime | None = None,
        session_type: str = "stream",
        force: bool = False,
        on_progress: Progress | None = None,
        info: VideoInfo | None = None,
    ) -> VideoRun:
        """Process one video file into ``out_dir`` (log, thumbnails, journal, manifest).

        See :meth:`process`; ``info`` is the video's probe, when the caller has it already.
        """
        info = info or probe(video, start_time=start_time)
        source = self.open_video(video, info)
        metadata = self._metadata(video, info, session_type)
        return self.process(
            source, out_dir, metadata, force=force, on_progress=on_progress, video=Path(video)
        )

    def process(
        self,
        source: VideoSource,
        out_dir: str | os.PathLike[str],
        metadata: LogMetadata,
        *,
        force: bool = False,
        on_progress: Progress | None = None,
        video: Path | None = None,
    ) -> VideoRun:
        """Process any source into the run folder ``out_dir``.

        A complete run made with the same config is kept (unless ``force``); an interrupted
        one is resumed (a seekable source seeks, another reads past what was journaled).

        Raises:
            ConfigError: ``out_dir`` holds a run made with another configuration.
        """
        began = time.monotonic()
        run_dir = RunDir(Path(out_dir))
        label = video or Path(source.source_id)
        parameters = {
            "confidence": self.confidence,
            "session_start": metadata.session_start_time.isoformat(),
            "session_type": metadata.session_type,
        }
        state = run_dir.prepare(self.config, parameters, overwrite=force)
        if state is RunState.COMPLETE:
            source.close()
            existing = read_event_log(run_dir.log)
            counts = Counter(e.type for e in existing.events)
            duration = existing.metadata.video_duration_seconds
            return VideoRun(label, run_dir.log, dict(counts), 0, duration, 0.0, None, True)
        entries = read_journal(run_dir.journal) if state is RunState.RESUME else []
        context = SinkContext(run_dir.path, metadata, journal_keep=entries)
        sinks = build_sinks(self.config.sinks, context, batch=True)
        step = FrameStep(self.chain, EventEngine.from_config(self.config))
        fallback = float(source.frame_rate) if source.frame_rate else 30.0
        confident = self.config.expect.confident if self.config.expect else 0.0
        self.strategy_figures = {}  # this source's, set by a coarse-to-fine read
        core = RunCore(
            step, source.session_start, sinks, fallback_fps=fallback, confident=confident
        )
        earlier = [leg.get("source_stats", {}) for leg in run_dir.legs]
        earlier_wall = sum(float(leg.get("wall_seconds", 0.0)) for leg in run_dir.legs)

        def checkpoint() -> None:
            run_dir.checkpoint(source.stats.as_dict(), time.monotonic() - began)

        try:
            resumed_at = self._replay(core, source, entries, label)
            if coarse_to_fine_applies(source, self.config):
                self._coarse_to_fine(core, source, resumed_at, on_progress, checkpoint)
            else:
                self._read(core, source, resumed_at, on_progress, checkpoint)
            stats = _whole_run(earlier, source.stats.as_dict())
            notes = self._check(core, label) | self.strategy_figures
            core.finish(RunTotals(core.frames, core.last_seconds, stats, notes))
        finally:
            source.close()
            core.close()
        run = VideoRun(
            label,
            run_dir.log,
            dict(core.counts),
            core.frames,
            metadata.video_duration_seconds,
            earlier_wall + time.monotonic() - began,
            resumed_at,
            False,
            SourceStats(**stats),
            len(entries),
        )
        summary = {
            "events": run.events,
            "by_type": run.counts,
            "frames": run.frames,
            "wall_seconds": round(run.wall_seconds, 3),
            "legs": len(run_dir.legs) + 1,
            "source_stats": stats,
        }
        run_dir.finish(summary)
        return run

    def _check(self, core: RunCore, label: Path) -> dict[str, Any]:
        """The footage check's figures for the log; a warning when the footage falls short."""
        if self.config.expect is None:
            return {}
        check = FootageCheck.judge(
            self.config.expect,
            frames=core.frames,
            covered=core.covered,
            counts=core.counts,
            pipeline=f"pipeline {self.config.name!r}",
        )
        if not check.ok:
            log.warning("%s: %s", label.name, check.message)
        return {"footage_check": check.as_dict()}

    def _replay(
        self, core: RunCore, source: VideoSource, entries: list[JournalEntry], label: Path
    ) -> float | None:
        """Rebuild an interrupted run's state from its journal; where reading resumes."""
        for entry in entries:  # no decoding: the journal holds every frame's detections
            core.replay(entry.seconds, entry.index, entry.output)
        if not entries:
            return None
        resumed_at = entries[-1].seconds
        # Decode the frames the rebuilt engine may still want again (as pre-roll only),
        # so events decided later get the thumbnails an uninterrupted run gives them.
        if source.seekable:
            source.seek(min(core.step.engine.wanted_seconds(), default=resumed_at))
        log.info("%s: resuming after %.2f s (%d frames journaled)", label, resumed_at, len(entries))
        return resumed_at

    def _coarse_to_fine(
        self,
        core: RunCore,
        source: FileSource,
        resumed_at: float | None,
        on_progress: Progress | None,
        on_checkpoint: Callable[[], None],
    ) -> None:
        """Keyframes first, then dense reads where they changed (:mod:`.strategy`)."""
        after_batch = self._after_batch(core, on_progress, on_checkpoint)
        preroll = min(core.step.engine.wanted_seconds(), default=resumed_at)
        runner = CoarseToFine(self.config, self.probe_chain())
        source.stats = runner.run(core, source, resumed_at, after_batch, preroll)
        self.strategy_figures = {"strategy": runner.figures.as_dict()}

    def _read(
        self,
        core: RunCore,
        source: VideoSource,
        resumed_at: float | None,
        on_progress: Progress | None,
        on_checkpoint: Callable[[], None],
    ) -> None:
        after_batch = self._after_batch(core, on_progress, on_checkpoint)
        batches = source.read_batches(self.config.source.batch_size)
        for batch in _split_preroll(batches, core, resumed_at):
            core.process(batch)
            after_batch()

    def _after_batch(
        self, core: RunCore, on_progress: Progress | None, on_checkpoint: Callable[[], None]
    ) -> Callable[[], None]:
        """What follows each batch: progress, and a checkpoint every ``checkpoint_seconds``."""
        checkpointed = time.monotonic()

        def after_batch() -> None:
            nonlocal checkpointed
            if on_progress is not None:
                on_progress(core.last_seconds)
            if time.monotonic() - checkpointed >= self.checkpoint_seconds:
                core.checkpoint()
                on_checkpoint()
                checkpointed = time.monotonic()

        return after_batch

    def _metadata(
        self, video: str | os.PathLike[str], info: VideoInfo, session_type: str
    ) -> LogMetadata:
        start = info.session_start
        return LogMetadata(
            video_path=str(Path(video).resolve()),
            session_start_time=start.time,
            session_start_origin=start.origin,
            session_type=session_type,
            video_duration_seconds=info.duration_seconds,
            total_frames=info.frame_count,
            detection_fps=self.config.source.detection_fps,
            model_version=self.chain.model_version,
            processed_at=datetime.now(UTC),
            pipeline=self.config.name,
        )
