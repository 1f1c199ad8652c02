"""Stats served by a real server equal hand-computed values (same fixture as the unit test).

The fixture goes in through the atomic import endpoint, which is the only way to leave a raid
open in the middle of a session (the single endpoints allow one active raid at a time).

    raid  session mode start    end      final              kills
    r1    1       pve  T0+10m   T0+40m   survived           3
    r2    1       pvp  T0+45m   T0+60m   kia                1   gap  5 min
    r3    1       pve  T0+58m   T0+80m   survived           0   gap -2 min (skipped)
    r4    1       pvp  T0+90m   open     raid_active        2
    r5    1       pve  T0+100m  T0+130m  survived           1   gap 20 min (r3 → r5)
    r6    2       pvp  T1+30m   T1+50m   missing_in_action  4
    r7    2       pvp  T1+55m   T1+75m   survived           2   gap  5 min
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from framewise.store.client import StoreClient
from tests.integration.store.store_live import LiveServer

T0 = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
T2 = T0 + timedelta(days=2)


def _iso(base: datetime, minutes: float) -> str:
    return (base + timedelta(minutes=minutes)).isoformat()


def _raid(
    base: datetime, mode: str, start: float, end: float | None, final: str, kills: int
) -> dict[str, Any]:
    return {
        "map_name": "Customs",
        "character_type": "pmc",
        "game_mode": mode,
        "started_at": _iso(base, start),
        "transitions": [{"to_state": "raid_active", "transitioned_at": _iso(base, start + 1)}],
        "kills": [{"enemy_type": "scav", "timestamp": _iso(base, start + 2)} for _ in range(kills)],
        "end": None if end is None else {"final_state": final, "ended_at": _iso(base, end)},
    }


SESSIONS = [
    (
        T0,
        [
            _raid(T0, "pve", 10, 40, "survived", 3),
            _raid(T0, "pvp", 45, 60, "kia", 1),
            _raid(T0, "pve", 58, 80, "survived", 0),
            _raid(T0, "pvp", 90, None, "", 2),
            _raid(T0, "pve", 100, 130, "survived", 1),
        ],
    ),
    (
        T1,
        [
            _raid(T1, "pvp", 30, 50, "missing_in_action", 4),
            _raid(T1, "pvp", 55, 75, "survived", 2),
        ],
    ),
    (T2, []),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreClient]:
    with LiveServer(tmp_path_factory.mktemp("stats")) as server, StoreClient(server.url) as c:
        with httpx.Client(base_url=server.url) as http:
            for start, raids in SESSIONS:
                body = {
                    "session": {
                        "started_at": start.isoformat(),
                        "ended_at": (start + timedelta(hours=4)).isoformat(),
                    },
                    "raids": raids,
                }
                assert http.post("/api/import/session", json=body).status_code == 201
        yield c


def test_session_stats_match_hand_computed_values(client: StoreClient) -> None:
    result = client.session_stats(1)
    assert (result.total_raids, result.survived_raids, result.total_kills) == (5, 3, 7)
    assert result.survival_rate == pytest.approx(0.6)
    assert result.kd_ratio == pytest.approx(3.5)
    assert result.avg_raid_duration_seconds == pytest.approx(1455)
    assert result.time_before_first_raid_seconds == pytest.approx(600)
    gaps = result.between_raids
    assert (gaps.count, gaps.total_seconds, gaps.avg_seconds) == (2, 1500, 750)
    assert (gaps.shortest_seconds, gaps.longest_seconds) == (300, 1200)
    assert result.by_mode.pve.kd_ratio == pytest.approx(4.0)
    assert result.by_mode.pvp.kd_ratio == pytest.approx(1.5)
    assert client.session_stats(3).total_raids == 0


def test_global_stats_and_per_mode(client: StoreClient) -> None:
    result = client.global_stats()
    assert (result.total_raids, result.survived_raids, result.total_kills) == (7, 4, 13)
    assert result.kd_ratio == pytest.approx(13 / 3)
    assert result.avg_raid_duration_seconds == pytest.approx(1370)
    assert (result.between_raids.count, result.between_raids.total_seconds) == (3, 1800)
    first = result.time_before_first_raid
    assert (first.sessions, first.avg_seconds, first.last_session_seconds) == (2, 1200, 1800)
    pvp = client.global_stats("pvp")
    assert (pvp.total_raids, pvp.survived_raids, pvp.total_kills) == (4, 1, 9)
    assert pvp.kd_ratio == pytest.approx(3.0)
    assert pvp.avg_raid_duration_seconds == pytest.approx(1100)
    assert pvp.time_before_first_raid.avg_seconds == pytest.approx(2250)
    pve = client.global_stats("pve")
    assert (pve.total_raids, pve.kd_ratio) == (3, 4.0)


def test_raid_stats_and_the_open_raid(client: StoreClient) -> None:
    open_raid = client.current_raid()
    assert open_raid is not None and open_raid.raid_id == 4
    assert open_raid.current_state == "raid_active"
    survived = client.raid_stats(1)
    assert [(d.state, d.duration_seconds) for d in survived.state_durations] == [
        ("raid_active", 29 * 60)
    ]
    assert (survived.kill_count, survived.duration_seconds) == (3, 1800)
    assert client.raid_stats(4).duration_seconds is None
