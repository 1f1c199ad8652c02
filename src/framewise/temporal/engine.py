"""The temporal stage as one object: detections per frame in, time-ordered event records out.

:class:`EventEngine` chains the episode filter and the state machine and, by default,
releases records in time order: a record is held until nothing still on screen can produce
an earlier one (an unconfirmed track, a kill-feed entry still shown, a terminal screen
whose extract location is still being read). So a sink can append and checkpoint without
ever seeing time go backwards, and the hold-back is seconds, not a whole raid: a raid's
HUD, once opened, reports nothing more, so it does not hold anything back.

Without a state machine every closed episode becomes an ``episode`` record with its class,
duration and voted fields — the generic output for footage without a game profile.

Frame rules (:data:`FRAME_RULES`, one per stage kind that needs one) read each frame's whole
result — tags and features, not only boxes — and add their records to the same ordered
stream: a ``task_classifier`` stage's tags become ``task_segment`` records
(:class:`~framewise.temporal.tasks.TaskSpans`).

Example:
    >>> from framewise.config import PipelineConfig
    >>> cfg = PipelineConfig.model_validate({"detectors": [{"kind": "ocr", "classes": ["x"]}]})
    >>> engine = EventEngine.from_config(cfg)
    >>> seen = [Observation("logo", (0, 0, 10, 10), 0.9)]
    >>> [r for t in (0.0, 0.1, 0.2) for r in engine.update(t, seen)]
    []
    >>> [(r.type, r.seconds, r.data["class_name"]) for r in engine.flush()]
    [('episode', 0.0, 'logo')]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Protocol

from framewise.config.detectors import PeopleTrackConfig, StageConfig
from framewise.config.pipeline import PipelineConfig
from framewise.config.state_machine import load_state_machine
from framewise.core.detections import Detections
from framewise.core.results import FrameOutput
from framewise.temporal.episodes import Episode, EpisodeFilter
from framewise.temporal.motion import MotionSpans
from framewise.temporal.observations import FieldValue, Observation, observations_from_detections
from framewise.temporal.people import PeopleTracks
from framewise.temporal.scenes import SceneCuts
from framewise.temporal.state_machine import Anomaly, EventRecord, StateMachine
from framewise.temporal.tasks import TaskSpans
from framewise.temporal.text import TextSpans


class FrameRule(Protocol):
    """Temporal logic over each frame's whole result (tags, features), beside the episodes."""

    def update(self, seconds: float, output: FrameOutput) -> list[EventRecord]:
        """Feed one frame's result; the records it decides."""
        ...

    def flush(self) -> list[EventRecord]:
        """End of input: every record left."""
        ...

    def pending_since(self) -> float | None:
        """Earliest time a record still to come may have (``None``: none pending)."""
        ...

    def wanted_seconds(self) -> set[float]:
        """Frame times a record still to come may name."""
        ...


def _people_tracks(stage: StageConfig) -> FrameRule:
    if not isinstance(stage, PeopleTrackConfig):
        raise TypeError(f"people_track rule built from a {type(stage).__name__}")
    return PeopleTracks(stage.lost_seconds, stage.min_track_seconds)


FRAME_RULES: Mapping[str, Callable[[StageConfig], FrameRule]] = MappingProxyType(
    {
        "task_classifier": lambda _: TaskSpans(),
        "scene_detect": lambda _: SceneCuts(),
        "motion": lambda _: MotionSpans(),
        "screen_text": lambda _: TextSpans(),
        "people_track": _people_tracks,
    }
)
"""Registry: stage kind → the frame rule a pipeline with that stage runs, built from the
stage's configuration (a profile's rule settings live with the stage that serves the rule)."""


def episode_record(episode: Episode) -> EventRecord:
    """The generic record of a closed episode (used when there is no state machine)."""
    data: dict[str, FieldValue] = {
        "class_name": episode.class_name,
        "duration_seconds": round(episode.end - episode.start, 6),
    }
    confidence = episode.confidence
    for name, reading in episode.fields.items():
        data[name] = reading.value
        if reading.value is not None:
            confidence = min(confidence, reading.confidence)
    return EventRecord(
        type="episode",
        seconds=episode.start,
        confidence=confidence,
        data=data,
        evidence=episode.class_name,
        track_id=episode.track_id,
        best_seconds=episode.best_seconds,
    )


