"""The people profile's domain code: what a reviewer's new person event asks for."""

from __future__ import annotations

from collections.abc import Mapping

from framewise.profiles.base import GenericHooks


class PeopleHooks(GenericHooks):
    """Every event sent under its own type; a new person event names its track."""

    event_fields: Mapping[str, tuple[str, ...]] = {
        "person_entered": ("track_id", "people_count"),
        "person_left": ("track_id", "people_count"),
    }


HOOKS = PeopleHooks()
"""The people profile's hooks."""
