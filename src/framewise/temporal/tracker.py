"""A small IoU tracker that gives every observation a track id, frame to frame.

Tracks are kept per class. An observation continues a track when their boxes overlap
(IoU at or above a threshold) or when they carry the same parsed fields and the box only
moved vertically by a few box heights — a kill-feed entry pushed down a row by a newer one.
Matching is one-to-one, so two identical notifications in two rows of the feed at the same
time stay two tracks. Text that changes in place is left to the owner to judge (one misread
frame must not split a track). The tracker never ends a track by itself; its owner (the
episode filter, through hysteresis) calls :meth:`IouTracker.drop`.

Example:
    >>> tracker = IouTracker(iou_threshold=0.3)
    >>> a = Observation("kill", (0, 0, 100, 20), 0.9)
    >>> b = Observation("kill", (0, 40, 100, 60), 0.9)
    >>> tracker.update([a, b]), tracker.update([a, b])
    ([1, 2], [1, 2])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count

from framewise.temporal.observations import (
    Box,
    FieldValue,
    Observation,
    differing_fields,
    fields_agree,
    iou,
)

FIELD_MATCH_BONUS = 2.0
"""Score added when fields agree: larger than any IoU, so text beats position."""


@dataclass
class _Track:
    track_id: int
    class_name: str
    box: Box
    leaders: Mapping[str, FieldValue] = field(default_factory=dict)


def _shift_ok(a: Box, b: Box, max_shift: float) -> bool:
    """``b`` is ``a`` moved vertically by at most ``max_shift`` box heights, same columns."""
    height = max(a[3] - a[1], b[3] - b[1], 1e-6)
    dy = abs((a[1] + a[3]) / 2 - (b[1] + b[3]) / 2)
    x_overlap = min(a[2], b[2]) - max(a[0], b[0])
    return dy <= max_shift * height and x_overlap > 0


def _distance(a: Box, b: Box) -> float:
    """Distance between box centres in pixels."""
    dx = (a[0] + a[2] - b[0] - b[2]) / 2
    dy = (a[1] + a[3] - b[1] - b[3]) / 2
    return float((dx * dx + dy * dy) ** 0.5)


class IouTracker:
    """Greedy one-to-one matching of observations to live tracks, per class.

    Args:
        iou_threshold: Smallest IoU that continues a track in place.
        max_shift: How many box heights a box with the same fields may move vertically.
        match_fields: Follow a moved box when its parsed fields agree with the track's.
        max_misread: With ``match_fields``, a box whose read fields differ from the track's in
            more than this many fields never continues it in place: one wrong field is a
            misread, two or more are another notification (the old one moved or went).
        ids: Source of new track ids (shared between trackers so ids are unique).
    """

    def __init__(
        self,
        iou_threshold: float = 0.3,
        max_shift: float = 3.0,
        match_fields: bool = True,
        max_misread: int = 1,
        ids: Iterator[int] | None = None,
    ) -> None:
        if not 0 < iou_threshold <= 1 or max_shift < 0:
            raise ValueError("iou_threshold must be in (0, 1] and max_shift >= 0")
        self.iou_threshold = iou_threshold
        self.max_shift = max_shift
        self.match_fields = match_fields
        self.max_misread = max_misread
        self._ids = ids if ids is not None else count(1)
        self._tracks: dict[int, _Track] = {}

    def _score(self, track: _Track, obs: Observation) -> float | None:
        """Match score, or ``None`` when the pair may not match."""
        if self.match_fields and differing_fields(track.leaders, obs.fields) > self.max_misread:
            return None
        overlap = iou(track.box, obs.box)
        agree = self.match_fields and fields_agree(track.leaders, obs.fields)
        if overlap >= self.iou_threshold:
            return overlap + (FIELD_MATCH_BONUS if agree else 0.0)
        if agree and _shift_ok(track.box, obs.box, self.max_shift):
            return FIELD_MATCH_BONUS + overlap
        return None

    def update(self, observations: Sequence[Observation]) -> list[int]:
        """Assign a track id to each observation (new ids for unmatched ones).

        A track's fields for text matching become those of its latest observation, unless
        the owner sets voted ones with :meth:`set_leaders`.

        Args:
            observations: One frame's observations.

        Returns:
            One track id per observation, in input order.
        """
        pairs: list[tuple[float, float, int, int]] = []
        for j, obs in enumerate(observations):
            for track in self._tracks.values():
                if track.class_name != obs.class_name:
                    continue
                score = self._score(track, obs)
                if score is not None:
                    pairs.append((score, _distance(track.box, obs.box), track.track_id, j))
        # Highest score first; then the nearest track, the older track, the earlier box.
        pairs.sort(key=lambda p: (-p[0], p[1], p[2], p[3]))
        assigned: dict[int, int] = {}
        used: set[int] = set()
        for _, _, matched_id, j in pairs:
            if j in assigned or matched_id in used:
                continue
            assigned[j] = matched_id
            used.add(matched_id)
        ids: list[int] = []
        for j, obs in enumerate(observations):
            found = assigned.get(j)
            track_id = next(self._ids) if found is None else found
            if found is None:
                self._tracks[track_id] = _Track(track_id, obs.class_name, obs.box)
            track = self._tracks[track_id]
            track.box = obs.box
            track.leaders = {k: r.value for k, r in obs.fields.items() if r.value is not None}
            ids.append(track_id)
        return ids

    def set_leaders(self, track_id: int, leaders: Mapping[str, FieldValue]) -> None:
        """Set the fields a track is matched by (its majority-voted values)."""
        if track_id in self._tracks:
            self._tracks[track_id].leaders = dict(leaders)

    def rekey(self, old_id: int, new_id: int) -> None:
        """Give a live track a new id (its owner split it: the text changed in place)."""
        track = self._tracks.pop(old_id)
        track.track_id = new_id
        self._tracks[new_id] = track

    def drop(self, track_id: int) -> None:
        """Forget a track (it ended)."""
        self._tracks.pop(track_id, None)

    def __len__(self) -> int:
        return len(self._tracks)
