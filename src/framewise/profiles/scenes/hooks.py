"""The scenes profile's domain code: what a reviewer's new ``scene_cut`` event asks for."""

from __future__ import annotations

from collections.abc import Mapping

from framewise.profiles.base import GenericHooks


class SceneHooks(GenericHooks):
    """Every event sent under its own type; a new cut names its scene and how it was found."""

    event_fields: Mapping[str, tuple[str, ...]] = {"scene_cut": ("scene", "kind")}


HOOKS = SceneHooks()
"""The scenes profile's hooks."""
