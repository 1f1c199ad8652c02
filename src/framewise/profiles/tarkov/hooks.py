"""The Tarkov profile's hooks: its live messages, overlay tally and review fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from framewise.core.events import Event
from framewise.profiles.base import Tally as TallyProtocol
from framewise.profiles.tarkov.messages import Tally, to_message

EVENT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "kill": ("enemy_type", "weapon", "headshot"),
    "raid_start": ("map_name", "character_type", "game_mode"),
    "raid_end": ("outcome", "extract_location"),
    "state_transition": ("from_state", "to_state"),
}
"""The data fields of each event type (the fields of a reviewer's new-event form)."""


class TarkovHooks:
    """Raid and kill events said as the original app's client reads them."""

    event_fields: Mapping[str, tuple[str, ...]] = EVENT_FIELDS

    def message(self, event: Event, evidence: str) -> dict[str, Any] | None:
        """See :mod:`framewise.profiles.tarkov.messages`."""
        return to_message(event, evidence)

    def new_tally(self) -> TallyProtocol:
        """State, map, kills and K/D, as the OBS overlay shows them."""
        return Tally()


HOOKS = TarkovHooks()
