"""Composes a session's frames: the right background, the screen or the raid overlay.

Frames are asked for in time order, so the current screen is found by walking forward.
Backgrounds are built once (raid worlds per map, the two most recent kept) and windowed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from framewise.core.frames import Image
from framewise.synth.hud import gameplay_hud
from framewise.synth.layout import Canvas, Element
from framewise.synth.scene import MenuBackdrop, RaidScene
from framewise.synth.screens import SCREENS, ScreenContext
from framewise.synth.script import Raid, Script
from framewise.synth.text import TextCache, shade
from framewise.synth.vocab import BLANK

WorldFilter = Callable[[Image, float], None]
"""Changes a raid frame's game world in place, given the frame's seconds."""

_SCENES_KEPT = 2
_RAID_BACKGROUND = frozenset({"gameplay_hud", "loading_screen", "get_ready"})


class FramePainter:
    """Paints frame after frame of a script and says which labelled elements each shows.

    Args:
        script: The session.
        width: Picture width.
        height: Picture height.
        ui_scale: The game's UI scale (every element's size).
        world_filter: Called on the game world of raid frames before the HUD is drawn
            (motion blur: the world blurs as the camera turns, the UI stays sharp).
    """

    def __init__(
        self,
        script: Script,
        width: int,
        height: int,
        *,
        ui_scale: float = 1.0,
        world_filter: WorldFilter | None = None,
    ) -> None:
        self.script = script
        self.width, self.height = width, height
        self.ui_scale = ui_scale
        self.world_filter = world_filter
        self.texts = TextCache()
        self._menu = MenuBackdrop(width, height, script.seed)
        self._scenes: dict[str, RaidScene] = {}
        self._image = np.empty((height, width, 3), dtype=np.uint8)
        self._cursor = 0
        self._raid_before = self._raids_by_screen()
        self._map_at = self._maps_by_screen()

    def _raids_by_screen(self) -> list[Raid | None]:
        """For each screen, its raid or the last raid that began before it."""
        raids = {r.raid_id: r for r in self.script.raids}
        result: list[Raid | None] = []
        last: Raid | None = None
        for screen in self.script.screens:
            if screen.raid_id is not None:
                last = raids.get(screen.raid_id, last)
            result.append(last)
        return result

    def _maps_by_screen(self) -> list[str]:
        """For each screen, the map last named before (or by) it: the raid's world to show."""
        result, current = [], "Customs"
        for screen in self.script.screens:
            name = screen.fields.get("map_name")
            if isinstance(name, str):
                current = name
            result.append(current)
        return result

    def _scene(self, map_name: str) -> RaidScene:
        scene = self._scenes.get(map_name)
        if scene is None:
            if len(self._scenes) >= _SCENES_KEPT:
                del self._scenes[next(iter(self._scenes))]
            seed = self.script.seed * 31 + sum(map_name.encode())
            scene = self._scenes[map_name] = RaidScene(map_name, self.width, self.height, seed)
        return scene

    def paint(self, index: int, seconds: float) -> tuple[Image, list[Element]]:
        """Frame ``index`` at ``seconds``: the picture (reused by the next call) and its labels."""
        screens = self.script.screens
        while self._cursor + 1 < len(screens) and screens[self._cursor].end <= seconds:
            self._cursor += 1
        at = self._cursor
        screen = screens[at]
        image = self._image
        if screen.cls in _RAID_BACKGROUND:
            weapon = screen.cls == "gameplay_hud"
            self._scene(self._map_at[at]).paint(image, index, seconds, weapon)
            if weapon and self.world_filter is not None:
                self.world_filter(image, seconds)
        else:
            self._menu.paint(image, index, seconds)
        if screen.cls == BLANK:
            shade(image, (0, 0, self.width, self.height), 0.35)
            return image, []
        canvas = Canvas(image, self.texts, screen.look, self.ui_scale)
        raid = self._raid_before[at]
        if screen.cls == "gameplay_hud":
            if raid is None:
                raise ValueError(f"raid screen {at} belongs to no raid")
            if raid.light < 1.0:
                shade(image, (0, 0, self.width, self.height), raid.light)
            return image, gameplay_hud(canvas, screen, raid, seconds)
        return image, SCREENS[screen.cls](canvas, ScreenContext(screen, at, seconds, raid))
