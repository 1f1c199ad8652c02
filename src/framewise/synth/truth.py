"""The session's true events, screen visits and raids, timed to the frames that show them.

An event happens at the first frame that shows it: a state change at the first frame of the
new screen, a kill at the first frame its feed entry is drawn. The types and fields are those
``framewise process`` writes with the tarkov profile: ``state_transition`` (``from_state``,
``to_state``), ``raid_start`` (``map_name``, ``character_type``, ``game_mode``), ``raid_end``
(``outcome``, ``extract_location``) and ``kill`` (``enemy_type``, ``weapon``, ``headshot``).

Event fields say what the video shows: a ``raid_start`` field that no screen of the recording
has shown by then (a recording that begins in the middle of a raid never shows its map or
character) is ``null``, so an evaluation does not ask a pipeline to guess it. The ``raids``
list keeps every raid's real values.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta
from typing import Any

from framewise.core.events import Event
from framewise.synth.groundtruth import RaidTruth, ScreenVisit
from framewise.synth.script import Script
from framewise.synth.vocab import BLANK, INITIAL_STATE, OUTCOME_OF_CLASS, STATE_OF_CLASS

SHOWN_FIELDS: dict[str, frozenset[str]] = {
    "character_select": frozenset({"character_type"}),
    "map_select": frozenset({"map_name", "game_mode"}),
    "loading_screen": frozenset({"map_name"}),
    "transfer_screen": frozenset({"map_name"}),
}
"""The raid fields each screen writes on the picture (screens.py; the loading screen's stages
hint at the mode but do not name it). The engine-agreement test keeps this in step."""


class _Timeline:
    """Maps script times to the frames that show them."""

    def __init__(self, frame_times: list[float], start: datetime) -> None:
        self.times = frame_times
        self.start = start

    def first_frame(self, seconds: float) -> int | None:
        """The first frame at or after ``seconds`` (``None`` past the end)."""
        index = bisect.bisect_left(self.times, seconds - 1e-9)
        return index if index < len(self.times) else None

    def last_frame(self, before: float) -> int:
        """The last frame strictly before ``before``."""
        return bisect.bisect_left(self.times, before - 1e-9) - 1


def build_truth(
    script: Script, frame_times: list[float], start: datetime
) -> tuple[list[Event], list[ScreenVisit], list[RaidTruth]]:
    """The events, screen visits and raids of ``script`` on the frames at ``frame_times``.

    Args:
        script: The session script.
        frame_times: Every frame's time in seconds (as encoded).
        start: Wall-clock time of the first frame.
    """
    timeline = _Timeline(frame_times, start)
    raw: list[tuple[int, int, str, dict[str, Any]]] = []  # frame, order, type, data
    visits: list[ScreenVisit] = []
    raids = {r.raid_id: r for r in script.raids}
    state = INITIAL_STATE
    shown: set[str] = set()  # raid_start fields some screen has shown so far
    for screen in script.screens:
        first = timeline.first_frame(screen.start)
        last = timeline.last_frame(screen.end)
        if first is None or last < first or screen.cls == BLANK:
            continue  # never on screen (cut off by the session's end), or a blank gap
        new_state = STATE_OF_CLASS[screen.cls]
        shown.update(SHOWN_FIELDS.get(screen.cls, ()))
        visits.append(
            ScreenVisit(
                cls=screen.cls,
                state=new_state,
                start_seconds=frame_times[first],
                end_seconds=frame_times[last + 1]
                if last + 1 < len(frame_times)
                else script.seconds,
                first_frame=first,
                last_frame=last,
                raid_id=screen.raid_id,
            )
        )
        if new_state != state:
            raw.append((first, 0, "state_transition", {"from_state": state, "to_state": new_state}))
            state = new_state
        if screen.cls == "gameplay_hud" and screen.raid_id is not None:
            raid = raids[screen.raid_id]
            values = {
                "map_name": raid.map_name,
                "character_type": raid.character_type,
                "game_mode": raid.game_mode,
            }
            data = {name: value if name in shown else None for name, value in values.items()}
            raw.append((first, 1, "raid_start", data))
        outcome = OUTCOME_OF_CLASS.get(screen.cls)
        if outcome is not None:
            where = screen.fields.get("extract_location") if outcome == "survived" else None
            raw.append((first, 1, "raid_end", {"outcome": outcome, "extract_location": where}))
    for kill in script.kills:
        first = timeline.first_frame(kill.time)
        if first is not None:
            fields: dict[str, Any] = {
                "enemy_type": kill.enemy_type,
                "weapon": kill.weapon,
                "headshot": kill.headshot,
            }
            raw.append((first, 2, "kill", fields))
    raw.sort(key=lambda item: (item[0], item[1]))
    events = [
        Event(
            event_id=f"evt_{n:04d}",
            type=kind,
            timestamp=start + timedelta(seconds=frame_times[frame]),
            video_offset_seconds=frame_times[frame],
            frame_number=frame,
            confidence=1.0,
            data=data,
        )
        for n, (frame, _, kind, data) in enumerate(raw, start=1)
    ]
    truths = [
        RaidTruth(
            raid_id=r.raid_id,
            map_name=r.map_name,
            character_type=r.character_type,
            game_mode=r.game_mode,
            start_seconds=r.start,
            end_seconds=r.end,
            outcome=r.outcome,
            extract_location=r.extract_location,
            kills=len(r.kills),
        )
        for r in script.raids
    ]
    return events, visits, truths
