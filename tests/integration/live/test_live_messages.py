"""The record → WebSocket message mapping and the overlay tally (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from framewise.core.events import Event, JsonValue
from framewise.live.messages import MESSAGE_TYPES, Tally, message_type, to_message
from framewise.live.metrics import percentile

AT = datetime(2026, 1, 15, 18, 0, 5, 250000, tzinfo=UTC)


def event(kind: str, data: dict[str, JsonValue]) -> Event:
    return Event(
        event_id="evt_00001",
        type=kind,
        timestamp=AT,
        video_offset_seconds=5.25,
        frame_number=52,
        confidence=0.8,
        data=data,
    )


@pytest.mark.parametrize(
    ("kind", "data", "evidence", "expected"),
    [
        ("raid_start", {"map_name": "customs"}, "gameplay_hud", "raid_start"),
        ("kill", {"enemy_type": "scav"}, "kill_notification", "kill"),
        ("raid_end", {"outcome": "killed"}, "death_screen", "death"),
        ("raid_end", {"outcome": "survived"}, "survived_screen", "extraction"),
        ("raid_end", {"outcome": "mia"}, "mia_screen", "state_transition"),
        ("raid_end", {"outcome": "transfer"}, "transfer_screen", "state_transition"),
        ("state_transition", {"to_state": "deploying"}, "match_found", "match_found"),
        ("state_transition", {"to_state": "deploying"}, "loading_screen", "state_transition"),
        ("episode", {"class_name": "logo"}, "logo", "scene_change"),
        ("anomaly", {"to_state": "survived"}, "survived_screen", None),
        ("custom_event", {}, "x", "custom_event"),
    ],
)
def test_mapping(
    kind: str, data: dict[str, JsonValue], evidence: str, expected: str | None
) -> None:
    assert message_type(kind, data, evidence) == expected
    message = to_message(event(kind, data), evidence)
    if expected is None:
        assert message is None
        return
    assert message is not None
    assert message["type"] == expected
    assert message["timestamp"] == pytest.approx(1768500005.25)
    assert message["confidence"] == 0.8
    assert expected in MESSAGE_TYPES or expected == "custom_event"


def test_a_raid_end_sent_as_a_transition_says_where_it_went() -> None:
    message = to_message(event("raid_end", {"outcome": "mia", "extract_location": None}), "")
    assert message is not None
    assert message["data"] == {"outcome": "mia", "extract_location": None, "to_state": "mia"}


def test_tally_follows_raids_kills_and_deaths() -> None:
    tally = Tally()
    messages: list[dict[str, Any]] = [
        {"type": "match_found", "data": {"to_state": "deploying"}},
        {"type": "raid_start", "data": {"map_name": "woods"}},
        {"type": "kill", "data": {}},
        {"type": "kill", "data": {}},
        {"type": "death", "data": {"outcome": "killed"}},
        {"type": "raid_start", "data": {"map_name": "customs"}},
        {"type": "kill", "data": {}},
        {"type": "extraction", "data": {"outcome": "survived"}},
    ]
    seen = []
    for message in messages:
        tally.add(message)
        seen.append((tally.state, tally.raid_kills))
    assert seen[0] == ("deploying", 0)
    assert seen[3] == ("raid", 2)
    assert seen[5] == ("raid", 0)  # a new raid starts counting again
    assert tally.as_dict() == {
        "state": "survived",
        "map_name": "customs",
        "in_raid": False,
        "raid_kills": 1,
        "kills": 3,
        "deaths": 1,
        "extractions": 1,
        "raids": 2,
        "kd": 3.0,
    }


def test_percentile_interpolates() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0
