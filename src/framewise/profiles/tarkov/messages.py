"""Events → WebSocket messages, and the running tally the overlay shows. Pure.

Every message has the shape the original app's Rust client reads::

    {"type": "kill", "timestamp": 1768500754.2, "confidence": 0.91, "data": {...}}

``timestamp`` is the event's wall-clock time in epoch seconds (session start + video
seconds; on a live source, arrival time). The pipeline's record types map to the client's
types as follows (:func:`message_type`):

* ``raid_start`` → ``raid_start`` (map_name, character_type, game_mode);
* ``kill`` → ``kill`` (enemy_type, weapon, headshot);
* ``raid_end`` with outcome ``killed`` → ``death`` (outcome, extract_location);
* ``raid_end`` with outcome ``survived`` → ``extraction`` (outcome, extract_location);
* ``raid_end`` with another outcome (``mia``, ``transfer``, ``unknown``) →
  ``state_transition`` (outcome, extract_location, and ``to_state`` = the outcome);
* ``state_transition`` caused by a ``match_found`` screen → ``match_found``
  (from_state, to_state);
* any other ``state_transition`` → ``state_transition`` (from_state, to_state);
* ``episode`` (pipelines without a state machine: a class was on screen) →
  ``scene_change`` (class_name, duration_seconds, voted fields);
* ``anomaly`` (a transition the table refuses) → not sent (counted in ``/stats``);
* any other type (a custom state machine's) → sent under its own type, data unchanged.

MIA is not a death (nothing killed the player) nor an extraction, so it is sent as a
``state_transition`` whose ``outcome`` says how the raid ended; deaths for K/D are KIA only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from framewise.core.events import Event, JsonValue

MESSAGE_TYPES = (
    "raid_start",
    "match_found",
    "kill",
    "death",
    "extraction",
    "scene_change",
    "state_transition",
)
"""The types the original app's client knows."""

NOT_SENT = frozenset({"anomaly"})
"""Record types kept off the WebSocket."""

RAID_END_TYPES: Mapping[str, str] = {"killed": "death", "survived": "extraction"}
"""``raid_end`` outcome → message type; other outcomes become ``state_transition``."""

MATCH_FOUND_EVIDENCE = "match_found"
"""The detector class whose state transition is reported as ``match_found``."""


def message_type(record_type: str, data: Mapping[str, JsonValue], evidence: str) -> str | None:
    """The message type of a record (``None``: not sent). See the module's table."""
    if record_type in NOT_SENT:
        return None
    if record_type == "raid_end":
        return RAID_END_TYPES.get(str(data.get("outcome")), "state_transition")
    if record_type == "state_transition" and evidence == MATCH_FOUND_EVIDENCE:
        return "match_found"
    if record_type == "episode":
        return "scene_change"
    return record_type


def to_message(event: Event, evidence: str) -> dict[str, Any] | None:
    """The WebSocket message of ``event`` (``None`` for types not sent).

    Args:
        event: The event, as the JSON log would hold it.
        evidence: The detector class that caused it (tells ``match_found`` apart).
    """
    kind = message_type(event.type, event.data, evidence)
    if kind is None:
        return None
    data = dict(event.data)
    if event.type == "raid_end" and kind == "state_transition":
        data["to_state"] = data.get("outcome")
    return {
        "type": kind,
        "timestamp": event.timestamp.timestamp(),
        "confidence": event.confidence,
        "data": data,
    }


@dataclass
class Tally:
    """What the overlay shows, folded from the messages: state, map, kills, K/D.

    ``overlay.js`` folds messages the same way in the browser; this copy serves ``/stats``
    (which the overlay reads once when it loads) and the tests.
    """

    state: str | None = None
    map_name: str | None = None
    in_raid: bool = False
    raid_kills: int = 0
    kills: int = 0
    deaths: int = 0
    extractions: int = 0
    raids: int = 0

    @property
    def kd(self) -> float:
        """Session kills per death (kills when there was no death yet)."""
        return round(self.kills / self.deaths, 2) if self.deaths else float(self.kills)

    def add(self, message: Mapping[str, Any]) -> None:
        """Fold one message in."""
        kind = message.get("type")
        data = message.get("data") or {}
        if kind == "raid_start":
            self.raids += 1
            self.in_raid, self.raid_kills = True, 0
            self.map_name = data.get("map_name") or self.map_name
            self.state = "raid"
        elif kind == "kill":
            self.kills += 1
            self.raid_kills += 1
        elif kind in ("death", "extraction"):
            self.in_raid = False
            self.deaths += kind == "death"
            self.extractions += kind == "extraction"
            self.state = "killed" if kind == "death" else "survived"
        elif kind in ("state_transition", "match_found"):
            self.state = data.get("to_state") or self.state
            if "outcome" in data:  # a raid ended some other way (MIA, transfer)
                self.in_raid = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``kd`` included)."""
        return {
            "state": self.state,
            "map_name": self.map_name,
            "in_raid": self.in_raid,
            "raid_kills": self.raid_kills,
            "kills": self.kills,
            "deaths": self.deaths,
            "extractions": self.extractions,
            "raids": self.raids,
            "kd": self.kd,
        }
