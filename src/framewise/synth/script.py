"""The session script: a seeded, random sequence of screens, raids and kills.

The script follows the game's flow (menu → character → map → insurance → deploying →
get ready → raid → terminal screen → post-raid screens → menu, with transfers chaining
raids), so every state change it makes is one the profile's state machine table allows.
It is plain data: rendering is a pure function of the script and a frame's time, which makes
a render deterministic for a seed.

Example:
    >>> script = make_script(seed=7, seconds=600.0)
    >>> script.screens[0].cls
    'main_menu'
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from framewise.core.errors import ConfigError
from framewise.synth.vocab import (
    BLANK,
    CHARACTER_TYPES,
    ENEMY_WEIGHTS,
    EXTRACTS,
    MAPS,
    OUTCOME_OF_CLASS,
    WEAPONS,
)

FieldValue = str | bool | int | None

KILL_VISIBLE_SECONDS = (4.0, 6.0)
"""How long a kill-feed entry stays on screen (uniform range)."""

_TERMINAL_WEIGHTS = {"survived_screen": 0.45, "death_screen": 0.3, "mia_screen": 0.1}
_TRANSFER_CHANCE = 0.15
_MAX_CHAINED_RAIDS = 3


@dataclass(frozen=True)
class Pacing:
    """How long raids and the stash last and how often kills come (uniform ranges, seconds).

    Attributes:
        raid: Length of a raid's in-raid stretch.
        first_kill: From the raid's start to its first kill.
        kill_gap: Between one kill (or burst of kills) and the next.
        stash: A visit of the stash screen between raids.
    """

    raid: tuple[float, float]
    first_kill: tuple[float, float]
    kill_gap: tuple[float, float]
    stash: tuple[float, float] = (5.0, 18.0)


PACINGS: dict[str, Pacing] = {
    # A whole game in a few minutes: raids of 40-200 s, a kill every 6-30 s (the default).
    "game": Pacing(raid=(40.0, 200.0), first_kill=(6.0, 30.0), kill_gap=(6.0, 30.0)),
    # Every raid 15-40 s: several times more menus and end screens per minute (training mixes).
    "short": Pacing(raid=(15.0, 40.0), first_kill=(1.0, 4.0), kill_gap=(3.0, 10.0)),
    # As a streamer's recordings go: raids of 5-30 min, kills minutes apart, minutes in the
    # stash between raids (what a backfill of real footage reads).
    "stream": Pacing(
        raid=(300.0, 1800.0), first_kill=(60.0, 300.0), kill_gap=(60.0, 360.0), stash=(60.0, 300.0)
    ),
}
"""Session pacings by name (``framewise synth --pacing``)."""


@dataclass(frozen=True)
class Look:
    """How one screen visit is drawn: offset (fractions of the picture), scale, brightness."""

    dx: float
    dy: float
    scale: float
    brightness: float
    variant: int

    @classmethod
    def random(cls, rng: random.Random) -> Look:
        """A visit's jitter: ±3 % position, 0.9-1.1 scale, 80-100 % brightness."""
        return cls(
            dx=rng.uniform(-0.03, 0.03),
            dy=rng.uniform(-0.03, 0.03),
            scale=rng.uniform(0.9, 1.1),
            brightness=rng.uniform(0.8, 1.0),
            variant=rng.randrange(1 << 30),
        )


@dataclass(frozen=True)
class Screen:
    """One visit of one screen, shown from ``start`` (inclusive) to ``end`` (exclusive).

    Attributes:
        cls: The screen's class (e.g. ``map_select``).
        start: Seconds from the session start.
        end: Seconds from the session start.
        fields: Values the screen shows (``map_name``, ``extract_location``, ...).
        look: Position, scale and brightness jitter of this visit.
        raid_id: The raid the screen belongs to (raid, terminal and post-raid screens).
    """

    cls: str
    start: float
    end: float
    fields: dict[str, FieldValue]
    look: Look
    raid_id: int | None = None


@dataclass(frozen=True)
class Kill:
    """One kill: it enters the kill feed at ``time`` and stays ``visible`` seconds."""

    kill_id: int
    raid_id: int
    time: float
    visible: float
    enemy_type: str
    weapon: str
    headshot: bool


