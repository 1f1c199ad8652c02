"""The screens between raids: menus, selection, deploying, terminal and post-raid screens.

Each drawing function paints one screen onto a :class:`Canvas` (whose background is already
drawn) and returns the labelled elements it drew. Only the screen's distinctive panel gets the
screen's class; decorations around it (titles, hints, the other choice) stay unlabelled, as a
human labeller would draw the box.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from framewise.core.frames import Image
from framewise.synth.layout import (
    ACCENT,
    DIM,
    GOLD,
    GREEN,
    GREY,
    ORANGE,
    RED,
    WHITE,
    Canvas,
    Element,
    Line,
)
from framewise.synth.script import Raid, Screen
from framewise.synth.text import outline, shade
from framewise.synth.vocab import CHARACTER_TYPES, ENEMY_TYPES, GAME_MODES, HEADSHOT_TEXT, MAPS


@dataclass(frozen=True)
class ScreenContext:
    """What a screen drawing needs: the visit, the time, and the raid it follows."""

    screen: Screen
    index: int
    seconds: float
    raid: Raid | None

    @property
    def elapsed(self) -> float:
        """Seconds since the visit began."""
        return self.seconds - self.screen.start

    def key(self, part: str = "") -> str:
        """A stable element key for this visit (``part`` tells apart changing contents)."""
        return f"s{self.index}{part}"


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def main_menu(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """Title and the main menu's buttons; the button column is the element."""
    c.text("ESCAPE FROM TARKOV", 30, *c.at(0.5, 0.08), GREY, anchor="c")
    lines = [
        Line("ESCAPE FROM TARKOV", 34, GOLD),
        Line("CHARACTER", 24),
        Line("TRADE", 24),
        Line("HIDEOUT", 24),
    ]
    box = c.panel(lines, c.at(0.5, 0.55), gap=16, border=DIM)
    return [c.element(ctx.key(), "main_menu", box, lines)]


def _stash_grid(variant: int, cell: int, cols: int, rows: int) -> Image:
    """Item cells of a stash, some filled, on a dark ground."""
    rng = random.Random(variant)
    grid = np.full((rows * cell, cols * cell, 3), 14, dtype=np.uint8)
    for r in range(rows):
        for col in range(cols):
            if rng.random() < 0.55:
                x, y = col * cell, r * cell
                tone = rng.randrange(40, 110)
                grid[y + 2 : y + cell - 2, x + 2 : x + cell - 2] = (tone, tone + 4, tone)
    return grid


def stash_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The stash grid with its title; both are the element."""
    x0, y0 = c.at(0.52, 0.16)
    cell, cols, rows = c.px(44), 10, 10
    picture = c.texts.picture(
        f"stash{ctx.index}", lambda: _stash_grid(ctx.screen.look.variant, cell, cols, rows)
    )
    grid = c.clip((x0, y0, x0 + cols * cell, y0 + rows * cell))
    c.image[grid[1] : grid[3], grid[0] : grid[2]] = picture[
        grid[1] - y0 : grid[3] - y0, grid[0] - x0 : grid[2] - x0
    ]
    outline(c.image, grid, c.color(DIM))
    title = Line("STASH", 30, WHITE)
    w, h = c.measure(title.text, title.size)
    c.text(title.text, title.size, x0, y0 - h - c.px(8), title.color)
    box = (x0, y0 - h - c.px(12), max(grid[2], x0 + w), grid[3])
    return [c.element(ctx.key(), "stash_screen", box, [title])]


def character_select(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """PMC and SCAV cards; only the highlighted (chosen) card is the element."""
    chosen = str(ctx.screen.fields["character_type"])
    c.text("CHOOSE YOUR CHARACTER", 26, *c.at(0.5, 0.15), GREY, anchor="c")
    elements = []
    for slot, (value, label) in enumerate(CHARACTER_TYPES.items()):
        selected = value == chosen
        line = Line(label, 48, GOLD if selected else DIM)
        centre = c.at(0.36 + 0.28 * slot, 0.5)
        box = c.panel(
            [line],
            centre,
            pad=40,
            min_width=160,
            darkness=0.25 if selected else 0.55,
            border=GOLD if selected else None,
        )
        if selected:
            elements.append(
                c.element(ctx.key(), "character_select", box, [line], character_type=value)
            )
    return elements


def map_select(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The location list and the chosen map's panel with the PVE/PVP mode."""
    chosen, mode = str(ctx.screen.fields["map_name"]), str(ctx.screen.fields["game_mode"])
    x, y = c.at(0.05, 0.12)
    for name in MAPS:
        c.text(name.upper(), 18, x, y, GOLD if name == chosen else DIM)
        y += c.px(30)
    lines = [Line(chosen.upper(), 44, WHITE), Line(f"MODE: {GAME_MODES[mode]}", 26, ACCENT)]
    box = c.panel(lines, c.at(0.58, 0.42), pad=24, border=DIM, min_width=300)
    c.text("SELECT LOCATION", 22, *c.at(0.58, 0.85), GREY, anchor="c")
    return [c.element(ctx.key(), "map_select", box, lines, map_name=chosen, game_mode=mode)]


