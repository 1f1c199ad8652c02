"""Episodes: per-frame observations → tracked, confirmed, held, voted intervals.

For each rule's classes: the IoU tracker ties observations into tracks; a track opens once
it is confirmed (N hits within N periods) and has lasted the minimum duration; it closes
when hysteresis sees it absent for longer than the hold time. An opened track is reported
twice: an *open* notice when it is confirmed (for the state machine and live sinks) and a
*closed* episode with its final voted fields. Unconfirmed tracks vanish silently.

Example:
    >>> rule = EpisodeRule(classes=("kill",), hits=2, period_seconds=0.1, hold_seconds=0.3)
    >>> episodes = EpisodeFilter([rule])
    >>> obs = Observation("kill", (0, 0, 100, 20), 0.9)
    >>> [e.closed for t in (0.0, 0.1, 0.2) for e in episodes.update(t, [obs])]
    [False]
    >>> [(e.start, e.end, e.closed) for e in episodes.update(0.6, [])]
    [(0.0, 0.2, True)]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count

from framewise.config.pipeline import EpisodeFilterConfig, PipelineConfig
from framewise.temporal.filters import (
    ConfirmationFilter,
    HysteresisFilter,
    Span,
    long_enough,
)
from framewise.temporal.observations import (
    Box,
    FieldReading,
    FieldVotes,
    Observation,
    drop_duplicates,
    field_values,
    fields_agree,
    fields_differ,
)
from framewise.temporal.tracker import IouTracker

SAMPLES_KEPT = 1000
"""Sample numbers remembered (of the latest frames), more than any streak reaches back."""


@dataclass(frozen=True, slots=True)
class Episode:
    """A confirmed stretch of time during which one tracked box was visible.

    Attributes:
        class_name: The detector's class.
        track_id: Unique id of the track (stable between the open and closed reports).
        start: Seconds of the first hit.
        end: Seconds of the last hit so far.
        confidence: Best detection score of any hit.
        best_seconds: Time of that best hit (a good thumbnail frame).
        box: Box of that best hit.
        fields: Majority-voted fields with per-field confidence.
        hits: Frames the track was seen in.
        closed: ``False`` for the open notice, ``True`` for the final record.
    """

    class_name: str
    track_id: int
    start: float
    end: float
    confidence: float
    best_seconds: float
    box: Box
    fields: Mapping[str, FieldReading]
    hits: int
    closed: bool


@dataclass(frozen=True, slots=True)
class EpisodeRule:
    """Settings of one group of classes (see :class:`~framewise.config.EpisodeFilterConfig`).

    An empty ``classes`` makes the rule the catch-all for classes no other rule names.
    ``count_samples``: hits on consecutive samples confirm too, however far apart in time
    (batch runs; see :class:`~framewise.temporal.filters.ConfirmationFilter`).
    """

    classes: tuple[str, ...] = ()
    min_confidence: float = 0.0
    hits: int = 3
    period_seconds: float = 0.1
    hold_seconds: float = 1.0
    min_duration_seconds: float = 0.0
    iou_threshold: float = 0.3
    max_shift: float = 3.0
    match_fields: bool = True
    split_after: int = 5
    count_samples: bool = True
    split_gap_seconds: float = 0.5
    max_misread: int = 1
    duplicate_overlap: float = 0.5

    @classmethod
    def from_config(
        cls, config: EpisodeFilterConfig, period_seconds: float, count_samples: bool = True
    ) -> EpisodeRule:
        """Build from the YAML model; ``period_seconds`` is used when the rule sets none."""
        return cls(
            count_samples=count_samples,
            classes=tuple(config.classes),
            min_confidence=config.min_confidence,
            hits=config.confirm.hits,
            period_seconds=config.confirm.period_seconds or period_seconds,
            hold_seconds=config.hold_seconds,
            min_duration_seconds=config.min_duration_seconds,
            iou_threshold=config.tracking.iou,
            max_shift=config.tracking.max_shift,
            match_fields=config.tracking.match_fields,
            split_after=config.tracking.split_after,
            split_gap_seconds=config.tracking.split_gap_seconds,
            max_misread=config.tracking.max_misread,
            duplicate_overlap=config.tracking.duplicate_overlap,
        )


@dataclass(frozen=True, slots=True)
class LiveTrack:
    """A track that is still visible: what may yet produce an episode, and from when.

    Attributes:
        class_name: The track's class.
        track_id: Its id.
        start: The earliest start time an episode from it may still report.
        opened: Its open notice has been sent (only its closed record is to come).
    """

    class_name: str
    track_id: int
    start: float
    opened: bool


@dataclass
class _TrackState:
    class_name: str
    votes: FieldVotes = field(default_factory=FieldVotes)
    hits: int = 0
    first_hit: float = 0.0
    last_hit: float = 0.0
    best_confidence: float = -1.0
    best_seconds: float = 0.0
    best_box: Box = (0.0, 0.0, 0.0, 0.0)
    opened: bool = False
    # Hits reading other text than the track's in place, held back until we know whether
    # they are misreads (then counted) or a new notification (then split off).
    streak: list[tuple[float, Observation]] = field(default_factory=list)


class _RuleRunner:
    """One rule's tracker, confirmation and hysteresis."""

    def __init__(self, rule: EpisodeRule, ids: Iterator[int]) -> None:
        self.rule = rule
        self.ids = ids
        self.tracker = IouTracker(
            rule.iou_threshold, rule.max_shift, rule.match_fields, rule.max_misread, ids
        )
        self.confirm = ConfirmationFilter[int](rule.hits, rule.period_seconds)
        self.hysteresis = HysteresisFilter[int](rule.hold_seconds)
        self.tracks: dict[int, _TrackState] = {}
        # Sample numbers of recent frame times: hits on consecutive samples confirm a track
        # even where a variable-rate source leaves samples further apart than the period.
        self._sample_of: dict[float, int] = {}
        self._samples = 0

    def _episode(self, track_id: int, start: float, end: float, closed: bool) -> Episode:
        state = self.tracks[track_id]
        return Episode(
            class_name=state.class_name,
            track_id=track_id,
            start=start,
            end=end,
            confidence=state.best_confidence,
            best_seconds=state.best_seconds,
            box=state.best_box,
            fields=state.votes.result(),
            hits=state.hits,
            closed=closed,
        )

    def _count(self, track_id: int, seconds: float, obs: Observation) -> None:
        """Count one hit: votes, best frame, confirmation."""
        state = self.tracks[track_id]
        if state.hits == 0:
            state.first_hit = seconds
        state.hits += 1
        state.last_hit = seconds
        state.votes.add(obs.fields)
        if obs.confidence > state.best_confidence:
            state.best_confidence = obs.confidence
            state.best_seconds = seconds
            state.best_box = obs.box
        sample = self._sample_of.get(seconds) if self.rule.count_samples else None
        self.confirm.update(seconds, [track_id], sample)

    def _settle_streak(self, track_id: int) -> None:
        """The held-back hits were misreads after all: count them."""
        state = self.tracks[track_id]
        streak, state.streak = state.streak, []
        for seconds, obs in streak:
            self._count(track_id, seconds, obs)

    def _hit(self, track_id: int, seconds: float, obs: Observation) -> list[Episode]:
        state = self.tracks.setdefault(track_id, _TrackState(obs.class_name))
        self.hysteresis.update(seconds, [track_id])
        split_after = self.rule.split_after if self.rule.match_fields else 0
        if (
            not split_after
            or state.hits == 0
            or not fields_differ(state.votes.leaders(), obs.fields)
        ):
            self._settle_streak(track_id)
            self._count(track_id, seconds, obs)
            return []
        last_seen = state.streak[-1][0] if state.streak else state.last_hit
        if self.rule.split_gap_seconds and seconds - last_seen > self.rule.split_gap_seconds:
            # Other text after a gap: the old entry went and a new one took its place.
            self._settle_streak(track_id)
            state.streak.append((seconds, obs))
            return self._split(track_id)
        if state.streak and not fields_agree(field_values(state.streak[0][1]), obs.fields):
            self._settle_streak(track_id)
        state.streak.append((seconds, obs))
        if len(state.streak) < split_after:
            return []
        return self._split(track_id)

    def _split(self, old_id: int) -> list[Episode]:
        """The text changed in place for good: end the old track, start a new one."""
        old = self.tracks[old_id]
        out = (
            [self._episode(old_id, old.first_hit, old.last_hit, closed=True)] if old.opened else []
        )
        streak = old.streak
        self.hysteresis.end(old_id)
        self.confirm.forget(old_id)
        del self.tracks[old_id]
        new_id = next(self.ids)
        self.tracker.rekey(old_id, new_id)
        self.tracks[new_id] = _TrackState(old.class_name)
        for seconds, obs in streak:
            self.hysteresis.update(seconds, [new_id])
            self._count(new_id, seconds, obs)
        return out

    def _close(self, spans: Sequence[Span[int]]) -> list[Episode]:
        closed = []
        for span in spans:
            self._settle_streak(span.key)
            if self.tracks[span.key].opened:
                closed.append(self._episode(span.key, span.start, span.end, closed=True))
            self.tracker.drop(span.key)
            self.confirm.forget(span.key)
            del self.tracks[span.key]
        return closed

    def update(self, seconds: float, observations: Sequence[Observation]) -> list[Episode]:
        self._samples += 1
        self._sample_of[seconds] = self._samples
        if len(self._sample_of) > SAMPLES_KEPT:  # a streak reaches back split_after samples
            del self._sample_of[next(iter(self._sample_of))]
        # Expire first, so a box that returns after a long gap starts a new track.
        out = self._close(self.hysteresis.expire(seconds))
        kept = drop_duplicates(
            [o for o in observations if o.confidence >= self.rule.min_confidence],
            self.rule.duplicate_overlap,
        )
        for track_id, obs in zip(self.tracker.update(kept), kept, strict=True):
            out += self._hit(track_id, seconds, obs)
        for track_id in sorted(self.tracks):
            state = self.tracks[track_id]
            self.tracker.set_leaders(track_id, state.votes.leaders())
            if state.opened or not self.confirm.is_confirmed(track_id):
                continue
            if long_enough(
                Span(track_id, state.first_hit, state.last_hit), self.rule.min_duration_seconds
            ):
                state.opened = True
                out.append(self._episode(track_id, state.first_hit, state.last_hit, closed=False))
        return out

    def flush(self) -> list[Episode]:
        out = self._close(self.hysteresis.flush())
        self.confirm.flush()
        return out

    def wanted_seconds(self) -> set[float]:
        """Times of hits a live track's episode may still report: its first and best.

        A held-back streak's hits count too: it may split off as a track of its own.
        """
        out: set[float] = set()
        for state in self.tracks.values():
            if state.hits:
                out.update((state.first_hit, state.best_seconds))
            out.update(seconds for seconds, _ in state.streak)
        return out

    def live(self) -> list[LiveTrack]:
        out = []
        for track_id, state in self.tracks.items():
            # A held-back streak may still split off as a new track starting at its head.
            start = state.streak[0][0] if state.streak else state.first_hit
            opened = state.opened and not state.streak
            out.append(LiveTrack(state.class_name, track_id, start, opened))
        return out


