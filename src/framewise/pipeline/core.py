"""The one runner: frames → stages → temporal logic → numbered events → sinks.

:class:`RunCore` is what batch and live runs share. It owns the per-frame step (stages and
event engine), numbers the records the engine releases as events with wall times and frame
numbers, and hands every sink one :class:`~framewise.events.sinks.RunResult` per frame. The
batch runner (:mod:`framewise.pipeline.runner`) feeds it a file's batches, checkpoints and
resumes it; the live runner (:mod:`framewise.live.runner`) feeds it a camera's newest frames.
They differ only in where frames come from and which sinks they were given.

Example:
    >>> core = RunCore(step, session_start, [JsonLogSink(out, metadata)])  # doctest: +SKIP
    >>> for batch in source.read_batches(8):  # doctest: +SKIP
    ...     core.process(batch)
    >>> core.finish(RunTotals(frames, last, source.stats.as_dict()))  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence

from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.core.time import SessionStart, nearest
from framewise.events.sinks import Emitted, RunResult, RunTotals, Sink
from framewise.pipeline.step import FrameResult, FrameStep, event_id
from framewise.temporal import EventRecord

FRAME_MEMORY = 100_000
"""Recent (time, index) pairs kept to give events the index of the frame they start at."""


class FrameNumbers:
    """The index of the frame shown at a video time, for the frames seen recently.

    Args:
        fallback_fps: Used (``seconds × fps``) before any frame was seen.
    """

    def __init__(self, fallback_fps: float) -> None:
        self.fallback_fps = fallback_fps
        self._times: deque[float] = deque(maxlen=FRAME_MEMORY)
        self._indices: deque[int] = deque(maxlen=FRAME_MEMORY)

    def add(self, seconds: float, index: int) -> None:
        """Remember a frame (frames come in time order)."""
        self._times.append(seconds)
        self._indices.append(index)

    def at(self, seconds: float) -> int:
        """The index of the remembered frame nearest ``seconds``."""
        best = nearest(self._times, seconds)
        if best is None:
            return max(0, round(seconds * self.fallback_fps))
        return self._indices[best]


class RunCore:
    """Step + event numbering + sinks: the part of a run that does not care about the source.

    Args:
        step: The stages and the event engine.
        session_start: Maps video seconds to wall time.
        sinks: Where results go, in order (a sink may fill in events for the next ones).
        fallback_fps: Frame numbers of events decided before any frame was seen.
        confident: A frame whose best detection scores this or more counts as covered.
    """

    def __init__(
        self,
        step: FrameStep,
        session_start: SessionStart,
        sinks: Sequence[Sink],
        *,
        fallback_fps: float = 30.0,
        confident: float = 0.0,
    ) -> None:
        self.step = step
        self.confident = confident
        self.session_start = session_start
        self.sinks = list(sinks)
        self.numbers = FrameNumbers(fallback_fps)
        self.emitted = 0
        self.counts: Counter[str] = Counter()
        self.frames = 0
        self.covered = 0
        """Frames with a detection scored ``confident`` or more (the footage check)."""
        self.last_seconds = 0.0

    def replay(
        self,
        seconds: float,
        index: int,
        output: FrameOutput,
        frame: Frame | None = None,
        *,
        repeated_from: float | None = None,
    ) -> list[Emitted]:
        """Feed a journaled frame's results again (a resume), without its picture.

        ``frame``: its picture decoded again (a sharded run's thumbnails); the sinks then
        see the frame as if it had just been processed. ``repeated_from``: a coarse-to-fine
        tick that repeats the results of the keyframe at that time (the journal says so).
        """
        self.numbers.add(seconds, index)
        records = self.step.update(seconds, output.detections, output)
        self.frames += 1
        self._cover(output.detections)
        self.last_seconds = seconds
        result = RunResult(seconds, index, frame, output, repeated_from=repeated_from)
        return self._send(result, records)

    def preroll(self, frame: Frame) -> None:
        """Show the sinks a frame decoded again only for its picture (after a resume)."""
        result = RunResult(frame.seconds, frame.index, frame, None)
        result.wanted = frozenset(self.step.engine.wanted_seconds())
        for sink in self.sinks:
            sink.write(result)

    def process(self, batch: Sequence[Frame]) -> list[FrameResult]:
        """Run the stages on ``batch`` and the temporal logic frame by frame; sinks take each."""
        results = []
        for result in self.step.run(batch):
            frame = result.frame
            self.numbers.add(frame.seconds, frame.index)
            self.frames += 1
            self._cover(result.detections)
            self.last_seconds = frame.seconds
            self._send(RunResult(frame.seconds, frame.index, frame, result.output), result.records)
            results.append(result)
        return results

    def checkpoint(self) -> None:
        """Every sink makes what it took durable."""
        for sink in self.sinks:
            sink.flush()

    def finish(self, totals: RunTotals) -> list[Emitted]:
        """End of stream: the records the engine still held, then the totals."""
        result = RunResult(self.last_seconds, -1, totals=totals)
        return self._send(result, self.step.flush())

    def release(self, records: Sequence[EventRecord]) -> list[Emitted]:
        """Number and send records released outside a frame (e.g. an engine swapped live)."""
        return self._send(RunResult(self.last_seconds, -1), records)

    def close(self) -> None:
        """Close every sink (each once, the rest even if one fails)."""
        errors: list[BaseException] = []
        for sink in self.sinks:
            try:
                sink.close()
            except BaseException as error:
                errors.append(error)
        if errors:
            raise errors[0]

    def _cover(self, detections: Detections) -> None:
        if len(detections) and float(detections.confidence.max()) >= self.confident:
            self.covered += 1

    def _send(self, result: RunResult, records: Sequence[EventRecord]) -> list[Emitted]:
        result.events = [self._name(record) for record in records]
        if result.frame is not None or result.output is not None:
            result.wanted = frozenset(self.step.engine.wanted_seconds())
        for sink in self.sinks:
            sink.write(result)
        return result.events

    def _name(self, record: EventRecord) -> Emitted:
        self.emitted += 1
        self.counts[record.type] += 1
        event = record.to_event(
            event_id(self.emitted),
            self.session_start.wall_time(record.seconds),
            self.numbers.at(record.seconds),
        )
        return Emitted(event, record)
