"""How the game's events map onto the event store's raids, transitions and kills.

One copy of the rules, used by the importer (a finished log, in one request) and by the
live store writer (event by event), so a live session and an imported recording of it
store the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNKNOWN = "unknown"
"""The final state of a raid whose end was never seen, and the enemy of an unread kill."""

STORED_TYPES = frozenset({"raid_start", "state_transition", "kill", "raid_end"})
"""Event types that reach the store; the rest stay in the log."""

RAID_FIELDS = ("map_name", "character_type", "game_mode")
"""The fields a raid is created with."""


def norm_state(value: Any) -> str:
    """A state name as the store keeps it: lower case, spaces → ``_`` (``unknown`` if empty)."""
    return str(value).strip().lower().replace(" ", "_") if value else UNKNOWN


def raid_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """``map_name``, ``character_type``, ``game_mode`` of a ``raid_start`` event's data.

    The contract's enums are lower case; detectors may print "PMC" or "PvE".
    """
    values = {name: data.get(name) for name in RAID_FIELDS}
    return {
        k: v.lower() if isinstance(v, str) and k != "map_name" else v for k, v in values.items()
    }


def kill_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """``enemy_type``, ``weapon``, ``headshot`` of a kill event's data."""
    return {
        "enemy_type": data.get("enemy_type"),
        "weapon": data.get("weapon", data.get("weapon_used")),
        "headshot": data.get("headshot"),
    }


def raid_end_fields(data: Mapping[str, Any]) -> tuple[str, str | None]:
    """``(final_state, extract_location)`` of a ``raid_end`` event's data."""
    extract = data.get("extract_location")
    final = data.get("final_state") or data.get("outcome")
    return norm_state(final), str(extract) if extract else None
