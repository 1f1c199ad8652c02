"""PeopleTracks: track ids in, person_entered / person_left out, in time order, counted."""

from __future__ import annotations

import numpy as np

from framewise.core.detections import Detections
from framewise.core.results import FrameOutput
from framewise.temporal.people import ENTERED, LEFT, PeopleTracks
from framewise.temporal.state_machine import EventRecord


def frame(*ids: int) -> FrameOutput:
    """A tracked frame whose people carry ``ids`` (-1: a box no track took)."""
    boxes = Detections(
        np.tile(np.array([[0, 0, 10, 20]], np.float32), (len(ids), 1)),
        np.full(len(ids), 0.9, np.float32),
        ("person",) * len(ids),
        track_id=list(ids),
    )
    count = sum(i >= 0 for i in ids)
    return FrameOutput(boxes).with_features({"people_count": float(count)})


def run(frames: list[tuple[float, FrameOutput]]) -> list[EventRecord]:
    rule = PeopleTracks(lost_seconds=1.0, min_track_seconds=0.5)
    out: list[EventRecord] = []
    for seconds, output in frames:
        out += rule.update(seconds, output)
    return out + rule.flush()


def test_people_enter_and_leave_in_time_order_with_the_count_running_over_them() -> None:
    # 0.1 s frames: #1 from 0.0 to 2.0; #2 from 0.5 to 1.0 then gone; #3 a 0.2 s blip.
    frames = []
    for k in range(41):
        t = round(k * 0.1, 6)
        ids = [1] if t <= 2.0 else []
        ids += [2] if 0.5 <= t <= 1.0 else []
        ids += [3] if 3.0 <= t <= 3.2 else []
        frames.append((t, frame(*ids, -1)))
    records = run(frames)
    got = [(r.type, r.seconds, r.data["track_id"], r.data["people_count"]) for r in records]
    assert got == [
        (ENTERED, 0.0, 1, 1),
        (ENTERED, 0.5, 2, 2),
        (LEFT, 1.0, 2, 1),
        (LEFT, 2.0, 1, 0),
    ]
    left = records[-1].data
    assert left["entered"] == 0.0 and left["duration_seconds"] == 2.0
    assert [r.seconds for r in records] == sorted(r.seconds for r in records)


def test_a_record_waits_while_an_earlier_one_may_still_come() -> None:
    rule = PeopleTracks(lost_seconds=1.0, min_track_seconds=0.5)
    assert rule.update(0.0, frame(7)) == []  # #7 not yet long enough to be a person
    assert rule.update(0.2, frame(7, 8)) == []
    assert rule.pending_since() == 0.0
    # #7 entered at 0.0; it is on screen, so its leaving (later) is all that may still come.
    released = rule.update(0.6, frame(7, 8))
    assert [(r.type, r.track_id) for r in released] == [(ENTERED, 7)]
    assert rule.wanted_seconds() >= {0.2, 0.6}
    # #8 left unseen for over lost_seconds: it never lasted min_track, so nothing is said.
    rule.update(0.8, frame(7))
    assert rule.update(2.0, frame(7)) == []
    assert [(r.type, r.track_id) for r in rule.flush()] == [(LEFT, 7)]


def test_frames_without_the_tracker_features_are_ignored() -> None:
    rule = PeopleTracks(lost_seconds=1.0, min_track_seconds=0.5)
    assert rule.update(0.0, FrameOutput.empty()) == []
    assert rule.flush() == [] and rule.pending_since() is None
