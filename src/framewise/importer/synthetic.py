"""Synthetic event logs with a known content, for tests, benchmarks and demos.

Each raid is ``raid_start`` → transitions (queuing, deploying, raid_active) → kills →
``raid_end``; outcomes, maps and modes cycle so both game modes and both outcomes appear.
Times are exact (microseconds included) so an import can be checked to the microsecond.

Example:
    >>> log = synthetic_log(raids=2, kills_per_raid=3)
    >>> sum(e.type == "kill" for e in log.events)
    6
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from framewise.core.events import SCHEMA_VERSION, Event, EventLog, LogMetadata

MAPS = ("Customs", "Woods", "Shoreline", "Interchange", "Factory")
OUTCOMES = ("survived", "killed_in_action", "survived", "missing_in_action")
STATES = ("queuing", "deploying_committed", "raid_active")
DEFAULT_START = datetime(2026, 1, 15, 18, 0, 0, 123456, tzinfo=UTC)


def events_per_raid(kills_per_raid: int) -> int:
    """How many events one synthetic raid has."""
    return 2 + len(STATES) + kills_per_raid


def synthetic_log(
    *,
    raids: int,
    kills_per_raid: int,
    start: datetime = DEFAULT_START,
    video_path: str = "recordings/session.mkv",
    raid_seconds: float = 1500.0,
    gap_seconds: float = 300.0,
    fps: float = 30.0,
) -> EventLog:
    """A log of ``raids`` complete raids with ``kills_per_raid`` kills each.

    Args:
        raids: Number of raids.
        kills_per_raid: Kills in every raid.
        start: Session start (wall clock of the video's first frame).
        video_path: ``metadata.video_path`` (the duplicate-detection source).
        raid_seconds: Length of each raid.
        gap_seconds: Time between one raid's end and the next one's start.
        fps: Frame rate used for the frame-number hints.
    """
    events: list[Event] = []
    offset = 60.0

    def add(kind: str, data: dict[str, object], at: float) -> None:
        events.append(
            Event(
                event_id=f"evt_{len(events) + 1:06d}",
                type=kind,
                timestamp=start + timedelta(seconds=at),
                video_offset_seconds=at,
                frame_number=round(at * fps),
                confidence=0.9,
                data=dict(data),  # type: ignore[arg-type]
            )
        )

    for index in range(raids):
        add(
            "raid_start",
            {
                "map_name": MAPS[index % len(MAPS)],
                "character_type": "pmc" if index % 3 else "scav",
                "game_mode": "pve" if index % 2 == 0 else "pvp",
            },
            offset,
        )
        step = raid_seconds / (len(STATES) + kills_per_raid + 1)
        at = offset
        previous = "stash_management"
        for state in STATES:
            at += step
            add("state_transition", {"from_state": previous, "to_state": state}, at)
            previous = state
        for kill in range(kills_per_raid):
            at += step
            add(
                "kill",
                {
                    "enemy_type": "pmc" if kill % 4 == 0 else "scav",
                    "weapon": "AK-74M",
                    "headshot": kill % 3 == 0,
                },
                at,
            )
        outcome = OUTCOMES[index % len(OUTCOMES)]
        extract = "Crossroads" if outcome == "survived" else None
        add("raid_end", {"outcome": outcome, "extract_location": extract}, offset + raid_seconds)
        offset += raid_seconds + gap_seconds
    return EventLog(
        schema_version=SCHEMA_VERSION,
        metadata=LogMetadata(
            video_path=video_path,
            session_start_time=start,
            session_type="stream",
            video_duration_seconds=offset,
            total_frames=round(offset * fps),
            detection_fps=fps,
            model_version="synthetic",
            processed_at=start + timedelta(seconds=offset),
        ),
        events=events,
    )