class EpisodeFilter:
    """Turns per-frame observations into open notices and closed episodes.

    Args:
        rules: One rule per group of classes; at most one catch-all (empty ``classes``).
            Observations of classes no rule covers are ignored.

    Raises:
        ValueError: A class is named by two rules, or there are two catch-alls.
    """

    def __init__(self, rules: Sequence[EpisodeRule]) -> None:
        ids = count(1)
        self._runners = [_RuleRunner(rule, ids) for rule in rules]
        self._by_class: dict[str, _RuleRunner] = {}
        self._catch_all: _RuleRunner | None = None
        for runner in self._runners:
            if not runner.rule.classes:
                if self._catch_all is not None:
                    raise ValueError("only one rule may have no classes (the catch-all)")
                self._catch_all = runner
            for name in runner.rule.classes:
                if name in self._by_class:
                    raise ValueError(f"class {name!r} is named by two rules")
                self._by_class[name] = runner
        self._last_seconds: float | None = None

    @classmethod
    def from_config(
        cls, config: PipelineConfig, period_seconds: float | None = None
    ) -> EpisodeFilter:
        """Build from a pipeline config; with no filters, one default catch-all rule.

        Args:
            config: The pipeline.
            period_seconds: Confirmation period for rules that set none: the frame
                interval in live mode; defaults to the source's sample period (batch).
                Batch runs also confirm hits on consecutive samples however far apart (a
                variable-rate stretch below the sampling rate); live runs, which may drop
                frames, go by time alone.
        """
        batch = period_seconds is None
        period = period_seconds or config.source.sample_period_seconds
        rules = [EpisodeRule.from_config(rule, period, batch) for rule in config.filters]
        return cls(rules or [EpisodeRule(period_seconds=period, count_samples=batch)])

    def update(self, seconds: float, observations: Sequence[Observation]) -> list[Episode]:
        """Feed one sampled frame (call it for frames with no observations too).

        Returns:
            Episodes closed at this frame, then open notices, each sorted by start time.

        Raises:
            ValueError: ``seconds`` is earlier than the previous frame's.
        """
        if self._last_seconds is not None and seconds < self._last_seconds:
            raise ValueError(f"time went backwards: {seconds} after {self._last_seconds}")
        self._last_seconds = seconds
        grouped: dict[int, list[Observation]] = {id(r): [] for r in self._runners}
        for obs in observations:
            runner = self._by_class.get(obs.class_name, self._catch_all)
            if runner is not None:
                grouped[id(runner)].append(obs)
        out = [e for r in self._runners for e in r.update(seconds, grouped[id(r)])]
        return _ordered(out)

    def live(self) -> list[LiveTrack]:
        """The tracks still visible (confirmed or not), for callers that order output."""
        return [t for r in self._runners for t in r.live()]

    def wanted_seconds(self) -> set[float]:
        """Frame times a later episode may still name as its start or best hit."""
        return {t for r in self._runners for t in r.wanted_seconds()}

    def flush(self) -> list[Episode]:
        """End of stream: close every open episode."""
        self._last_seconds = None
        return _ordered([e for r in self._runners for e in r.flush()])


def _ordered(episodes: list[Episode]) -> list[Episode]:
    return sorted(episodes, key=lambda e: (not e.closed, e.start, e.track_id))
