"""People coming and going, from a ``people_track`` stage's track ids: entered, left, how many.

The stage (:mod:`framewise.detectors.people_track`) puts a ByteTrack id on each person's box
and ``people_count`` on the frame; the rule takes the stage's two settings, in seconds:

- ``min_track_seconds``: a track becomes a person once seen over this long (from its first
  to its latest frame); shorter tracks are noise and say nothing;
- ``lost_seconds``: a person unseen this long has left.

:class:`PeopleTracks` turns that into ``person_entered`` records (at the track's first frame)
and ``person_left`` records (at its last), each with the track id and ``people_count``, the
people present just after it. The records come out in time order with the count running
over them, so the events of a log are the count over time as a step function; each is held
until no earlier one can still come (a track not yet long enough may still enter before it).

Example:
    >>> rule = PeopleTracks(lost_seconds=1.0, min_track_seconds=1.0)
    >>> rule.update(0.0, FrameOutput.empty())
    []
"""

from __future__ import annotations

from dataclasses import dataclass

from framewise.core.results import FrameOutput
from framewise.temporal.observations import FieldValue
from framewise.temporal.state_machine import EventRecord

ENTERED = "person_entered"
LEFT = "person_left"
PERSON = "person"


@dataclass
class _Track:
    first: float
    last: float
    best: float
    entered: bool = False


@dataclass(frozen=True)
class _Pending:
    seconds: float
    kind: str
    track_id: int
    track: _Track


class PeopleTracks:
    """Tracked people → ``person_entered`` / ``person_left`` records (see the module).

    Args:
        lost_seconds: A person unseen this long has left.
        min_track_seconds: A track seen for less than this is noise: no events.
    """

    def __init__(self, lost_seconds: float = 1.0, min_track_seconds: float = 1.0) -> None:
        self.present = 0
        self._tracks: dict[int, _Track] = {}
        self._held: list[_Pending] = []
        self._lost = lost_seconds
        self._min = min_track_seconds

    def update(self, seconds: float, output: FrameOutput) -> list[EventRecord]:
        """Feed one frame's result; the records that can no longer be preceded."""
        if "people_count" not in output.feature_names:
            return []
        detections = output.detections
        if detections.track_id is not None:
            for track_id, score in zip(
                detections.track_id.tolist(), detections.confidence.tolist(), strict=True
            ):
                if track_id >= 0:
                    self._see(int(track_id), seconds, float(score))
        for track_id, track in list(self._tracks.items()):
            if seconds - track.last > self._lost:
                self._end(track_id, track)
        return self._release(final=False)

    def _see(self, track_id: int, seconds: float, score: float) -> None:
        track = self._tracks.get(track_id)
        if track is None:
            track = self._tracks[track_id] = _Track(seconds, seconds, score)
        track.last = seconds
        track.best = max(track.best, score)
        if not track.entered and track.last - track.first >= self._min:
            track.entered = True
            self._held.append(_Pending(track.first, ENTERED, track_id, track))

    def _end(self, track_id: int, track: _Track) -> None:
        del self._tracks[track_id]
        if track.entered:
            self._held.append(_Pending(track.last, LEFT, track_id, track))

    def flush(self) -> list[EventRecord]:
        """End of input: everyone still present leaves at their last frame."""
        for track_id, track in list(self._tracks.items()):
            self._end(track_id, track)
        return self._release(final=True)

    def pending_since(self) -> float | None:
        """The earliest time a record still to come may have."""
        times = [p.seconds for p in self._held]
        times += [t.last if t.entered else t.first for t in self._tracks.values()]
        return min(times) if times else None

    def wanted_seconds(self) -> set[float]:
        """Each live track's first and latest frame (its records' thumbnails)."""
        wanted = {p.seconds for p in self._held}
        for track in self._tracks.values():
            wanted.update((track.first, track.last))
        return wanted

    def _release(self, *, final: bool) -> list[EventRecord]:
        """Held records no live track can precede (all when ``final``), in time order."""
        live = [t.last if t.entered else t.first for t in self._tracks.values()]
        mark = min(live) if live and not final else float("inf")
        ready = [p for p in self._held if p.seconds < mark]
        if not ready:
            return []
        self._held = [p for p in self._held if p.seconds >= mark]
        # At one instant people arrive before others leave (both were in that frame).
        ready.sort(key=lambda p: (p.seconds, p.kind != ENTERED, p.track_id))
        return [self._record(p) for p in ready]

    def _record(self, pending: _Pending) -> EventRecord:
        track = pending.track
        self.present += 1 if pending.kind == ENTERED else -1
        data: dict[str, FieldValue] = {
            "track_id": pending.track_id,
            "people_count": self.present,
        }
        if pending.kind == LEFT:
            data["entered"] = round(track.first, 6)
            data["duration_seconds"] = round(track.last - track.first, 6)
        return EventRecord(
            type=pending.kind,
            seconds=pending.seconds,
            confidence=track.best,
            data=data,
            evidence=PERSON,
            track_id=pending.track_id,
            best_seconds=pending.seconds,
        )
