"""Read strategies of a batch run: ``dense`` (every sampled frame) or ``coarse-to-fine``.

Coarse-to-fine (DESIGN.md, "three reads of a file source") scans the keyframes of a file
with the detectors (a keyframes-only decode reads 2 s-GOP footage tens of times faster than a
full one), lets :class:`~framewise.pipeline.strategy_plan.SpanPlanner` decide which spans
changed, decodes those at ``detection_fps`` (a dense read of each time range: seek to the
keyframe before, decode forward, the same absolute sampling grid as a whole read) and feeds
every other tick the nearer keyframe's results and picture again. The temporal logic thus
sees one result per tick, in time order, as in a dense run; the journal marks the repeated
ticks (``repeated_from``), so a resume replays them and the review UI can tell them apart.

The keyframes go through a detector chain of their own (the *probe*): stages that keep state
across frames (OCR re-reads, stream watches) see each stream in time order, never the
keyframes interleaved with the dense frames.

Where the plan cannot help it falls back to dense, and says so once: a source that is not a
file (cameras, image folders), and a file whose frames are timed in decode order (keyframes
only would still decode every frame). Long or irregular GOPs fall back span by span (keyframes
more than ``max_keyframe_gap_seconds`` apart are read densely between them).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import TypeGuard

from framewise.config.pipeline import PipelineConfig
from framewise.core.frames import Frame, batched
from framewise.pipeline.chain import DetectorChain
from framewise.pipeline.core import RunCore
from framewise.pipeline.strategy_plan import CoarseSample, DenseRun, Repeat, SpanPlanner, Step
from framewise.sources.base import SourceStats, VideoSource
from framewise.sources.file import FileSource
from framewise.sources.sampling import nearest_tick

log = logging.getLogger(__name__)

STRATEGIES = ("dense", "coarse-to-fine")
"""The ``strategy.kind`` values (and ``--strategy`` choices)."""

COARSE_STEP_SECONDS = 1.0
"""Keyframes closer than this to the last one scanned are skipped: an all-intra file (every
frame a keyframe, e.g. ``pyscenedetect/fades.mp4``) would otherwise send every frame through
the probe, and the next keyframe shows any change as well."""

OPEN_AHEAD = 1
"""Dense spans read ahead at most (each holds a batch and its prefetch queue of pictures)."""


def thinned(frames: Iterator[Frame], step: float) -> Iterator[Frame]:
    """``frames`` without those less than ``step`` seconds after the last one kept."""
    last = -math.inf
    for frame in frames:
        if frame.seconds - last >= step:
            last = frame.seconds
            yield frame


def add_stats(total: SourceStats, part: SourceStats) -> None:
    """Add ``part``'s counters into ``total`` (flags: set in either)."""
    for item in fields(SourceStats):
        value = getattr(part, item.name)
        if isinstance(value, bool):
            setattr(total, item.name, getattr(total, item.name) or value)
        else:
            setattr(total, item.name, getattr(total, item.name) + value)


def coarse_to_fine_applies(source: VideoSource, config: PipelineConfig) -> TypeGuard[FileSource]:
    """Whether a run of ``config`` on ``source`` reads coarse-to-fine (else dense, logged)."""
    if config.strategy.kind != "coarse-to-fine":
        return False
    if not isinstance(source, FileSource) or config.source.read != "sampled":
        log.info(
            "%s: coarse-to-fine needs a video file read by time; reading densely",
            source.source_id,
        )
        return False
    if source.timing().reordered:
        log.info(
            "%s: timestamps come in decode order, so a keyframe scan decodes every frame "
            "anyway; reading densely",
            source.source_id,
        )
        return False
    return True


