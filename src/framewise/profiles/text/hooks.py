"""The text profile's domain code: what a reviewer's new ``text_shown`` event asks for."""

from __future__ import annotations

from collections.abc import Mapping

from framewise.profiles.base import GenericHooks


class TextHooks(GenericHooks):
    """Every event sent under its own type; a new line of text names what it says and when."""

    event_fields: Mapping[str, tuple[str, ...]] = {"text_shown": ("text", "start", "end")}


HOOKS = TextHooks()
"""The text profile's hooks."""