def insurance_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The insurance panel."""
    lines = [Line("INSURANCE", 40, WHITE), Line("INSURE ALL ITEMS", 22, GREY)]
    box = c.panel(lines, c.at(0.5, 0.3), border=DIM, min_width=320)
    return [c.element(ctx.key(), "insurance_screen", box, lines)]


_PVE_STAGES = ("LOADING LOCATION DATA", "CACHING LOOT", "STARTING LOCAL GAME")
_PVP_STAGES = ("LOADING LOCATION DATA", "CACHING LOOT", "AWAITING PLAYERS")


def loading_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """Map art dimmed, the map's name and the loading stage, with a progress bar."""
    shade(c.image, (0, 0, c.width, c.height), 0.45)
    name = str(ctx.screen.fields["map_name"])
    stages = _PVE_STAGES if ctx.screen.fields.get("game_mode") == "pve" else _PVP_STAGES
    length = max(1e-6, ctx.screen.end - ctx.screen.start)
    stage = min(len(stages) - 1, int(ctx.elapsed / length * len(stages)))
    lines = [Line(name.upper(), 40, WHITE), Line(stages[stage], 22, ACCENT)]
    box = c.panel(lines, c.at(0.5, 0.78), pad=20, min_width=420)
    progress = min(1.0, ctx.elapsed / length)
    bx1, by = box[0], box[3] + c.px(10)
    shade(c.image, (bx1, by, box[2], by + c.px(6)), 0.3)
    shade(c.image, (bx1, by, bx1 + int((box[2] - bx1) * progress), by + c.px(6)), 1.0, (90, 90, 90))
    return [c.element(ctx.key(f".{stage}"), "loading_screen", box, lines, map_name=name)]