class EventEngine:
    """Episode filter + state machine, with optional time ordering of the output.

    Args:
        episodes: The episode filter.
        machine: The state machine, or ``None`` for generic ``episode`` records.
        ordered: Release records in time order (hold back what may still be preceded).
        frame_rules: Rules fed each frame's whole result (see :data:`FRAME_RULES`).
    """

    def __init__(
        self,
        episodes: EpisodeFilter,
        machine: StateMachine | None = None,
        *,
        ordered: bool = True,
        frame_rules: Sequence[FrameRule] = (),
    ) -> None:
        self.episodes = episodes
        self.machine = machine
        self.ordered = ordered
        self.frame_rules = tuple(frame_rules)
        self._held: list[tuple[float, int, EventRecord]] = []
        self._sequence = 0

    @classmethod
    def from_config(
        cls, config: PipelineConfig, *, period_seconds: float | None = None, ordered: bool = True
    ) -> EventEngine:
        """Build from a pipeline config, loading its state machine table if it names one.

        Args:
            config: The pipeline.
            period_seconds: Confirmation period for rules that set none (the frame interval
                in live mode); defaults to the source's sample period.
            ordered: See the class.

        Raises:
            ConfigError: The state machine file is missing or invalid.
        """
        machine = None
        if config.state_machine is not None:
            machine = StateMachine(load_state_machine(config.state_machine))
        stages: dict[str, StageConfig] = {}  # the first stage of each kind with a rule
        for stage in config.detectors:
            if stage.kind in FRAME_RULES:
                stages.setdefault(stage.kind, stage)
        return cls(
            EpisodeFilter.from_config(config, period_seconds),
            machine,
            ordered=ordered,
            frame_rules=[FRAME_RULES[kind](stage) for kind, stage in stages.items()],
        )

    @property
    def anomalies(self) -> tuple[Anomaly, ...]:
        """Transitions the table refused (empty without a state machine)."""
        return self.machine.anomalies if self.machine is not None else ()

    def update(
        self,
        seconds: float,
        detections: Detections | Sequence[Observation],
        output: FrameOutput | None = None,
    ) -> list[EventRecord]:
        """Feed one sampled frame's detections (empty ones too); return released records.

        ``output`` is the frame's whole result, for the frame rules (none: they skip it).
        """
        if isinstance(detections, Detections):
            observations = observations_from_detections(detections)
        else:
            observations = list(detections)
        self._hold(self._records(self.episodes.update(seconds, observations), seconds))
        if output is not None:
            for rule in self.frame_rules:
                self._hold(rule.update(seconds, output))
        return self._release(self._watermark(seconds))

    def wanted_seconds(self) -> set[float]:
        """Frame times a record released later may name (its time or its best frame).

        A sink that keeps thumbnails needs exactly these frames, and no older ones.
        """
        wanted = self.episodes.wanted_seconds()
        for rule in self.frame_rules:
            wanted.update(rule.wanted_seconds())
        for _, _, record in self._held:
            wanted.update((record.seconds, record.best_seconds))
        return wanted

    def flush(self) -> list[EventRecord]:
        """End of stream: close everything and release every record left."""
        records = self._records(self.episodes.flush())
        if self.machine is not None:
            records += self.machine.flush()
        for rule in self.frame_rules:
            records += rule.flush()
        self._hold(records)
        return self._release(None)

    def _records(self, episodes: list[Episode], now: float | None = None) -> list[EventRecord]:
        if self.machine is not None:
            return self.machine.update(episodes, now)
        return [episode_record(e) for e in episodes if e.closed]

    def _hold(self, records: list[EventRecord]) -> None:
        for record in records:
            self._held.append((record.seconds, self._sequence, record))
            self._sequence += 1

    def _watermark(self, seconds: float) -> float | None:
        """Records before this time can no longer be preceded by new ones."""
        if not self.ordered:
            return None
        mark = seconds
        for track in self.episodes.live():
            reports = self.machine is None or self.machine.reports_on_close(track.class_name)
            if not track.opened or reports:
                mark = min(mark, track.start)
        if self.machine is not None:
            pending = self.machine.pending_since()
            if pending is not None:
                mark = min(mark, pending)
        for rule in self.frame_rules:
            pending = rule.pending_since()
            if pending is not None:
                mark = min(mark, pending)
        return mark

    def _release(self, watermark: float | None) -> list[EventRecord]:
        """Release held records earlier than ``watermark`` (all when ``None``), in order."""
        self._held.sort(key=lambda item: (item[0], item[1]))
        if watermark is None:
            released, self._held = self._held, []
        else:
            cut = next((i for i, item in enumerate(self._held) if item[0] >= watermark), None)
            cut = len(self._held) if cut is None else cut
            released, self._held = self._held[:cut], self._held[cut:]
        return [record for _, _, record in released]
