"""Batch runs: one video → one event log, checkpointed, resumable, decode beside inference.

The decode thread (``FileSource``'s prefetch) fills a bounded queue while the main thread
runs batched inference, so the slower of the two sets the pace and memory stays flat. Every
sampled frame's detections go to the journal; after an interruption the journal is replayed
through fresh temporal logic (pure and deterministic), and decoding resumes after the last
journaled frame, so the finished log equals the one an uninterrupted run writes.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from framewise.config.pipeline import JsonLogSinkConfig, PipelineConfig
from framewise.core.events import LogMetadata
from framewise.core.frames import Frame
from framewise.core.time import SessionStart
from framewise.events.journal import JournalEntry, JournalWriter, read_journal
from framewise.events.log import read_event_log
from framewise.events.sinks import JOURNAL_NAME, LOG_NAME, JsonLogSink
from framewise.events.thumbnails import WantedFrames
from framewise.pipeline.chain import DetectorChain, build_chain
from framewise.pipeline.step import FrameStep
from framewise.sources.base import SourceStats
from framewise.sources.file import DecodeOptions, FileSource
from framewise.sources.probe import VideoInfo, probe
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

    @property
    def events(self) -> int:
        """Events in the log."""
        return sum(self.counts.values())


def _after_preroll(
    batches: Iterator[list[Frame]],
    kept: WantedFrames,
    wanted: set[float],
    resumed_at: float | None,
) -> Iterator[list[Frame]]:
    """Offer frames up to ``resumed_at`` (already journaled) to ``kept`` only; pass the rest."""
    for batch in batches:
        if resumed_at is not None and batch[0].seconds <= resumed_at:
            for frame in batch:
                if frame.seconds <= resumed_at:
                    kept.offer(frame, wanted)
            batch = [f for f in batch if f.seconds > resumed_at]  # noqa: PLW2901
        if batch:
            yield batch


def _decode_options(config: PipelineConfig) -> DecodeOptions:
    decode = config.source.decode
    return DecodeOptions(
        keyframes_only=config.source.read == "keyframes" or decode.skip_frame == "NONKEY",
        skip_nonref=decode.skip_frame == "NONREF",
        skip_loop_filter=decode.skip_loop_filter not in ("NONE", "DEFAULT"),
        threads=decode.threads,
    )


def _log_sink_config(config: PipelineConfig) -> JsonLogSinkConfig:
    for sink in config.sinks:
        if isinstance(sink, JsonLogSinkConfig):
            return sink
    return JsonLogSinkConfig(kind="json_log")


class Pipeline:
    """source → detectors → temporal logic → sinks, built from one :class:`PipelineConfig`.

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
        self.checkpoint_seconds = checkpoint_seconds
        self.chain: DetectorChain = build_chain(config.detectors, confidence=confidence)

    def close(self) -> None:
        """Release the models."""
        self.chain.close()

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
        """Process one video into ``out_dir/events.json`` (+ thumbnails and journal).

        A complete log already there is kept (unless ``force``); a partial one is resumed.
        ``info`` is the video's probe, when the caller has it already.
        """
        began = time.monotonic()
        out = Path(out_dir)
        log_path, journal_path = out / LOG_NAME, out / JOURNAL_NAME
        if not force and log_path.exists():
            existing = read_event_log(log_path)
            if existing.metadata.complete:
                counts = Counter(e.type for e in existing.events)
                return VideoRun(
                    Path(video),
                    log_path,
                    dict(counts),
                    0,
                    existing.metadata.video_duration_seconds,
                    0.0,
                    None,
                    True,
                )
        entries = read_journal(journal_path) if (log_path.exists() and not force) else []

        info = info or probe(video, start_time=start_time)
        fps = self.config.source.detection_fps
        source = FileSource(
            video,
            sample_fps=None if self.config.source.read == "all" else fps,
            session_start=info.session_start,
            decode=_decode_options(self.config),
            prefetch=self.config.source.queue_size * self.config.source.batch_size,
        )
        sink_config = _log_sink_config(self.config)
        sink = JsonLogSink(
            out,
            self._metadata(
                video, info.session_start, session_type, info.duration_seconds, info.frame_count
            ),
            info.session_start,
            nominal_fps=source.nominal_fps or info.avg_fps,
            thumbnails=sink_config.thumbnails,
        )
        step = FrameStep(self.chain, EventEngine.from_config(self.config))
        for entry in entries:  # rebuild the interrupted run's state, without decoding
            sink.add(step.update(entry.seconds, entry.detections), None)
        resumed_at = entries[-1].seconds if entries else None
        kept = WantedFrames(
            max_side=sink_config.thumbnail_max_side or 100_000, quality=sink_config.jpeg_quality
        )
        wanted = step.engine.wanted_seconds()
        if resumed_at is not None:
            # Decode the frames the rebuilt engine may still want again (into `kept` only),
            # so events decided later get the thumbnails an uninterrupted run gives them.
            source.seek(min(wanted, default=resumed_at))
            log.info(
                "%s: resuming after %.2f s (%d frames journaled)", video, resumed_at, len(entries)
            )
        journal = JournalWriter(journal_path, keep=entries)
        frames, last = len(entries), resumed_at or 0.0
        checkpointed = time.monotonic()
        try:
            batches = source.read_batches(self.config.source.batch_size)
            for batch in _after_preroll(batches, kept, wanted, resumed_at):
                for result in step.run(batch):
                    frame = result.frame
                    journal.write(JournalEntry(frame.index, frame.seconds, result.detections))
                    wanted = step.engine.wanted_seconds()
                    named = {t for r in result.records for t in (r.seconds, r.best_seconds)}
                    kept.offer(frame, wanted | named)
                    sink.add(result.records, kept)
                    kept.retain(wanted)
                    frames, last = frames + 1, frame.seconds
                if on_progress is not None:
                    on_progress(last)
                if time.monotonic() - checkpointed >= self.checkpoint_seconds:
                    journal.checkpoint()
                    sink.write(complete=False, processed_until=last, extra={})
                    checkpointed = time.monotonic()
            sink.add(step.flush(), kept)
            journal.checkpoint()
            sink.write(
                complete=True,
                processed_until=last,
                extra={"source_stats": source.stats.as_dict(), "frames_processed": frames},
            )
        finally:
            journal.close()
        counts = Counter(e.type for e in sink.events)
        return VideoRun(
            Path(video),
            log_path,
            dict(counts),
            frames,
            info.duration_seconds,
            time.monotonic() - began,
            resumed_at,
            False,
            source.stats,
        )

    def _metadata(
        self,
        video: str | os.PathLike[str],
        start: SessionStart,
        session_type: str,
        duration: float,
        total_frames: int,
    ) -> LogMetadata:
        return LogMetadata(
            video_path=str(Path(video).resolve()),
            session_start_time=start.time,
            session_start_origin=start.origin,
            session_type=session_type,
            video_duration_seconds=duration,
            total_frames=total_frames,
            detection_fps=self.config.source.detection_fps,
            model_version=self.chain.model_version,
            processed_at=datetime.now(UTC),
            pipeline=self.config.name,
        )