def queue_timer(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The PVP matching panel with its running timer."""
    second = int(ctx.elapsed)
    lines = [Line("MATCHING", 30, WHITE), Line(_clock(second), 36, GOLD)]
    box = c.panel(lines, c.at(0.5, 0.45), border=DIM, min_width=220)
    c.text("ESTIMATED TIME: 01:30", 18, *c.at(0.5, 0.62), GREY, anchor="c")
    return [c.element(ctx.key(f".{second}"), "queue_timer", box, lines)]


def match_found(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The match-found banner."""
    lines = [Line("MATCH FOUND", 44, GREEN), Line("DEPLOYING", 22, GREY)]
    box = c.panel(lines, c.at(0.5, 0.45), border=GREEN)
    return [c.element(ctx.key(), "match_found", box, lines)]


def get_ready(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The get-ready countdown over the dimmed world."""
    shade(c.image, (0, 0, c.width, c.height), 0.35)
    left = max(0.0, ctx.screen.end - ctx.seconds)
    count = int(left) + 1
    lines = [Line("GET READY!", 44, WHITE), Line(f"00:{min(count, 99):02d}", 36, GOLD)]
    box = c.panel(lines, c.at(0.5, 0.4), darkness=0.5)
    return [c.element(ctx.key(f".{count}"), "get_ready", box, lines)]


def transfer_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The transit banner with its destination map."""
    name = str(ctx.screen.fields["map_name"])
    lines = [Line("TRANSIT", 44, WHITE), Line(f"DESTINATION: {name.upper()}", 24, ACCENT)]
    box = c.panel(lines, c.at(0.5, 0.4), border=ACCENT)
    return [c.element(ctx.key(), "transfer_screen", box, lines, map_name=name)]


def _raid_time(c: Canvas, ctx: ScreenContext) -> None:
    if ctx.raid is not None:
        c.text(
            f"TIME IN RAID {_clock(ctx.raid.end - ctx.raid.start)}", 20, *c.at(0.5, 0.68), GREY, "c"
        )


def survived_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """SURVIVED with the extract location."""
    where = str(ctx.screen.fields["extract_location"])
    lines = [Line("SURVIVED", 60, GREEN), Line(where.upper(), 28, WHITE)]
    box = c.panel(lines, c.at(0.5, 0.42), pad=22, darkness=0.4)
    _raid_time(c, ctx)
    return [c.element(ctx.key(), "survived_screen", box, lines, extract_location=where)]


def death_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """KILLED IN ACTION."""
    lines = [Line("KILLED IN ACTION", 56, RED)]
    box = c.panel(lines, c.at(0.5, 0.42), pad=22, darkness=0.4)
    _raid_time(c, ctx)
    return [c.element(ctx.key(), "death_screen", box, lines)]


def mia_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """MISSING IN ACTION."""
    lines = [Line("MISSING IN ACTION", 56, ORANGE)]
    box = c.panel(lines, c.at(0.5, 0.42), pad=22, darkness=0.4)
    _raid_time(c, ctx)
    return [c.element(ctx.key(), "mia_screen", box, lines)]


def kill_line(enemy_type: str, weapon: str, headshot: bool) -> str:
    """A kill as the kill feed and the kill list write it."""
    text = f"{ENEMY_TYPES[enemy_type]}  {weapon.upper()}"
    return f"{text}  {HEADSHOT_TEXT}" if headshot else text


def kill_list_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The raid's kills as a table."""
    kills = ctx.raid.kills if ctx.raid is not None else []
    lines = [Line("KILL LIST", 34, WHITE)]
    lines += [
        Line(f"{n}. {kill_line(k.enemy_type, k.weapon, k.headshot)}", 20, GREY)
        for n, k in enumerate(kills[:8], start=1)
    ]
    if not kills:
        lines.append(Line("NO KILLS", 20, DIM))
    box = c.panel(lines, c.at(0.5, 0.45), border=DIM, min_width=420)
    return [c.element(ctx.key(), "kill_list_screen", box, lines)]


def statistics_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The raid's statistics."""
    raid = ctx.raid
    kills = len(raid.kills) if raid is not None else 0
    length = raid.end - raid.start if raid is not None else 0.0
    damage = random.Random(ctx.screen.look.variant).randrange(0, 4000)
    lines = [
        Line("STATISTICS", 34, WHITE),
        Line(f"TIME IN RAID  {_clock(length)}", 20, GREY),
        Line(f"KILLS  {kills}", 20, GREY),
        Line(f"DAMAGE DEALT  {damage}", 20, GREY),
    ]
    box = c.panel(lines, c.at(0.5, 0.45), border=DIM, min_width=380)
    return [c.element(ctx.key(), "statistics_screen", box, lines)]


def experience_screen(c: Canvas, ctx: ScreenContext) -> list[Element]:
    """The experience gained."""
    xp = random.Random(ctx.screen.look.variant).randrange(500, 40000)
    lines = [Line("EXPERIENCE", 34, WHITE), Line(f"+{xp} XP", 36, GOLD)]
    box = c.panel(lines, c.at(0.5, 0.42), border=DIM, min_width=320)
    return [c.element(ctx.key(), "experience_screen", box, lines)]


Draw = Callable[[Canvas, ScreenContext], list[Element]]

SCREENS: MappingProxyType[str, Draw] = MappingProxyType(
    {
        "main_menu": main_menu,
        "stash_screen": stash_screen,
        "character_select": character_select,
        "map_select": map_select,
        "insurance_screen": insurance_screen,
        "loading_screen": loading_screen,
        "queue_timer": queue_timer,
        "match_found": match_found,
        "get_ready": get_ready,
        "transfer_screen": transfer_screen,
        "survived_screen": survived_screen,
        "death_screen": death_screen,
        "mia_screen": mia_screen,
        "kill_list_screen": kill_list_screen,
        "statistics_screen": statistics_screen,
        "experience_screen": experience_screen,
    }
)
"""Screen class → its drawing (``gameplay_hud`` is drawn by :mod:`framewise.synth.hud`)."""
