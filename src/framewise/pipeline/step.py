"""The per-frame core shared by batch and live runs: detect a batch, update the temporal logic.

Batch (:mod:`framewise.pipeline.runner`) and live (:mod:`framewise.live`) runs differ only in
where frames come from and where events go; both push every sampled frame through
:class:`FrameStep`, so the same frames give the same records in both modes.

Example:
    >>> step = FrameStep(build_chain(config.detectors), EventEngine.from_config(config))
    ... # doctest: +SKIP
    >>> for result in step.run(batch):  # doctest: +SKIP
    ...     print(result.frame.seconds, [r.type for r in result.records])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from framewise.core.detections import Detections
from framewise.core.events import Event
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.core.time import SessionStart
from framewise.pipeline.chain import DetectorChain
from framewise.temporal.engine import EventEngine
from framewise.temporal.state_machine import Anomaly, EventRecord


def event_id(number: int) -> str:
    """The id of the ``number``-th event of a run (1-based), as the JSON log writes it."""
    return f"evt_{number:05d}"


class AnomalyRecords:
    """Turns the state machine's anomalies into ``anomaly`` events.

    A forbidden transition is not applied, but reviewers see it in the log; the importer
    skips these events.
    """

    def __init__(self, engine: EventEngine) -> None:
        self.engine = engine
        self.seen = 0

    def new(self) -> list[EventRecord]:
        """Records for the anomalies found since the last call."""
        fresh = self.engine.anomalies[self.seen :]
        self.seen += len(fresh)
        return [self._record(a) for a in fresh]

    @staticmethod
    def _record(anomaly: Anomaly) -> EventRecord:
        return EventRecord(
            type="anomaly",
            seconds=anomaly.seconds,
            confidence=anomaly.confidence,
            data={
                "from_state": anomaly.from_state,
                "to_state": anomaly.to_state,
                "evidence": anomaly.evidence,
            },
            evidence=anomaly.evidence,
            track_id=anomaly.track_id,
            best_seconds=anomaly.seconds,
        )


@dataclass(frozen=True, slots=True)
class FrameResult:
    """One frame after the step: what the stages found and the records it released."""

    frame: Frame
    output: FrameOutput
    records: list[EventRecord]

    @property
    def detections(self) -> Detections:
        """The frame's detections (``output.detections``)."""
        return self.output.detections


class FrameStep:
    """Detector chain + event engine (+ anomaly records): frames in, event records out.

    Args:
        chain: The detectors (not closed here; the owner closes them).
        engine: The temporal logic. :meth:`replace_engine` swaps it while running.
    """

    def __init__(self, chain: DetectorChain, engine: EventEngine) -> None:
        self.chain = chain
        self.engine = engine
        self.anomalies = AnomalyRecords(engine)

    def update(
        self, seconds: float, detections: Detections, output: FrameOutput | None = None
    ) -> list[EventRecord]:
        """Feed one frame's detections (and its whole result, for the engine's frame rules).

        Returns:
            The records released, anomalies included.
        """
        return self.engine.update(seconds, detections, output) + self.anomalies.new()

    def run(self, batch: Sequence[Frame]) -> Iterator[FrameResult]:
        """Run the stages on ``batch`` in one call, then update frame by frame, in time order."""
        for frame, output in zip(batch, self.chain.run(batch), strict=True):
            yield FrameResult(frame, output, self.update(frame.seconds, output.detections, output))

    def flush(self) -> list[EventRecord]:
        """End of stream: every record still held."""
        return self.engine.flush() + self.anomalies.new()

    def replace_engine(self, engine: EventEngine) -> list[EventRecord]:
        """Flush the current engine and continue with ``engine``; returns the flushed records."""
        flushed = self.flush()
        self.engine = engine
        self.anomalies = AnomalyRecords(engine)
        if engine.machine is not None:  # a carried-over machine's old anomalies are reported
            self.anomalies.seen = len(engine.anomalies)
        return flushed


def to_event(
    record: EventRecord, number: int, session_start: SessionStart, frame_number: int
) -> Event:
    """The :class:`Event` of ``record``: id ``number``, wall time = session start + seconds."""
    return record.to_event(event_id(number), session_start.wall_time(record.seconds), frame_number)
