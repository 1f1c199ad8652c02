"""The chart figures' pure rules: histogram widths, timeline bands, kill groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from framewise.store.chart_stats import (
    ChartRaid,
    ChartSession,
    KillRow,
    StateRow,
    band_of,
    bin_width,
    histogram,
    kills_chart,
    timeline,
)
from framewise.store_api.stats import StatsFilters

T0 = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("low", "high", "width"),
    [
        (0, 0, 30),
        (300, 600, 30),
        (1200, 1800, 60),
        (60, 3600, 600),
        (0, 40_000, 3600),
        (0, 50_000, 7200),
    ],
)
def test_bins_are_round_and_at_most_twelve(low: float, high: float, width: float) -> None:
    assert bin_width(low, high) == width
    assert high // width - low // width + 1 <= 12


def test_histogram_keeps_empty_bins_between() -> None:
    result = histogram([600, 610, 1190, 900])
    assert result.bin_seconds == 60
    assert [b.count for b in result.bins] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    assert (result.bins[0].start_seconds, result.bins[-1].end_seconds) == (600, 1200)
    assert (result.min_seconds, result.median_seconds, result.max_seconds) == (600, 755, 1190)
    assert histogram([]).bins == []


def test_states_fall_in_bands_and_unknown_ones_in_the_raid() -> None:
    assert [band_of(s) for s in ("stash_management", "queuing", "raid_active", "mia")] == [
        "menu",
        "queue",
        "raid",
        "terminal",
    ]
    assert band_of("looting") == "raid"


def test_open_session_timeline_ends_at_its_last_time() -> None:
    session = ChartSession(session_id=1, started_at=T0, ended_at=None, session_type="stream")
    ended = ChartRaid(1, 1, _at(5), _at(25), "pve", "killed", 1, "Woods")
    open_raid = ChartRaid(2, 1, _at(30), None, "pvp", "raid", 0, "Customs")
    steps = [
        StateRow(1, "raid", _at(8)),
        StateRow(1, "killed", _at(25)),
        StateRow(2, "queuing", _at(31)),
        StateRow(2, "raid", _at(34)),
    ]
    kills = [KillRow(1, _at(12), "pmc", None, None)]
    result = timeline(session, [open_raid, ended], steps, kills)
    spans = [(b.band, b.state, b.start, b.end) for b in result.bands]
    assert spans == [
        ("menu", "menu", T0, _at(5)),
        ("menu", "stash_management", _at(5), _at(8)),
        ("raid", "raid", _at(8), _at(25)),
        ("terminal", "killed", _at(25), _at(25)),
        ("menu", "menu", _at(25), _at(30)),
        ("menu", "stash_management", _at(30), _at(31)),
        ("queue", "queuing", _at(31), _at(34)),
        ("raid", "raid", _at(34), _at(34)),  # open: the session's last known time
    ]
    assert result.ended_at == _at(34)
    assert [(k.raid_id, k.weapon) for k in result.kills] == [(1, None)]


def test_kills_without_weapon_or_headshot_flag() -> None:
    kills = [
        KillRow(1, T0, "scav", None, None),
        KillRow(1, T0, "scav", "MP7", True),
        KillRow(1, T0, "pmc", "MP7", False),
    ]
    result = kills_chart(kills, StatsFilters())
    assert [(g.name, g.kills, g.headshots) for g in result.by_weapon] == [
        ("MP7", 2, 1),
        ("unknown", 1, 0),
    ]
    assert (result.headshots, result.headshot_known, result.headshot_share) == (1, 2, 0.5)
    assert kills_chart([], StatsFilters()).headshot_share is None
