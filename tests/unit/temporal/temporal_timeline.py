"""Scripted timelines for temporal tests: what is on screen when, sampled like a video."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import framewise
from framewise.config.state_machine import StateMachineSpec
from framewise.temporal import (
    Box,
    Episode,
    EpisodeFilter,
    EpisodeRule,
    EventRecord,
    FieldReading,
    FieldValue,
    Observation,
    StateMachine,
)

TARKOV = Path(framewise.__file__).parent / "profiles" / "tarkov" / "state_machine.yaml"
"""The game profile's state machine, which most temporal tests drive."""
ROW = 30.0
"""Height of one kill-feed row in pixels."""


def row_box(row: int) -> Box:
    """The box of kill-feed row ``row`` (0 = top), right-aligned like the game's feed."""
    return (1500.0, 100.0 + row * ROW, 1900.0, 100.0 + row * ROW + 24.0)


SCREEN: Box = (0.0, 0.0, 1920.0, 1080.0)


@dataclass(frozen=True)
class Shown:
    """Something visible from ``start`` (inclusive) to ``end`` (exclusive), in seconds.

    ``missed`` lists sample indices (at the timeline's fps) where the detector misses it;
    ``misread`` maps sample indices to field values read wrongly there.
    """

    class_name: str
    start: float
    end: float
    box: Box = SCREEN
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    confidence: float = 0.9
    missed: frozenset[int] = frozenset()
    misread: Mapping[int, Mapping[str, FieldValue]] = field(default_factory=dict)


def frames(
    shown: Sequence[Shown], until: float, fps: float = 10.0
) -> Iterator[tuple[float, list[Observation]]]:
    """Sample the timeline at ``fps`` (times computed as i / fps, float noise included)."""
    for i in range(round(until * fps) + 1):
        t = i / fps
        observations = []
        for s in shown:
            if s.start - 1e-9 <= t < s.end - 1e-9 and i not in s.missed:
                values = {**s.fields, **s.misread.get(i, {})}
                fields = {k: FieldReading(v, 0.9) for k, v in values.items()}
                observations.append(Observation(s.class_name, s.box, s.confidence, fields))
        yield t, observations


def run_episodes(
    shown: Sequence[Shown], until: float, rules: Sequence[EpisodeRule], fps: float = 10.0
) -> list[Episode]:
    """Every episode (open notices and closed) the filter reports, flush included."""
    episodes = EpisodeFilter(rules)
    out = [e for t, obs in frames(shown, until, fps) for e in episodes.update(t, obs)]
    return out + episodes.flush()


def run_machine(
    shown: Sequence[Shown],
    until: float,
    spec: StateMachineSpec,
    rules: Sequence[EpisodeRule],
    fps: float = 10.0,
) -> tuple[list[EventRecord], StateMachine]:
    """Timeline → episodes → state machine; records sorted by time like a log writer."""
    episodes = EpisodeFilter(rules)
    machine = StateMachine(spec)
    records: list[EventRecord] = []
    for t, obs in frames(shown, until, fps):
        records += machine.update(episodes.update(t, obs))
    records += machine.update(episodes.flush())
    records += machine.flush()
    return sorted(records, key=lambda r: r.seconds), machine