@dataclass
class Raid:
    """One raid: from its first in-raid frame to its terminal screen (or the session end)."""

    raid_id: int
    map_name: str
    character_type: str
    game_mode: str
    start: float
    end: float
    outcome: str | None = None
    extract_location: str | None = None
    feed_look: Look | None = None
    kills: list[Kill] = field(default_factory=list)

    @property
    def light(self) -> float:
        """Daylight of the raid's world, 0.5 (dusk) to 1.0 (noon); the HUD keeps its own."""
        variant = self.feed_look.variant if self.feed_look is not None else 0
        return 0.5 + 0.5 * (variant % 1000) / 999


@dataclass
class Script:
    """A whole session: screens cover ``[0, seconds)`` back to back."""

    seed: int
    seconds: float
    screens: list[Screen] = field(default_factory=list)
    raids: list[Raid] = field(default_factory=list)

    @property
    def kills(self) -> list[Kill]:
        """Every kill of the session, in time order."""
        return sorted((k for r in self.raids for k in r.kills), key=lambda k: k.time)


class _Builder:
    """Appends screens one after another until the session is full."""

    def __init__(self, seed: int, seconds: float, pacing: Pacing) -> None:
        self.rng = random.Random(seed)
        self.pacing = pacing
        self.script = Script(seed=seed, seconds=seconds)
        self.now = 0.0

    def full(self) -> bool:
        """Whether the session's time is used up (a method, as it changes with every screen)."""
        return self.now >= self.script.seconds

    def show(
        self, cls: str, low: float, high: float, raid_id: int | None = None, **fields: FieldValue
    ) -> None:
        if self.full():
            return
        end = min(self.now + self.rng.uniform(low, high), self.script.seconds)
        look = Look.random(self.rng)
        self.script.screens.append(Screen(cls, self.now, end, fields, look, raid_id))
        self.now = end

    def fade(self) -> None:
        """Sometimes a short blank between screens (the game fades through black)."""
        if self.rng.random() < 0.6:
            self.show(BLANK, 0.3, 1.2)

    def round_trip(self, in_raid: bool = False) -> None:
        """Menu to menu: one raid, or several chained by transfers.

        With ``in_raid`` the trip starts in the middle of a short raid, as a recording
        started during one does (the state machine may enter ``raid`` from ``idle``).
        """
        rng = self.rng
        if in_raid:
            character = "pmc" if rng.random() < 0.7 else "scav"
            mode = "pve" if rng.random() < 0.5 else "pvp"
            self.raids(rng.choice(MAPS), character, mode, opening=True)
            return
        self.fade()
        self.show("main_menu", 3.0, 8.0)
        if rng.random() < 0.6:
            self.show("stash_screen", *self.pacing.stash)
        character = "pmc" if rng.random() < 0.7 else "scav"
        self.show("character_select", 3.0, 6.0, character_type=character)
        map_name = rng.choice(MAPS)
        mode = "pve" if rng.random() < 0.5 else "pvp"
        self.show("map_select", 4.0, 8.0, map_name=map_name, game_mode=mode)
        if character == "pmc" and rng.random() < 0.85:
            self.show("insurance_screen", 3.0, 7.0)
        self.fade()
        if mode == "pvp":
            self.show("queue_timer", 8.0, 45.0)
            self.show("match_found", 2.0, 4.0)
            self.show("loading_screen", 6.0, 12.0, map_name=map_name, game_mode=mode)
        else:
            self.show("loading_screen", 8.0, 18.0, map_name=map_name, game_mode=mode)
        self.raids(map_name, character, mode)

    def raids(self, map_name: str, character: str, mode: str, opening: bool = False) -> None:
        """Get ready, raid, maybe transfers to more raids, then the post-raid screens."""
        rng = self.rng
        for chained in range(_MAX_CHAINED_RAIDS):
            if not opening or chained:
                self.fade()
                self.show("get_ready", 4.0, 8.0)
            transfer = chained < _MAX_CHAINED_RAIDS - 1 and rng.random() < _TRANSFER_CHANCE
            raid = self.raid(map_name, character, mode, transfer, short=opening and not chained)
            if raid is None or raid.outcome != "transfer":
                break
            map_name = rng.choice([m for m in MAPS if m != map_name])
            self.show("transfer_screen", 4.0, 7.0, raid.raid_id, map_name=map_name)
            self.show("loading_screen", 6.0, 12.0, map_name=map_name, game_mode=mode)
        for cls, chance in (
            ("kill_list_screen", 0.8),
            ("statistics_screen", 0.85),
            ("experience_screen", 0.8),
        ):
            if rng.random() < chance:
                self.show(cls, 4.0, 8.0)

    def raid(
        self, map_name: str, character: str, mode: str, transfer: bool, short: bool = False
    ) -> Raid | None:
        """The in-raid stretch, its kills and its terminal screen (``short``: 15-40 s)."""
        if self.full():
            return None
        rng = self.rng
        raid_id = len(self.script.raids)
        start = self.now
        pacing = PACINGS["short"] if short else self.pacing
        self.show("gameplay_hud", *pacing.raid, raid_id)
        raid = Raid(raid_id, map_name, character, mode, start, self.now, feed_look=Look.random(rng))
        raid.kills = self.kills(raid, first=pacing.first_kill, gap=pacing.kill_gap)
        self.script.raids.append(raid)
        if self.full():
            return raid
        if transfer:
            raid.outcome = "transfer"
            return raid
        self.fade()
        names = list(_TERMINAL_WEIGHTS)
        terminal = rng.choices(names, weights=[_TERMINAL_WEIGHTS[n] for n in names])[0]
        raid.outcome = OUTCOME_OF_CLASS[terminal]
        if terminal == "survived_screen":
            raid.extract_location = rng.choice(EXTRACTS[map_name])
            self.show(terminal, 5.0, 9.0, raid_id, extract_location=raid.extract_location)
        else:
            self.show(terminal, 5.0, 9.0, raid_id)
        return raid

    def kills(self, raid: Raid, first: tuple[float, float], gap: tuple[float, float]) -> list[Kill]:
        """Kills spread over the raid, some in bursts so feed entries stack."""
        rng = self.rng
        kills: list[Kill] = []
        t = raid.start + rng.uniform(*first)
        # Every entry is on screen for at least 2 s before the raid ends.
        while t < raid.end - 2.0:
            burst = 1 if rng.random() < 0.6 else rng.randint(2, 4)
            for _ in range(burst):
                if t >= raid.end - 2.0:
                    break
                kills.append(self.kill(raid, len(kills), t))
                t += rng.uniform(0.6, 2.5)
            t += rng.uniform(*gap)
        return kills

    def kill(self, raid: Raid, index: int, time: float) -> Kill:
        rng = self.rng
        enemies = list(ENEMY_WEIGHTS)
        enemy = rng.choices(enemies, weights=[ENEMY_WEIGHTS[e] for e in enemies])[0]
        return Kill(
            kill_id=raid.raid_id * 1000 + index,
            raid_id=raid.raid_id,
            time=time,
            visible=rng.uniform(*KILL_VISIBLE_SECONDS),
            enemy_type=enemy,
            weapon=rng.choice(WEAPONS),
            headshot=rng.random() < 0.3,
        )