@dataclass
class StrategyFigures:
    """What a coarse-to-fine run read, for the log and the bench."""

    keyframes: int = 0
    dense_ticks: int = 0
    repeated_ticks: int = 0
    dense_spans: list[tuple[float, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (spans rounded to milliseconds)."""
        return {
            "strategy": "coarse-to-fine",
            "keyframes": self.keyframes,
            "dense_ticks": self.dense_ticks,
            "repeated_ticks": self.repeated_ticks,
            "dense_spans": [[round(a, 3), round(min(b, 1e12), 3)] for a, b in self.dense_spans],
        }


class CoarseToFine:
    """Runs one file coarse-to-fine into a :class:`RunCore`.

    Args:
        config: The pipeline (its ``strategy:`` and ``source:`` settings).
        probe: The detector chain the keyframes go through (not the core's own).
    """

    def __init__(self, config: PipelineConfig, probe: DetectorChain) -> None:
        self.config = config
        self.probe = probe
        self.fps = config.source.detection_fps
        self.batch_size = config.source.batch_size
        self.figures = StrategyFigures()
        self._done = SourceStats()
        self._reading: list[FileSource] = []
        self._coarse: FileSource | None = None
        self._repeated = 0
        self._opened: dict[DenseRun, _Opened] = {}

    def run(
        self,
        core: RunCore,
        source: FileSource,
        resumed_at: float | None,
        after_batch: Callable[[], None],
        preroll_from: float | None = None,
    ) -> SourceStats:
        """Read ``source`` into ``core``; returns the decoders' counters added up.

        As in a dense read, ``kept`` counts the ticks handed to the run (decoded or
        repeated); the keyframes the coarse pass decoded for the probe count as ``skipped``.

        Args:
            core: The run (stages, temporal logic, sinks).
            source: The file.
            resumed_at: The last journaled frame's time after an interruption.
            after_batch: Called after every batch (progress, checkpoints).
            preroll_from: After a resume, frames from here to ``resumed_at`` are decoded
                again for their pictures only (thumbnails of events decided later).
        """
        self._done = SourceStats()
        self._reading = []
        self._repeated = 0

        def tick() -> None:  # a checkpoint saves the counters read so far
            source.stats = self._so_far()
            after_batch()

        first = 0 if resumed_at is None else nearest_tick(resumed_at, self.fps) + 1
        if resumed_at is not None and preroll_from is not None and preroll_from < resumed_at:
            again = source.span(preroll_from, resumed_at + 1e-6)
            for batch in again.read_batches(self.batch_size):
                for frame in batch:
                    core.preroll(frame)
            add_stats(self._done, again.stats)
        planner = SpanPlanner(self.fps, self.config.strategy, first)
        coarse = source.span(resumed_at or 0.0, keyframes=True)
        self._reading.append(coarse)
        self._coarse = coarse
        # One batch of keyframes ahead: the spans a batch's plan names start seeking and
        # decoding while the probe scans the next batch, then the run takes them in order.
        pending: list[Step] = []
        try:
            for batch in batched(thinned(coarse.read(), COARSE_STEP_SECONDS), self.batch_size):
                steps: list[Step] = []
                for frame, output in zip(batch, self.probe.run(batch), strict=True):
                    steps += planner.add(CoarseSample(frame, output))
                self._open(source, steps)
                self._take(core, source, pending, tick)
                pending = steps
            self._take(core, source, pending, tick)
            self._take(core, source, planner.finish(), tick)
        finally:
            for opened in self._opened.values():
                opened.close()
            self._opened.clear()
        self.figures.keyframes += planner.keyframes
        self.figures.dense_spans += planner.dense_spans
        return self._so_far()

    def _so_far(self) -> SourceStats:
        """The counters of the reads done and of those under way, added up."""
        total = replace(self._done)
        for reader in self._reading:
            add_stats(total, reader.stats)
        if self._coarse is not None:  # its keyframes went to the probe, not to the run
            total.kept -= self._coarse.stats.kept
            total.skipped += self._coarse.stats.kept
        total.kept += self._repeated
        return total

    def _take(
        self,
        core: RunCore,
        source: FileSource,
        steps: list[Step],
        after_batch: Callable[[], None],
    ) -> None:
        for step in steps:
            if isinstance(step, Repeat):
                self._repeat(core, source, step)
                self.figures.repeated_ticks += 1
                self._repeated += 1
                if step.tick % self.batch_size == 0:
                    after_batch()
            else:
                self._dense(core, source, step, after_batch)
        after_batch()

    def _open(self, source: FileSource, steps: list[Step]) -> None:
        """Start reading the dense spans ``steps`` name, at most ``OPEN_AHEAD`` at once."""
        for step in steps:
            if isinstance(step, DenseRun) and len(self._opened) < OPEN_AHEAD:
                self._opened[step] = self._start(source, step)

    def _start(self, source: FileSource, run: DenseRun) -> _Opened:
        # Ticks first..stop-1: from tick `first`, up to the half period before tick `stop`
        # (the frames nearest tick stop-1 all lie before it; those nearest `stop` after).
        end = None if run.stop is None else (run.stop - 0.5) / self.fps
        span = source.span(run.first / self.fps, end)
        self._reading.append(span)
        return _Opened(span, self.batch_size)

    def _dense(
        self,
        core: RunCore,
        source: FileSource,
        run: DenseRun,
        after_batch: Callable[[], None],
    ) -> None:
        opened = self._opened.pop(run, None) or self._start(source, run)
        try:
            for batch in opened.batches():
                core.process(batch)
                self.figures.dense_ticks += len(batch)
                after_batch()
        finally:
            opened.close()
        self._reading.remove(opened.span)
        add_stats(self._done, opened.span.stats)

    def _repeat(self, core: RunCore, source: FileSource, step: Repeat) -> None:
        seconds = step.tick / self.fps
        key = step.sample.frame
        index = round(seconds * source.nominal_fps) if source.nominal_fps else key.index
        frame = Frame(
            key.image, index, seconds, source.session_start.wall_time(seconds), key.source_id
        )
        core.replay(seconds, index, step.sample.output, frame, repeated_from=key.seconds)


class _Opened:
    """A dense span's read, begun as soon as the plan names it.

    A thread pulls the span's first batch at once, so the seek and the decoding from the
    keyframe before the span (up to a GOP) overlap the probe's work on the next keyframes;
    the rest comes through the source's own prefetch thread as the run takes it.
    """

    def __init__(self, span: FileSource, size: int) -> None:
        self.span = span
        self._batches = span.read_batches(size)
        self._first: list[Frame] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._pull, name=f"span:{span.path.name}", daemon=True
        )
        self._thread.start()

    def _pull(self) -> None:
        try:
            self._first = next(self._batches, None)
        except BaseException as error:  # raised again in the run's thread
            self._error = error

    def batches(self) -> Iterator[list[Frame]]:
        """The span's batches in order (the first one waited for)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._first is not None:
            yield self._first
            yield from self._batches

    def close(self) -> None:
        """Stop the read (its decoder thread ends and the file is closed)."""
        self._thread.join()
        close = getattr(self._batches, "close", None)
        if callable(close):
            close()
