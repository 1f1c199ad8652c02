"""The ground truth is what the profile's real state machine makes of perfect detections.

Every labelled element of a painted session becomes one episode (opened at its first frame,
closed at its last, with its true fields); the tarkov table's engine must then emit exactly
the ground truth's events, at the same times, with no anomalies.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from framewise.config.state_machine import load_state_machine
from framewise.profiles import profile_dir
from framewise.synth.compose import FramePainter
from framewise.synth.groundtruth import ElementTrack, SpanRecorder
from framewise.synth.script import make_script
from framewise.synth.truth import build_truth
from framewise.temporal.episodes import Episode
from framewise.temporal.observations import FieldReading
from framewise.temporal.state_machine import StateMachine

START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
FPS = 4.0


def painted(
    seed: int, seconds: float, in_raid: bool = False
) -> tuple[list[float], list[ElementTrack]]:
    """Paint a session at a low rate and small size; its frame times and labelled elements."""
    script = make_script(seed, seconds, start_in_raid=in_raid)
    times = [k / FPS for k in range(int(seconds * FPS))]
    painter = FramePainter(script, 320, 180)
    recorder = SpanRecorder()
    for index, t in enumerate(times):
        recorder.add(index, painter.paint(index, t)[1])
    return times, recorder.finish()


def episodes(times: list[float], tracks: list[ElementTrack]) -> list[Episode]:
    """Open and closed notices of every element, in time order (opens before closes)."""
    notices: list[tuple[float, int, Episode]] = []
    for track_id, track in enumerate(tracks):
        first = track.spans[0].first_frame
        last = track.spans[-1].last_frame
        fields = {k: FieldReading(v, 1.0) for k, v in track.fields.items()}
        for closed in (False, True):
            episode = Episode(
                class_name=track.cls,
                track_id=track_id,
                start=times[first],
                end=times[last],
                confidence=1.0,
                best_seconds=times[first],
                box=track.spans[0].box,
                fields=fields,
                hits=last - first + 1,
                closed=closed,
            )
            # A closed notice comes once the element is gone: after the next frame's opens.
            at = times[last] + 1.0 / FPS if closed else times[first]
            notices.append((at, int(closed), episode))
    notices.sort(key=lambda n: (n[0], n[1]))
    return [episode for _, _, episode in notices]


@pytest.mark.parametrize(("seed", "in_raid"), [(3, False), (8, False), (5, True)])
def test_engine_emits_the_ground_truth_events(seed: int, in_raid: bool) -> None:
    """Perfect detections give exactly the true events; a recording that opens in a raid
    too, its opening raid's unseen map, character and mode being null in both."""
    seconds = 1500.0 if not in_raid else 600.0
    times, tracks = painted(seed, seconds, in_raid)
    machine = StateMachine(load_state_machine(profile_dir("tarkov") / "state_machine.yaml"))
    records = machine.update(episodes(times, tracks))
    records += machine.flush()
    assert machine.anomalies == ()
    got = sorted(((r.seconds, r.type, dict(r.data)) for r in records), key=lambda r: (r[0], r[1]))
    events, _, _ = build_truth(make_script(seed, seconds, in_raid), times, START)
    expected = sorted(
        ((e.video_offset_seconds, e.type, dict(e.data)) for e in events),
        key=lambda r: (r[0], r[1]),
    )
    assert [r[1] for r in got].count("kill") > 5
    assert got == expected