def make_script(
    seed: int,
    seconds: float,
    start_in_raid: bool = False,
    short_raids: bool = False,
    pacing: str = "game",
) -> Script:
    """A random but reproducible session of ``seconds`` seconds.

    Args:
        seed: Seed of every random choice; the same seed gives the same script.
        seconds: Length of the session.
        start_in_raid: Begin in the middle of a short raid (a recording started in one),
            so even a short session shows kills, a terminal screen and the menus.
        short_raids: Make every raid 15-40 s: several times more menus, terminal and
            post-raid screens per minute, for training sets that need more of them (the
            same as ``pacing="short"``).
        pacing: A name in :data:`PACINGS`: ``game`` (the default), ``short`` or ``stream``.

    Raises:
        ConfigError: ``pacing`` is not a known name, or contradicts ``short_raids``.
    """
    if pacing not in PACINGS:
        raise ConfigError(f"unknown pacing {pacing!r}", hint=f"use one of {', '.join(PACINGS)}")
    if short_raids and pacing not in ("game", "short"):
        raise ConfigError(
            f"short raids and pacing {pacing!r} contradict each other",
            hint="give --short-raids or --pacing, not both",
        )
    builder = _Builder(seed, seconds, PACINGS["short" if short_raids else pacing])
    builder.round_trip(in_raid=start_in_raid)
    while not builder.full():
        builder.round_trip()
    return builder.script


def character_label(character_type: str) -> str:
    """How the character selection screen writes ``character_type``."""
    return CHARACTER_TYPES[character_type]
