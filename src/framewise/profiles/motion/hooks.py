"""The motion profile's domain code: what a reviewer's new ``motion`` event asks for."""

from __future__ import annotations

from collections.abc import Mapping

from framewise.profiles.base import GenericHooks


class MotionHooks(GenericHooks):
    """Every event sent under its own type; a new motion event names its span."""

    event_fields: Mapping[str, tuple[str, ...]] = {"motion": ("start", "end")}


HOOKS = MotionHooks()
"""The motion profile's hooks."""
