"""Statistics on a hand-computed fixture: gaps, a negative gap, an open raid, both modes.

Session 1 starts at T0; session 2 a day later; session 3 two days later with no raid.

    raid  session mode start    end      final              kills
    r1    1       pve  T0+10m   T0+40m   survived           3
    r2    1       pvp  T0+45m   T0+60m   kia                1   gap r1→r2  5 min
    r3    1       pve  T0+58m   T0+80m   survived           0   gap r2→r3 -2 min (skipped)
    r4    1       pvp  T0+90m   open     raid_active        2   open: no gap either side
    r5    1       pve  T0+100m  T0+130m  survived           1   gap r3→r5 20 min
    r6    2       pvp  T1+30m   T1+50m   missing_in_action  4
    r7    2       pvp  T1+55m   T1+75m   survived           2   gap r6→r7  5 min
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from framewise.store import stats
from framewise.store.stats import RaidRow, SessionRow, TransitionRow

T0 = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
T2 = T0 + timedelta(days=2)
SESSIONS = [SessionRow(1, T0), SessionRow(2, T1), SessionRow(3, T2)]


def _m(base: datetime, minutes: float) -> datetime:
    return base + timedelta(minutes=minutes)


RAIDS = [
    RaidRow(1, 1, _m(T0, 10), _m(T0, 40), "pve", "survived", 3),
    RaidRow(2, 1, _m(T0, 45), _m(T0, 60), "pvp", "kia", 1),
    RaidRow(3, 1, _m(T0, 58), _m(T0, 80), "pve", "survived", 0),
    RaidRow(4, 1, _m(T0, 90), None, "pvp", "raid_active", 2),
    RaidRow(5, 1, _m(T0, 100), _m(T0, 130), "pve", "survived", 1),
    RaidRow(6, 2, _m(T1, 30), _m(T1, 50), "pvp", "missing_in_action", 4),
    RaidRow(7, 2, _m(T1, 55), _m(T1, 75), "pvp", "survived", 2),
]


def test_session_one_matches_hand_computed_values() -> None:
    result = stats.session_stats(SESSIONS[0], RAIDS)
    assert (result.total_raids, result.survived_raids, result.total_kills) == (5, 3, 7)
    assert result.survival_rate == pytest.approx(0.6)
    assert result.kd_ratio == pytest.approx(3.5)  # 7 kills / (kia + open raid)
    assert result.avg_raid_duration_seconds == pytest.approx((30 + 15 + 22 + 30) / 4 * 60)
    assert result.time_before_first_raid_seconds == pytest.approx(600)
    gaps = result.between_raids
    assert (gaps.count, gaps.total_seconds) == (2, 1500)
    assert (gaps.shortest_seconds, gaps.longest_seconds) == (300, 1200)
    assert gaps.avg_seconds == pytest.approx(750)


def test_session_one_by_mode() -> None:
    modes = stats.session_stats(SESSIONS[0], RAIDS).by_mode
    assert (modes.pve.total_raids, modes.pve.survived_raids, modes.pve.total_kills) == (3, 3, 4)
    assert modes.pve.kd_ratio == pytest.approx(4.0)  # no deaths: K/D is the kill count
    assert modes.pve.avg_raid_duration_seconds == pytest.approx((30 + 22 + 30) / 3 * 60)
    assert (modes.pvp.total_raids, modes.pvp.survived_raids, modes.pvp.total_kills) == (2, 0, 3)
    assert modes.pvp.kd_ratio == pytest.approx(1.5)
    assert modes.pvp.survival_rate == 0.0
    assert modes.pvp.avg_raid_duration_seconds == pytest.approx(900)  # only r2 ended


def test_global_stats_over_all_sessions() -> None:
    result = stats.global_stats(SESSIONS, RAIDS)
    assert (result.total_raids, result.survived_raids, result.total_kills) == (7, 4, 13)
    assert result.kd_ratio == pytest.approx(13 / 3)
    assert result.survival_rate == pytest.approx(4 / 7)
    assert result.avg_raid_duration_seconds == pytest.approx(137 / 6 * 60)
    assert result.sessions == 3
    gaps = result.between_raids
    assert (gaps.count, gaps.total_seconds, gaps.avg_seconds) == (3, 1800, 600)
    first = result.time_before_first_raid
    assert (first.sessions, first.avg_seconds, first.last_session_seconds) == (2, 1200, 1800)


def test_global_stats_for_one_game_mode() -> None:
    result = stats.global_stats(SESSIONS, RAIDS, "pvp")
    assert result.game_mode == "pvp"
    assert (result.total_raids, result.survived_raids, result.total_kills) == (4, 1, 9)
    assert result.kd_ratio == pytest.approx(3.0)
    assert result.survival_rate == pytest.approx(0.25)
    assert result.avg_raid_duration_seconds == pytest.approx(55 / 3 * 60)
    assert (result.between_raids.count, result.between_raids.total_seconds) == (1, 300)
    first = result.time_before_first_raid
    assert (first.sessions, first.avg_seconds, first.last_session_seconds) == (2, 2250, 1800)


def test_empty_inputs_give_zeroes_not_errors() -> None:
    result = stats.global_stats([], [])
    assert (result.total_raids, result.kd_ratio, result.survival_rate) == (0, 0.0, 0.0)
    assert result.between_raids.shortest_seconds is None
    assert result.time_before_first_raid.last_session_seconds is None
    assert stats.session_stats(SESSIONS[2], RAIDS).time_before_first_raid_seconds is None


def test_time_in_state_sums_revisits_and_skips_the_final_state() -> None:
    base = T0
    rows = [
        TransitionRow("pre_raid_setup", base),
        TransitionRow("queuing", _m(base, 2)),
        TransitionRow("stash_management", _m(base, 5)),  # queue cancelled
        TransitionRow("queuing", _m(base, 6)),
        TransitionRow("raid_active", _m(base, 8)),
        TransitionRow("survived", _m(base, 28)),
    ]
    result = {d.state: d.duration_seconds for d in stats.time_in_states(rows)}
    assert result == {
        "pre_raid_setup": 120,
        "queuing": 300,
        "stash_management": 60,
        "raid_active": 1200,
    }
    order = [d.state for d in stats.time_in_states(rows)]
    assert order == ["pre_raid_setup", "queuing", "stash_management", "raid_active"]
    assert stats.time_in_states(rows[:1]) == []


def test_raid_without_session_has_no_neighbours() -> None:
    orphan = RaidRow(9, None, _m(T0, 41), _m(T0, 44), "pve", "survived", 0)
    assert stats.gaps_between_raids([*RAIDS[:2], orphan]) == [300]
