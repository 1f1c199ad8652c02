"""The in-raid overlay: the gameplay HUD panel and the kill feed.

Kill-feed entries appear when the kill happens, stay a few seconds, and stack: the newest
is on top and older ones move down, so an entry's box changes when another kill arrives.
"""

from __future__ import annotations

from framewise.synth.layout import ACCENT, GREEN, GREY, ORANGE, RED, WHITE, Canvas, Element, Line
from framewise.synth.screens import kill_line
from framewise.synth.script import FieldValue, Kill, Raid, Screen
from framewise.synth.text import shade

_FIRE_MODES = ("FULL AUTO", "SEMI AUTO", "BURST")
_MAX_FEED = 5


def gameplay_hud(c: Canvas, screen: Screen, raid: Raid, seconds: float) -> list[Element]:
    """The HUD panel (fire mode, ammo, health bars) and the kill feed at ``seconds``."""
    elements = [_hud_panel(c, screen, raid, seconds)]
    elements += kill_feed(c, raid, seconds)
    return elements


def _hud_panel(c: Canvas, screen: Screen, raid: Raid, seconds: float) -> Element:
    mode = _FIRE_MODES[screen.look.variant % len(_FIRE_MODES)]
    fired = sum(1 for k in raid.kills if k.time <= seconds) * 3
    ammo = max(0, 30 - fired % 31)
    lines = [Line(mode, 18, GREY), Line(f"{ammo} / 30", 26, WHITE)]
    x2, y2 = c.at(0.97, 0.95)
    w = max(c.measure(x.text, x.size)[0] for x in lines) + c.px(140)
    h = sum(c.measure(x.text, x.size)[1] for x in lines) + c.px(24)
    box = c.clip((x2 - w, y2 - h, x2, y2))
    shade(c.image, box, 0.4)
    # Health, stamina and hydration bars on the left of the panel.
    bar_x, bar_y = box[0] + c.px(10), box[1] + c.px(12)
    for n, (color, level) in enumerate(((GREEN, 0.9), (ACCENT, 0.6), (ORANGE, 0.75))):
        y = bar_y + n * c.px(14)
        shade(c.image, (bar_x, y, bar_x + c.px(110), y + c.px(6)), 0.5)
        fill = int(c.px(110) * level)
        shade(c.image, (bar_x, y, bar_x + fill, y + c.px(6)), 0.3, c.color(color))
    y = box[1] + c.px(10)
    for line in lines:
        c.text(line.text, line.size, box[2] - c.px(12), y, line.color, anchor="r")
        y += c.measure(line.text, line.size)[1] + c.px(2)
    text = "\n".join(x.text for x in lines)
    return Element(
        f"h{raid.raid_id}.{ammo}", "gameplay_hud", box, text, {}, c.line_boxes(box, lines)
    )


def visible_kills(raid: Raid, seconds: float) -> list[Kill]:
    """Entries on screen at ``seconds``, newest first (at most five)."""
    shown = [k for k in raid.kills if k.time <= seconds < k.time + k.visible]
    return sorted(shown, key=lambda k: -k.time)[:_MAX_FEED]


def kill_feed(c: Canvas, raid: Raid, seconds: float) -> list[Element]:
    """The kill feed at the top right, one labelled panel per entry."""
    if raid.feed_look is None:
        return []
    look = raid.feed_look
    unit = c.height / 720.0 * look.scale * c.ui_scale
    size = 22 * look.scale / c.look.scale  # the canvas scales by its own look again
    x2 = round(c.width * (0.97 + look.dx / 2))
    y = round(c.height * (0.07 + look.dy))
    pad = max(2, round(8 * unit))
    elements = []
    for kill in visible_kills(raid, seconds):
        text = kill_line(kill.enemy_type, kill.weapon, kill.headshot)
        w, h = c.measure(text, size)
        box = c.clip((x2 - w - 2 * pad - round(6 * unit), y, x2, y + h + 2 * pad))
        shade(c.image, box, 0.35)
        accent = RED if kill.headshot else GREY
        shade(c.image, (box[0], box[1], box[0] + round(4 * unit), box[3]), 0.2, c.color(accent))
        drawn = c.text(text, size, x2 - pad, y + pad, WHITE, anchor="r")
        fields: dict[str, FieldValue] = {
            "enemy_type": kill.enemy_type,
            "weapon": kill.weapon,
            "headshot": kill.headshot,
        }
        element = Element(
            f"k{kill.kill_id}", "kill_notification", box, text, fields, ((text, drawn),)
        )
        elements.append(element)
        y = box[3] + round(6 * unit)
    return elements
